// PacketChannel over a socketpair(2) (and loopback TCP where a reset is needed), against the framing of
// MariaDB KB "0 - Packet" / MySQL "MySQL Packets": int<3> payload length, int<1> sequence id, the payload;
// a payload of 0xFFFFFF bytes or more is sent as 0xFFFFFF-byte pieces ended by a shorter (maybe empty) one,
// the sequence id counting up across them. The peer's side is written and read as raw bytes here.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "mzl/serve/packet_channel.h"

namespace mzl::serve {
namespace {

using namespace std::chrono_literals;
using Buffer = std::vector<uint8_t>;

struct SocketPair {
  int server = -1;
  int peer = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    server = fds[0];
    peer = fds[1];
  }
  ~SocketPair() {
    close_peer();
    if (server >= 0) ::close(server);
  }
  void close_peer() {
    if (peer >= 0) ::close(peer);
    peer = -1;
  }
};

Buffer pattern(size_t size, uint32_t seed) {
  Buffer out(size);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return out;
}

Buffer header(size_t length, uint8_t sequence) {
  return {static_cast<uint8_t>(length), static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length >> 16),
          sequence};
}

Buffer operator+(Buffer a, const Buffer& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void write_all(int fd, const Buffer& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;  // the test's checks on the other side report what is missing
    done += static_cast<size_t>(n);
  }
}

Buffer read_exactly(int fd, size_t n) {
  Buffer out(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::recv(fd, out.data() + done, n - done, 0);
    if (got <= 0) break;
    done += static_cast<size_t>(got);
  }
  out.resize(done);
  return out;
}

