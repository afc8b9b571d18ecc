// PacketReader over byte streams built here from known payloads (the protocol's framing: 3-byte length,
// sequence id, payloads of 0xFFFFFF bytes or more cut into 0xFFFFFF-byte pieces ended by a shorter one),
// delivered in pieces of random sizes, so that every cut point (inside headers, payloads, between the
// pieces of a large payload) and every buffer position (wrap, compaction, growth into the side buffer) is
// met. The payloads read must equal the payloads put in.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "mzl/net/packet_reader.h"

namespace mzl::net {
namespace {

using Payload = std::vector<uint8_t>;

// The wire form of `payloads`; each packet starts at a random sequence id (they need not follow each
// other: semi-sync primaries restart them), the pieces of one payload count up from it.
std::vector<uint8_t> frame(const std::vector<Payload>& payloads, std::mt19937& random) {
  std::vector<uint8_t> wire;
  for (const Payload& payload : payloads) {
    auto sequence = static_cast<uint8_t>(random());
    size_t done = 0;
    for (;;) {
      const size_t piece = std::min(payload.size() - done, kMaxPacketPieceLength);
      wire.push_back(static_cast<uint8_t>(piece));
      wire.push_back(static_cast<uint8_t>(piece >> 8));
      wire.push_back(static_cast<uint8_t>(piece >> 16));
      wire.push_back(sequence++);
      wire.insert(wire.end(), payload.begin() + static_cast<ptrdiff_t>(done),
                  payload.begin() + static_cast<ptrdiff_t>(done + piece));
      done += piece;
      if (piece < kMaxPacketPieceLength) break;
    }
  }
  return wire;
}

Payload pattern(size_t size, uint32_t seed) {
  Payload out(size);
  uint32_t x = seed * 2654435761u + 1;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  return out;
}

// Hands out `wire` in pieces of 1..max_piece bytes (never more than asked for), then reports the end.
// seed 0: always max_piece bytes.
class PieceSource : public ByteSource {
 public:
  PieceSource(std::vector<uint8_t> wire, size_t max_piece, uint32_t seed, size_t* reads = nullptr)
      : wire_(std::move(wire)),
        max_piece_(max_piece),
        min_piece_(seed == 0 ? max_piece : 1),
        random_(seed),
        reads_(reads) {}

  Result<size_t> read_some(uint8_t* out, size_t capacity) override {
    REQUIRE(capacity > 0);
    if (reads_ != nullptr) ++*reads_;
    const size_t piece = std::uniform_int_distribution<size_t>(min_piece_, max_piece_)(random_);
    const size_t n = std::min({piece, capacity, wire_.size() - at_});
    if (n > 0) std::memcpy(out, wire_.data() + at_, n);  // an empty wire has no data() to copy from
    at_ += n;
    return n;
  }
  Result<bool> wait_readable(std::chrono::milliseconds) override { return readable_; }

  bool readable_ = false;

