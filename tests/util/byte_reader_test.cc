#include <catch2/catch.hpp>

#include <vector>

#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/crc32.h"
#include "mzl/util/result.h"

using namespace mzl;

TEST_CASE("ByteReader reads little- and big-endian integers") {
  const std::vector<uint8_t> data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xFF};
  ByteReader r{Bytes(data)};
  CHECK(r.u16le() == 0x0201);
  CHECK(r.u24le() == 0x050403);
  CHECK(r.uint_be(3) == 0x060708);
  CHECK(r.int_le(1) == -1);
  CHECK(r.ok());
  CHECK(r.empty());
}

// uint_le/uint_be take one 8-byte load while 8 bytes remain and a byte loop in the last 7: read every width
// at every position of a buffer, so both paths are checked against integers assembled byte by byte.
TEST_CASE("ByteReader integers equal byte-by-byte assembly at every width and position") {
  std::vector<uint8_t> data(24);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(0x91 + 37 * i);
  for (size_t n = 1; n <= 8; ++n) {
    for (size_t at = 0; at + n <= data.size(); ++at) {
      uint64_t le = 0, be = 0;
      for (size_t i = 0; i < n; ++i) {
        le |= static_cast<uint64_t>(data[at + i]) << (8 * i);
        be = (be << 8) | data[at + i];
      }
      ByteReader r{Bytes(data)};
      r.skip(at);
      ByteReader r2 = r;
      CHECK(r.uint_le(n) == le);
      CHECK(r2.uint_be(n) == be);
      CHECK(r.position() == at + n);
      CHECK(r2.position() == at + n);
      CHECK(r.ok());
      CHECK(r2.ok());
      const uint64_t sign = uint64_t{1} << (8 * n - 1);
      ByteReader r3{Bytes(data)};
      r3.skip(at);
      CHECK(r3.int_le(n) == (n == 8 ? static_cast<int64_t>(le) : static_cast<int64_t>((le ^ sign) - sign)));
    }
    ByteReader past{Bytes(data).first(n - 1)};
    CHECK(past.uint_le(n) == 0);
    CHECK(past.failed());
    CHECK(past.position() == 0);
  }
  ByteReader r{Bytes(data)};
  CHECK(r.u16le() == (data[0] | data[1] << 8));
  CHECK(r.u32le() == (data[2] | data[3] << 8 | data[4] << 16 | static_cast<uint32_t>(data[5]) << 24));
  uint64_t u64 = 0;
  for (size_t i = 0; i < 8; ++i) u64 |= static_cast<uint64_t>(data[6 + i]) << (8 * i);
  CHECK(r.u64le() == u64);
  CHECK(r.position() == 14);
  CHECK(r.ok());
}

TEST_CASE("ByteReader fails sticky instead of reading past the end") {
  const std::vector<uint8_t> data = {0x01, 0x02, 0x03};
  ByteReader r{Bytes(data)};
  CHECK(r.u32le() == 0);
  CHECK(r.failed());
  CHECK(r.u8() == 0);  // still failed: nothing is read after a failure
  CHECK(r.remaining() == 0);
  CHECK(r.bytes(1).empty());
}

TEST_CASE("ByteReader packed integers round-trip through ByteWriter") {
  for (uint64_t v : {0ull, 250ull, 251ull, 65535ull, 65536ull, 16777215ull, 16777216ull, ~0ull}) {
    ByteWriter w;
    w.packed_uint(v);
    auto buf = w.take();
    ByteReader r{Bytes(buf)};
    CHECK(r.packed_uint() == v);
    CHECK(r.ok());
    CHECK(r.empty());
  }
}

TEST_CASE("ByteReader cstring needs a terminator") {
  const std::vector<uint8_t> with = {'a', 'b', 0, 'c'};
  ByteReader r{Bytes(with)};
  CHECK(r.cstring() == "ab");
  CHECK(r.remaining() == 1);
  const std::vector<uint8_t> without = {'a', 'b'};
  ByteReader r2{Bytes(without)};
  CHECK(r2.cstring().empty());
  CHECK(r2.failed());
}

TEST_CASE("crc32 matches the standard check value") {
  const std::string s = "123456789";
  CHECK(crc32(Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size())) == 0xCBF43926u);
}

TEST_CASE("Error renders where, offset and message") {
  Error e(ErrorCode::kCorrupt, "event_size 3 is smaller than the 19-byte header");
  e.at("mysql-bin.000001", 120);
  CHECK(e.to_string() == "mysql-bin.000001:offset 120: event_size 3 is smaller than the 19-byte header");
  CHECK(exit_code_for(e) == kExitProblem);
}

// Lengths 0-600 cover every path of crc32(): the tables alone (< 16 bytes), one carry-less lane (16-63),
// four lanes (>= 64), and each of them followed by a table tail of 0-15 bytes.
TEST_CASE("crc32 with carry-less multiplication equals zlib's for every length and alignment") {
  std::vector<uint8_t> data(4096 + 64);
  uint32_t seed = 12345;
  for (auto& b : data) {
    seed = seed * 1103515245u + 12345u;
    b = static_cast<uint8_t>(seed >> 16);
  }
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t len = 0; len <= 600; ++len) {
      const auto span = Bytes(data.data() + offset, len);
      REQUIRE(crc32(span) == crc32_portable(span));
      REQUIRE(crc32(span, 0xDEADBEEF) == crc32_portable(span, 0xDEADBEEF));
      REQUIRE(crc32_tables(span) == crc32_portable(span));
      REQUIRE(crc32_tables(span, 0xDEADBEEF) == crc32_portable(span, 0xDEADBEEF));
    }
  }
  const auto all = Bytes(data);
  CHECK(crc32(all) == crc32_portable(all));
  // Continuation: crc32(a + b) == crc32(b, crc32(a)).
  CHECK(crc32(all.subspan(1000), crc32(all.first(1000))) == crc32(all));
}