// Bytes available without waiting.
size_t available(int fd) {
  Buffer scratch(1 << 16);
  size_t total = 0;
  for (;;) {
    const ssize_t got = ::recv(fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
    if (got <= 0) return total;
    total += static_cast<size_t>(got);
  }
}

TEST_CASE("PacketChannel: a packet is its 3-byte length, the sequence id and the payload") {
  SocketPair pair;
  PacketChannel channel(pair.server);
  // MySQL "COM_QUIT" example: 01 00 00 00 01.
  REQUIRE(channel.write_packet(Buffer{0x01}).ok());
  REQUIRE(channel.write_packet(Buffer{0xAA, 0xBB}).ok());
  REQUIRE(channel.write_packet(Buffer{}).ok());
  REQUIRE(channel.flush().ok());
  CHECK(read_exactly(pair.peer, 5 + 6 + 4) ==
        Buffer{0x01, 0, 0, 0, 0x01, 0x02, 0, 0, 1, 0xAA, 0xBB, 0, 0, 0, 2});
  CHECK(channel.sequence() == 3);
  channel.reset_sequence();
  REQUIRE(channel.write_packet(Buffer{0x07}).ok());
  REQUIRE(channel.flush().ok());
  CHECK(read_exactly(pair.peer, 5) == Buffer{0x01, 0, 0, 0, 0x07});
}

TEST_CASE("PacketChannel: a read packet sets the sequence the reply continues") {
  SocketPair pair;
  PacketChannel channel(pair.server);
  // A COM_QUERY "select 1" with sequence 0 (MySQL "COM_QUERY" example), then a client packet with id 5.
  write_all(pair.peer, Buffer{0x09, 0x00, 0x00, 0x00, 0x03, 's', 'e', 'l', 'e', 'c', 't', ' ', '1'});
  auto query = channel.read_packet();
  REQUIRE(query.ok());
  CHECK(std::string(query->begin(), query->end()) == "\x03select 1");
  CHECK(channel.sequence() == 1);
  REQUIRE(channel.write_packet(Buffer{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}).ok());
  REQUIRE(channel.flush().ok());
  CHECK(read_exactly(pair.peer, 11) == header(7, 1) + Buffer{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00});

  write_all(pair.peer, header(2, 5) + Buffer{0xEF, 0x01});
  auto ack = channel.read_packet();
  REQUIRE(ack.ok());
  CHECK(*ack == Buffer{0xEF, 0x01});
  CHECK(channel.sequence() == 6);

  // Sequence ids wrap at 256.
  write_all(pair.peer, header(1, 255) + Buffer{0x0E});
  REQUIRE(channel.read_packet().ok());
  CHECK(channel.sequence() == 0);
}

TEST_CASE("PacketChannel: payloads of 0xFFFFFF bytes or more are written as pieces") {
  for (const size_t size : {kMaxPacketPieceLength - 1, kMaxPacketPieceLength, kMaxPacketPieceLength + 10,
                            2 * kMaxPacketPieceLength}) {
    INFO("payload of " << size << " bytes");
    SocketPair pair;
    PacketChannel channel(pair.server);
    const Buffer payload = pattern(size, static_cast<uint32_t>(size));
    Buffer wire;
    std::thread reader([&] {
      const size_t pieces = size / kMaxPacketPieceLength + 1;
      wire = read_exactly(pair.peer, size + pieces * kPacketHeaderSize);
    });
    channel.reset_sequence();
    const Status written = channel.write_packet(payload);
    const Status flushed = channel.flush();
    reader.join();
    REQUIRE(written.ok());
    REQUIRE(flushed.ok());
    // Rebuild the expected wire form piece by piece from the rule.
    Buffer expected;
    size_t done = 0;
    uint8_t sequence = 0;
    for (;;) {
      const size_t piece = std::min(size - done, kMaxPacketPieceLength);
      expected = expected + header(piece, sequence++);
      expected.insert(expected.end(), payload.begin() + static_cast<ptrdiff_t>(done),
                      payload.begin() + static_cast<ptrdiff_t>(done + piece));
      done += piece;
      if (piece < kMaxPacketPieceLength) break;
    }
    REQUIRE(wire.size() == expected.size());
    CHECK(wire == expected);
    CHECK(channel.sequence() == sequence);
  }
}

TEST_CASE("PacketChannel: pieces of a large payload are read and joined") {
  SocketPair pair;
  PacketChannel channel(pair.server);
  const Buffer payload = pattern(kMaxPacketPieceLength + 5, 3);
  const Buffer first(payload.begin(), payload.begin() + kMaxPacketPieceLength);
  const Buffer second(payload.begin() + kMaxPacketPieceLength, payload.end());
  std::thread writer([&] {
    write_all(pair.peer, header(kMaxPacketPieceLength, 7) + first + header(5, 8) + second);
    // Exactly 0xFFFFFF bytes: the empty piece ends it.
    write_all(pair.peer, header(kMaxPacketPieceLength, 0) + first + header(0, 1));
  });
  auto joined = channel.read_packet();
  auto exact = channel.read_packet();
  writer.join();
  REQUIRE(joined.ok());
  CHECK(joined->size() == payload.size());
  CHECK(*joined == payload);
  REQUIRE(exact.ok());
  CHECK(*exact == first);
  CHECK(channel.sequence() == 2);
}

TEST_CASE("PacketChannel: a continuation piece out of sequence is corrupt") {
  SocketPair pair;
  PacketChannel channel(pair.server);
  const Buffer first = pattern(kMaxPacketPieceLength, 4);
  std::thread writer(
      [&] { write_all(pair.peer, header(kMaxPacketPieceLength, 0) + first + header(1, 5) + Buffer{1}); });
  auto packet = channel.read_packet();
  writer.join();
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error().code == ErrorCode::kCorrupt);
}

TEST_CASE("PacketChannel: a packet of max_payload bytes or more is refused before it is read") {
  SocketPair pair;
  PacketChannelOptions options;
  options.max_payload = 1000;
  PacketChannel channel(pair.server, options);
  write_all(pair.peer, header(999, 0) + pattern(999, 1));
  auto fits = channel.read_packet();
  REQUIRE(fits.ok());
  CHECK(fits->size() == 999);
  write_all(pair.peer, header(1000, 0));
  auto too_large = channel.read_packet();
  REQUIRE_FALSE(too_large.ok());
  CHECK(too_large.error().code == ErrorCode::kUnsupported);
}