 private:
  std::vector<uint8_t> wire_;
  size_t at_ = 0;
  size_t max_piece_;
  size_t min_piece_;
  std::mt19937 random_;
  size_t* reads_;
};

void check_reads_back(const std::vector<Payload>& payloads, size_t buffer_size, size_t max_piece,
                      std::mt19937& random) {
  auto source = std::make_unique<PieceSource>(frame(payloads, random), max_piece, random() | 1);
  PacketReader reader(std::move(source), size_t{1} << 30, buffer_size);
  for (size_t i = 0; i < payloads.size(); ++i) {
    INFO("packet " << i << " of " << payloads.size() << ", " << payloads[i].size() << " bytes, buffer "
                   << buffer_size << ", pieces up to " << max_piece);
    auto packet = reader.next();
    REQUIRE(packet.ok());
    REQUIRE(packet->size() == payloads[i].size());
    REQUIRE(std::equal(packet->begin(), packet->end(), payloads[i].begin()));
  }
  auto end = reader.next();
  REQUIRE_FALSE(end.ok());
  CHECK(end.error().code == ErrorCode::kNetwork);
  CHECK(end.error().message == "the server closed the connection");
}

TEST_CASE("packet reader: packets cut at random points come back whole", "[net][packet]") {
  std::mt19937 random(20261207);
  for (int round = 0; round < 300; ++round) {
    const size_t buffer_size = std::uniform_int_distribution<size_t>(4, 3000)(random);
    const size_t max_piece = std::uniform_int_distribution<size_t>(1, 2 * buffer_size)(random);
    std::vector<Payload> payloads;
    const int count = std::uniform_int_distribution<int>(1, 60)(random);
    for (int i = 0; i < count; ++i) {
      // Mostly small packets, some around the buffer's size and some larger than it.
      const int kind = std::uniform_int_distribution<int>(0, 9)(random);
      size_t size = 0;
      if (kind < 6) {
        size = std::uniform_int_distribution<size_t>(0, 200)(random);
      } else if (kind < 9) {
        size = std::uniform_int_distribution<size_t>(buffer_size > 8 ? buffer_size - 8 : 0,
                                                     buffer_size + 4)(random);
      } else {
        size = std::uniform_int_distribution<size_t>(buffer_size, 4 * buffer_size)(random);
      }
      payloads.push_back(pattern(size, static_cast<uint32_t>(random())));
    }
    check_reads_back(payloads, buffer_size, max_piece, random);
  }
}

TEST_CASE("packet reader: payloads of 0xFFFFFF bytes and more are joined from their pieces",
          "[net][packet]") {
  std::mt19937 random(16);
  const std::vector<Payload> payloads = {
      pattern(10, 1),
      pattern(kMaxPacketPieceLength, 2),  // one full piece and an empty one
      pattern(3, 3),
      pattern(kMaxPacketPieceLength + 1, 4),
      pattern(2 * kMaxPacketPieceLength + 7, 5),
      pattern(kMaxPacketPieceLength - 1, 6),  // one piece, larger than the buffer
      pattern(0, 7),
  };
  check_reads_back(payloads, PacketReader::kDefaultBufferSize, 3 << 20, random);
  check_reads_back(payloads, 4096, 100000, random);
}

TEST_CASE("packet reader: small packets are read a buffer at a time", "[net][packet]") {
  std::mt19937 random(3);
  std::vector<Payload> payloads;
  for (int i = 0; i < 1000; ++i) payloads.push_back(pattern(100 + i % 50, static_cast<uint32_t>(i)));
  size_t reads = 0;
  auto source = std::make_unique<PieceSource>(frame(payloads, random), size_t{1} << 30, 0, &reads);
  PacketReader reader(std::move(source), size_t{1} << 30);
  for (const Payload& payload : payloads) {
    auto packet = reader.next();
    REQUIRE(packet.ok());
    REQUIRE(std::equal(packet->begin(), packet->end(), payload.begin(), payload.end()));
  }
  CHECK(reads == 1);
}

TEST_CASE("packet reader: a connection closed inside a packet is kNetwork saying so", "[net][packet]") {
  std::mt19937 random(5);
  const std::vector<Payload> payloads = {pattern(10, 1), pattern(0, 2), pattern(300, 3), pattern(70, 4)};
  const std::vector<uint8_t> wire = frame(payloads, random);
  std::vector<size_t> boundaries = {0};
  for (const Payload& p : payloads) boundaries.push_back(boundaries.back() + kPacketHeaderSize + p.size());
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    INFO("stream cut after " << cut << " bytes");
    const size_t buffer_size = 64 + cut % 7;
    auto source = std::make_unique<PieceSource>(std::vector<uint8_t>(wire.begin(), wire.begin() + cut),
                                                1 + cut % 13, static_cast<uint32_t>(cut) + 1);
    PacketReader reader(std::move(source), size_t{1} << 30, buffer_size);
    size_t whole = 0;
    while (boundaries[whole + 1] <= cut) {
      auto packet = reader.next();
      REQUIRE(packet.ok());
      REQUIRE(std::equal(packet->begin(), packet->end(), payloads[whole].begin(), payloads[whole].end()));
      ++whole;
    }
    auto lost = reader.next();
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == ErrorCode::kNetwork);
    if (cut == boundaries[whole]) {
      CHECK(lost.error().message == "the server closed the connection");
    } else if (cut - boundaries[whole] < kPacketHeaderSize) {
      CHECK(lost.error().message ==
            fmt::format("the server closed the connection inside a packet header ({} of "
                        "its 4 bytes arrived)",
                        cut - boundaries[whole]));
    } else {
      CHECK(lost.error().message ==
            fmt::format("the server closed the connection inside a packet ({} of its {} "
                        "bytes arrived)",
                        cut - boundaries[whole] - kPacketHeaderSize, payloads[whole].size()));
    }
  }
}

