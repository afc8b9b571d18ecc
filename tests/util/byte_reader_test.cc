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
    }
  }
  const auto all = Bytes(data);
  CHECK(crc32(all) == crc32_portable(all));
  // Continuation: crc32(a + b) == crc32(b, crc32(a)).
  CHECK(crc32(all.subspan(1000), crc32(all.first(1000))) == crc32(all));
}