TEST_CASE("PacketChannel: write_raw_prefixed sends the byte and the payload as one packet") {
  SocketPair pair;
  PacketChannelOptions options;
  options.write_buffer_size = 1024;
  PacketChannel channel(pair.server, options);
  const Buffer small = pattern(100, 5);
  const Buffer large = pattern(5000, 6);  // larger than the write buffer: sent from where it is
  REQUIRE(channel.write_raw_prefixed(0x00, small).ok());
  REQUIRE(channel.write_raw_prefixed(0xEF, large).ok());
  REQUIRE(channel.write_raw_prefixed(0x00, Buffer{}).ok());
  REQUIRE(channel.flush().ok());
  const Buffer expected = header(101, 0) + Buffer{0x00} + small + header(5001, 1) + Buffer{0xEF} + large +
                          header(1, 2) + Buffer{0x00};
  CHECK(read_exactly(pair.peer, expected.size()) == expected);

  // 1 + (0xFFFFFF - 1) bytes make exactly one full piece and an empty one; 1 + 0xFFFFFF spill one byte.
  for (const size_t size : {kMaxPacketPieceLength - 1, kMaxPacketPieceLength}) {
    INFO("event of " << size << " bytes");
    const Buffer event = pattern(size, 7);
    Buffer wire;
    std::thread reader([&] { wire = read_exactly(pair.peer, 1 + size + 2 * kPacketHeaderSize); });
    channel.reset_sequence();
    const Status written = channel.write_raw_prefixed(0x00, event);
    const Status flushed = channel.flush();
    reader.join();
    REQUIRE(written.ok());
    REQUIRE(flushed.ok());
    Buffer whole = Buffer{0x00} + event;
    Buffer expect = header(kMaxPacketPieceLength, 0);
    expect.insert(expect.end(), whole.begin(), whole.begin() + kMaxPacketPieceLength);
    expect = expect + header(whole.size() - kMaxPacketPieceLength, 1);
    expect.insert(expect.end(), whole.begin() + kMaxPacketPieceLength, whole.end());
    REQUIRE(wire.size() == expect.size());
    CHECK(wire == expect);
  }
}

TEST_CASE("PacketChannel: small packets wait in the buffer until it fills, flush() or a read") {
  SocketPair pair;
  PacketChannelOptions options;
  options.write_buffer_size = 1000;
  PacketChannel channel(pair.server, options);
  for (int i = 0; i < 10; ++i) REQUIRE(channel.write_raw_prefixed(0x00, pattern(50, i)).ok());
  CHECK(channel.pending_bytes() == 10 * 55);
  CHECK(available(pair.peer) == 0);
  REQUIRE(channel.flush().ok());
  CHECK(channel.pending_bytes() == 0);
  CHECK(available(pair.peer) == 10 * 55);

  // Filling the buffer sends it.
  for (int i = 0; i < 20; ++i) REQUIRE(channel.write_raw_prefixed(0x00, pattern(50, i)).ok());
  CHECK(available(pair.peer) >= 1000);
  CHECK(channel.pending_bytes() < 1000);

  // A read sends what is pending first (the reply before the next command).
  REQUIRE(channel.write_packet(Buffer{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}).ok());
  write_all(pair.peer, header(1, 0) + Buffer{0x0E});
  (void)available(pair.peer);
  REQUIRE(channel.read_packet().ok());
  CHECK(channel.pending_bytes() == 0);
}

TEST_CASE("PacketChannel: no packet within the read timeout is a network error") {
  SocketPair pair;
  PacketChannelOptions options;
  options.read_timeout = 100ms;
  PacketChannel channel(pair.server, options);
  const auto start = std::chrono::steady_clock::now();
  auto packet = channel.read_packet();
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error().code == ErrorCode::kNetwork);
  CHECK_THAT(packet.error().message, Catch::Contains("timed out"));
  CHECK(std::chrono::steady_clock::now() - start >= 90ms);

  // The same inside a packet.
  write_all(pair.peer, header(10, 0) + Buffer{1, 2, 3});
  packet = channel.read_packet();
  REQUIRE_FALSE(packet.ok());
  CHECK_THAT(packet.error().message, Catch::Contains("timed out"));
}