TEST_CASE("packet reader: a connection closed between the pieces of a large payload", "[net][packet]") {
  std::mt19937 random(6);
  const std::vector<uint8_t> wire = frame({pattern(kMaxPacketPieceLength + 100, 1)}, random);
  const size_t second_piece = kPacketHeaderSize + kMaxPacketPieceLength;
  for (size_t cut :
       {size_t{2}, size_t{1000}, second_piece - 1, second_piece, second_piece + 2, second_piece + 50}) {
    INFO("stream cut after " << cut << " bytes");
    auto source = std::make_unique<PieceSource>(
        std::vector<uint8_t>(wire.begin(), wire.begin() + static_cast<ptrdiff_t>(cut)), size_t{1} << 20,
        static_cast<uint32_t>(cut) + 1);
    PacketReader reader(std::move(source), size_t{1} << 30, 4096);
    auto lost = reader.next();
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == ErrorCode::kNetwork);
    CHECK_THAT(lost.error().message, Catch::StartsWith("the server closed the connection inside a packet"));
  }
}

TEST_CASE("packet reader: payloads of max_payload bytes or more are kUnsupported", "[net][packet]") {
  std::mt19937 random(7);
  {
    PacketReader reader(
        std::make_unique<PieceSource>(frame({pattern(99, 1), pattern(100, 2)}, random), 50, 1), 100, 64);
    REQUIRE(reader.next().ok());
    auto refused = reader.next();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kUnsupported);
  }
  {
    // The limit counts the joined payload, not one piece.
    PacketReader reader(
        std::make_unique<PieceSource>(frame({pattern(kMaxPacketPieceLength + 10, 1)}, random), 1 << 20, 1),
        kMaxPacketPieceLength + 10, 4096);
    auto refused = reader.next();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::kUnsupported);
  }
}

TEST_CASE("packet reader: the pieces of one payload must number on", "[net][packet]") {
  std::mt19937 random(8);
  std::vector<uint8_t> wire = frame({pattern(kMaxPacketPieceLength + 10, 1)}, random);
  wire[kPacketHeaderSize + kMaxPacketPieceLength + 3] += 2;  // the second piece's sequence id
  PacketReader reader(std::make_unique<PieceSource>(std::move(wire), 1 << 20, 1), size_t{1} << 30);
  auto refused = reader.next();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kCorrupt);
}

TEST_CASE("packet reader: wait_readable answers from the buffer before asking the source", "[net][packet]") {
  std::mt19937 random(9);
  // One read brings the first two packets and half of the third.
  const std::vector<uint8_t> wire = frame({pattern(10, 1), pattern(20, 2), pattern(40, 3)}, random);
  auto source = std::make_unique<PieceSource>(wire, 2 * kPacketHeaderSize + 30 + kPacketHeaderSize + 18, 0);
  PieceSource& s = *source;
  PacketReader reader(std::move(source), size_t{1} << 30, 4096);
  auto first = reader.next();
  REQUIRE(first.ok());
  REQUIRE(first->size() == 10);
  s.readable_ = false;
  auto buffered = reader.wait_readable(std::chrono::milliseconds(0));
  REQUIRE(buffered.ok());
  CHECK(*buffered);  // the second packet is in the buffer
  auto second = reader.next();
  REQUIRE(second.ok());
  CHECK(second->size() == 20);
  auto partial = reader.wait_readable(std::chrono::milliseconds(0));
  REQUIRE(partial.ok());
  CHECK_FALSE(*partial);  // half a packet: up to the source
  s.readable_ = true;
  CHECK(*reader.wait_readable(std::chrono::milliseconds(0)));
  auto third = reader.next();
  REQUIRE(third.ok());
  CHECK(third->size() == 40);
}

}  // namespace
}  // namespace mzl::net
