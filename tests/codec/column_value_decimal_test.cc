// NEWDECIMAL binary format (MySQL strings/decimal.cc decimal2bin): hand-built images and an independent
// encoder written from the format description, swept over every precision and scale.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "mzl/codec/column_value.h"
#include "mzl/codec/column_value_render.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

Result<std::string> decode(std::vector<uint8_t> bytes, uint8_t precision, uint8_t scale) {
  ByteReader in(bytes);
  auto r = decode_decimal(in, precision, scale);
  if (r.ok()) REQUIRE(in.empty());
  return r;
}

std::string ok(std::vector<uint8_t> bytes, uint8_t precision, uint8_t scale) {
  auto r = decode(std::move(bytes), precision, scale);
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return *r;
}

// decimal2bin from its description: digits in groups of 9 (4 bytes), the leading/trailing partial group in
// dig2bytes[n] bytes, big-endian, sign bit flipped, negative values bit-inverted.
std::vector<uint8_t> encode(bool negative, const std::string& int_digits, const std::string& frac_digits,
                            int precision, int scale) {
  static const int kDigBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  const int intg = precision - scale;
  std::string ip = std::string(intg - int_digits.size(), '0') + int_digits;
  std::string fp = frac_digits + std::string(scale - frac_digits.size(), '0');
  std::vector<uint8_t> out;
  auto put = [&](const std::string& digits, int bytes) {
    uint64_t v = digits.empty() ? 0 : std::stoull(digits);
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  size_t pos = 0;
  if (intg % 9) {
    put(ip.substr(0, intg % 9), kDigBytes[intg % 9]);
    pos = intg % 9;
  }
  for (; pos < ip.size(); pos += 9) put(ip.substr(pos, 9), 4);
  for (pos = 0; pos + 9 <= fp.size(); pos += 9) put(fp.substr(pos, 9), 4);
  if (scale % 9) put(fp.substr(pos), kDigBytes[scale % 9]);
  out[0] ^= 0x80;
  if (negative)
    for (auto& b : out) b ^= 0xFF;
  return out;
}

}  // namespace

TEST_CASE("column_value: decimal2bin example from strings/decimal.cc") {
  // "1234567890.1234" as DECIMAL(14,4) is 81 0D FB 38 D2 04 D2 (the comment above decimal2bin).
  CHECK(ok({0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2}, 14, 4) == "1234567890.1234");
  CHECK(ok({0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D}, 14, 4) == "-1234567890.1234");
  CHECK(decimal_binary_size(14, 4) == 7);
}

TEST_CASE("column_value: decimal edges") {
  CHECK(ok({0x80}, 1, 0) == "0");
  CHECK(ok({0x89}, 1, 0) == "9");
  CHECK(ok({0x76}, 1, 0) == "-9");
  CHECK(ok({0x80, 0x05}, 2, 1) == "0.5");
  CHECK(ok({0x7F, 0xFA}, 2, 1) == "-0.5");
  CHECK(ok({0x80, 0x30, 0x39}, 5, 5) == "0.12345");
  CHECK(ok({0x80, 0x00, 0x00, 0x00}, 9, 0) == "0");
  CHECK(ok({0xBB, 0x9A, 0xC9, 0xFF}, 9, 0) == "999999999");
  CHECK(ok({0x80, 0x00, 0x00, 0x00, 0x00}, 10, 2) == "0.00");
  CHECK(decimal_binary_size(65, 30) == 30);
  CHECK(decimal_binary_size(10, 0) == 5);
  CHECK(decimal_binary_size(18, 9) == 8);
}

TEST_CASE("column_value: decimal rejects bad precision, digits and short input") {
  CHECK(!decode({0x80}, 0, 0).ok());
  CHECK(!decode({0x80}, 1, 2).ok());
  CHECK(!decode(std::vector<uint8_t>(40, 0x80), 66, 0).ok());
  CHECK(!decode({0x80, 0x00, 0x00, 0x00}, 10, 0).ok());  // needs 5 bytes
  CHECK(!decode({}, 1, 0).ok());
  // 1000000000 in a 9-digit group is not a digit group.
  CHECK(!decode({0xBB, 0x9A, 0xCA, 0x00}, 9, 0).ok());
  // 100 in a 2-digit (1-byte) group.
  CHECK(!decode({0x80 ^ 100}, 2, 0).ok());
  auto err = decode({0x80, 0x00}, 10, 0);
  REQUIRE(!err.ok());
  CHECK(err.error().code == ErrorCode::kCorrupt);
}

TEST_CASE("column_value: decimal every precision and scale") {
  std::mt19937 rng(20260101);
  for (int precision = 1; precision <= 65; ++precision) {
    for (int scale = 0; scale <= std::min(precision, 30); ++scale) {
      const int intg = precision - scale;
      for (int trial = 0; trial < 4; ++trial) {
        std::string ip, fp;
        for (int i = 0; i < intg; ++i) ip += static_cast<char>('0' + rng() % 10);
        for (int i = 0; i < scale; ++i) fp += static_cast<char>('0' + rng() % 10);
        if (trial == 0) ip = std::string(intg, '9'), fp = std::string(scale, '9');  // the largest value
        if (trial == 1) ip = std::string(intg, '0'), fp = std::string(scale, '0');  // zero
        const bool negative = trial >= 2 && (rng() & 1);
        auto bytes = encode(negative, ip, fp, precision, scale);
        REQUIRE(bytes.size() == decimal_binary_size(precision, scale));
        std::string int_part = ip.substr(std::min(ip.find_first_not_of('0'), ip.size()));
        if (int_part.empty()) int_part = "0";
        std::string expected = (negative ? "-" : "") + int_part + (scale ? "." + fp : "");
        INFO("DECIMAL(" << precision << "," << scale << ")");
        CHECK(ok(bytes, static_cast<uint8_t>(precision), static_cast<uint8_t>(scale)) == expected);
      }
    }
  }
}

TEST_CASE("column_value: NEWDECIMAL column value and JSON") {
  ColumnInfo c;
  c.type = c.real_type = 246;
  c.metadata = (14 << 8) | 4;
  std::vector<uint8_t> bytes = {0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D};
  ByteReader in(bytes);
  auto v = decode_column_value(in, c);
  REQUIRE(v.ok());
  CHECK(std::get<DecimalValue>(*v) == DecimalValue{"-1234567890.1234", 14, 4});
  std::string json;
  append_json(*v, json);
  CHECK(json == "\"-1234567890.1234\"");
}