TEST_CASE("PacketChannel: a peer that accepts nothing makes writes time out") {
  SocketPair pair;
  PacketChannelOptions options;
  options.write_timeout = 100ms;
  PacketChannel channel(pair.server, options);
  const Status written = channel.write_packet(pattern(8 << 20, 9));
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().code == ErrorCode::kNetwork);
  CHECK_THAT(written.error().message, Catch::Contains("timed out"));
}

TEST_CASE("PacketChannel: a peer that closes the connection is a network error") {
  SECTION("between packets") {
    SocketPair pair;
    PacketChannel channel(pair.server);
    pair.close_peer();
    auto packet = channel.read_packet();
    REQUIRE_FALSE(packet.ok());
    CHECK(packet.error().code == ErrorCode::kNetwork);
    CHECK_THAT(packet.error().message, Catch::Contains("closed the connection"));
  }
  SECTION("inside a header") {
    SocketPair pair;
    PacketChannel channel(pair.server);
    write_all(pair.peer, Buffer{0x05, 0x00});
    pair.close_peer();
    auto packet = channel.read_packet();
    REQUIRE_FALSE(packet.ok());
    CHECK(packet.error().code == ErrorCode::kNetwork);
    CHECK_THAT(packet.error().message, Catch::Contains("inside a packet"));
  }
  SECTION("inside a payload") {
    SocketPair pair;
    PacketChannel channel(pair.server);
    write_all(pair.peer, header(10, 0) + Buffer{1, 2, 3});
    pair.close_peer();
    auto packet = channel.read_packet();
    REQUIRE_FALSE(packet.ok());
    CHECK(packet.error().code == ErrorCode::kNetwork);
    CHECK_THAT(packet.error().message, Catch::Contains("3 of its 10 bytes"));
  }
  SECTION("while we write: an error, not SIGPIPE") {
    SocketPair pair;
    PacketChannel channel(pair.server);
    pair.close_peer();
    REQUIRE(channel.write_packet(Buffer{1, 2, 3}).ok());  // buffered
    const Status flushed = channel.flush();
    REQUIRE_FALSE(flushed.ok());
    CHECK(flushed.error().code == ErrorCode::kNetwork);
    CHECK_THAT(flushed.error().message, Catch::Contains("closed the connection"));
  }
}

TEST_CASE("PacketChannel: a TCP peer that resets the connection is a network error") {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  const int server = ::accept(listener, nullptr, nullptr);
  REQUIRE(server >= 0);
  ::close(listener);

  PacketChannel channel(server);
  write_all(client, header(4, 0) + Buffer{1, 2});
  // SO_LINGER with a zero timeout: close() sends a RST instead of a FIN.
  const linger abort{1, 0};
  REQUIRE(::setsockopt(client, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort)) == 0);
  ::close(client);
  auto packet = channel.read_packet();
  REQUIRE_FALSE(packet.ok());
  CHECK(packet.error().code == ErrorCode::kNetwork);
  CHECK_THAT(packet.error().message, Catch::Contains("closed the connection"));
  ::close(server);
}

TEST_CASE("PacketChannel: wait_readable says whether a packet is there") {
  SocketPair pair;
  PacketChannel channel(pair.server);
  auto ready = channel.wait_readable(0ms);
  REQUIRE(ready.ok());
  CHECK_FALSE(*ready);
  ready = channel.wait_readable(20ms);
  REQUIRE(ready.ok());
  CHECK_FALSE(*ready);
  write_all(pair.peer, header(1, 0) + Buffer{0x01});
  ready = channel.wait_readable(1000ms);
  REQUIRE(ready.ok());
  CHECK(*ready);
  REQUIRE(channel.read_packet().ok());
  pair.close_peer();
  ready = channel.wait_readable(1000ms);
  REQUIRE(ready.ok());
  CHECK(*ready);  // the closed connection is there to be read
}

}  // namespace
}  // namespace mzl::serve
