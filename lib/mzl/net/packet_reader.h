#pragma once
// The packet framing of the MySQL client/server protocol, read from a byte source into one large buffer:
// each packet is a 3-byte little-endian payload length, a 1-byte sequence id and the payload; a payload of
// 0xFFFFFF bytes or more travels as pieces of exactly 0xFFFFFF bytes, ended by a shorter (maybe empty) one.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html
//
// Used for the binlog stream after the dump command (replica_stream.h): one read takes whatever the
// source has (up to the buffer's free space, 1 MiB by default), and the packets are then handed out in
// place, so a stream of small events costs one read per buffer instead of two connector reads and copies
// per packet. Payloads of several pieces, and packets larger than the buffer, are joined in a side buffer
// that grows to the largest such packet.
//
// Sequence ids are checked only between the pieces of one payload (consecutive, as the sender numbers
// them). Between packets they are not: a semi-sync primary restarts its numbering before each event that
// asks for an ACK (MariaDB Repl_semi_sync_master::flush_net), and libmariadb does not check them either.
// Compressed packets (CLIENT_COMPRESS) are not read here.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::net {

inline constexpr size_t kPacketHeaderSize = 4;
inline constexpr size_t kMaxPacketPieceLength = 0xFFFFFF;

// Where a PacketReader's bytes come from: a connection (connector_input.h), or the pieces of a test.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads between 1 and `capacity` bytes into `out` (capacity > 0), waiting for the first one as long as
  // the source allows (its read timeout). 0 when the peer closed the connection. kNetwork when the read
  // fails or times out.
  virtual Result<size_t> read_some(uint8_t* out, size_t capacity) = 0;
  // Waits up to `timeout` (0: not at all) for input without reading it: true when read_some() has something
  // (or would report the closed connection), false on timeout or EINTR. kNetwork when waiting fails.
  virtual Result<bool> wait_readable(std::chrono::milliseconds timeout) = 0;
};

class PacketReader {
 public:
  static constexpr size_t kDefaultBufferSize = size_t{1} << 20;

  // `max_payload`: a payload of that many bytes or more is refused (the connector's max_allowed_packet).
  // `buffer_size` (at least kPacketHeaderSize): the receive buffer; packets that do not fit are joined in
  // the side buffer.
  PacketReader(std::unique_ptr<ByteSource> source, size_t max_payload,
               size_t buffer_size = kDefaultBufferSize);

  PacketReader(PacketReader&&) noexcept = default;
  PacketReader& operator=(PacketReader&&) noexcept = default;

  // The next packet's payload, its pieces joined. The view stays valid until the next call to next()
  // (moving the reader keeps it valid; wait_readable() does not touch it). Errors:
  //  - kNetwork: the source failed, or the peer closed the connection (the message says whether that was
  //    between packets or inside one, and how much of it had arrived);
  //  - kUnsupported: a payload of max_payload bytes or more;
  //  - kCorrupt: a continuation piece whose sequence id does not follow the previous piece's.
  // After an error the reader's state is unspecified: do not call next() again.
  Result<Bytes> next();

  // True at once when a whole packet (or the whole next piece of a large one) is buffered; otherwise the
  // source's wait_readable(timeout).
  Result<bool> wait_readable(std::chrono::milliseconds timeout);

 private:
  size_t buffered() const { return end_ - begin_; }
  uint32_t buffered_piece_length() const;  // the length field of the header at begin_ (4 bytes buffered)
  // Makes at least `bytes` (<= capacity_) bytes available from begin_, compacting and reading; false when
  // the peer closed the connection first.
  Result<bool> need(size_t bytes);
  // One read into the free space after end_; false when the peer closed the connection.
  Result<bool> read_more();
  // The next header; `joined_so_far`: the bytes of the payload whose next piece it starts (0: a packet).
  Status need_header(size_t joined_so_far);
  Result<Bytes> read_packet();  // next() when the packet is not wholly buffered yet
  Result<Bytes> join_pieces();

  std::unique_ptr<ByteSource> source_;
  size_t max_payload_;
  std::unique_ptr<uint8_t[]> buffer_;
  size_t capacity_;
  size_t begin_ = 0;  // the next unread packet header
  size_t end_ = 0;    // the end of the bytes read
  std::vector<uint8_t> joined_;
};

}  // namespace mzl::net
