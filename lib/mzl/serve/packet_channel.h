#pragma once
// The server side of the client/server protocol's packet framing over a connected socket: each packet is a
// 3-byte little-endian payload length, a 1-byte sequence id and the payload; a payload of 0xFFFFFF bytes or
// more travels as pieces of exactly 0xFFFFFF bytes, ended by a shorter (maybe empty) one, their sequence
// ids counting up. https://mariadb.com/kb/en/0-packet/
//
// Sequence ids: one counter for both directions, as the protocol numbers a command's exchange. A packet
// read sets it to the read packet's last sequence id + 1 (so a reply continues the client's numbering,
// whatever it started at); every piece written takes the counter and increments it (mod 256).
// reset_sequence() starts a new exchange at 0 (before the server's handshake; a semi-sync primary before
// each event that asks for an ACK).
//
// Writes are buffered: small packets (binlog events) are gathered and sent together when the buffer
// fills, on flush(), and before every read_packet(); a payload larger than the buffer is sent from the
// caller's memory (sendmsg with two iovecs) after what is pending. Sends use MSG_NOSIGNAL: a peer that went
// away is a kNetwork error, never a SIGPIPE.
//
// Reads take exactly the bytes of one packet from the socket (no read-ahead), so that after an SSLRequest
// the TLS handshake bytes are still in the socket for accept_tls().
//
// Not thread-safe; one channel per connection. The channel does not own the fd (does not close it).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mzl/serve/tls_server_context.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

struct ssl_st;

namespace mzl::serve {

inline constexpr size_t kPacketHeaderSize = 4;
inline constexpr size_t kMaxPacketPieceLength = 0xFFFFFF;

struct PacketChannelOptions {
  // No byte from the peer for this long while a packet is awaited: kNetwork "timed out". 0: wait forever.
  std::chrono::milliseconds read_timeout{0};
  // The peer accepts no byte for this long while we send: kNetwork "timed out". 0: wait forever.
  std::chrono::milliseconds write_timeout{0};
  // A client packet of this many bytes or more is refused (kUnsupported), before it is allocated.
  size_t max_payload = size_t{64} << 20;
  // Pending writes are sent once they reach this many bytes.
  size_t write_buffer_size = size_t{64} << 10;
};

class PacketChannel {
 public:
  explicit PacketChannel(int fd, PacketChannelOptions options = {});
  ~PacketChannel();
  PacketChannel(const PacketChannel&) = delete;
  PacketChannel& operator=(const PacketChannel&) = delete;

  // Sends what is pending, then reads one packet and returns its payload, pieces joined. Errors:
  //  - kNetwork: the peer closed the connection (between packets: "closed the connection"; inside one: how
  //    much had arrived), reset it, a read failed, or nothing came within the read timeout ("timed out");
  //  - kUnsupported: a payload of max_payload bytes or more (nothing of it is read);
  //  - kCorrupt: a continuation piece whose sequence id does not follow the previous piece's.
  // After an error the connection is unusable: close it.
  Result<std::vector<uint8_t>> read_packet();

  // Queues one packet (split into pieces when it is 0xFFFFFF bytes or longer), sending when the buffer is
  // full. kNetwork when a send fails or times out; after that the connection is unusable.
  Status write_packet(Bytes payload);
  // write_packet for each, in order (a result set's packets).
  Status write_packets(const std::vector<std::vector<uint8_t>>& payloads);
  // One packet whose payload is `first_byte` followed by `payload` (a binlog event packet: 0x00 then the
  // event), without copying `payload` into a temporary: it is copied into the write buffer when it fits,
  // else sent from where it is.
  Status write_raw_prefixed(uint8_t first_byte, Bytes payload);
  // Sends everything pending.
  Status flush();

  void reset_sequence() { sequence_ = 0; }
  uint8_t sequence() const { return sequence_; }
  size_t pending_bytes() const { return out_.size(); }

  // True when a packet (or the closed connection) can be read without waiting, within `timeout` (0: no
  // wait); false on timeout or EINTR. Does not flush. kNetwork when poll() fails. Over TLS, true may mean
  // only TLS records (no packet): a read_packet() then waits for the packet up to the read timeout.
  Result<bool> wait_readable(std::chrono::milliseconds timeout);

  // Runs the TLS server handshake on the socket (after an SSLRequest has been read and nothing written
  // since); from then on every packet is read and written through TLS. Sets the fd non-blocking. kNetwork
  // when the handshake fails or times out (read/write timeouts apply). OpenSSL writes with write(2): the
  // SIGPIPE a gone peer raises is blocked and consumed on the calling thread during TLS writes.
  Status accept_tls(const TlsServerContext& context);
  bool tls() const { return ssl_ != nullptr; }

  int fd() const { return fd_; }

 private:
  // A packet of `first` (optional, 1 byte) then `payload`, in pieces.
  Status write_pieces(const uint8_t* first, Bytes payload);
  // Sends the iovec-like spans in order, entirely.
  Status send_all(Bytes a, Bytes b);
  Status send_plain(Bytes a, Bytes b);
  Status send_tls(Bytes data);
  // One recv() (or SSL_read()) of up to n bytes, waiting up to the read timeout; 0 when the peer closed
  // the connection.
  Result<size_t> read_some(uint8_t* out, size_t n);
  // Reads until n bytes arrived or the peer closed the connection; the count read.
  Result<size_t> read_fully(uint8_t* out, size_t n);
  // poll() for `events` with `timeout` (0: forever): kNetwork on timeout.
  Status wait_for(short events, std::chrono::milliseconds timeout, const char* direction);

  int fd_;
  PacketChannelOptions options_;
  uint8_t sequence_ = 0;
  std::vector<uint8_t> out_;
  ssl_st* ssl_ = nullptr;
};

}  // namespace mzl::serve
