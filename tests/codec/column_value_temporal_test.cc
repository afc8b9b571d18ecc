// Temporal and scalar column images, built by hand from the storage formats (MySQL sql-common/my_time.cc
// my_datetime_packed_to_binary / my_time_packed_to_binary / my_timestamp_to_binary, sql/field.cc).
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "mzl/codec/column_type.h"
#include "mzl/codec/column_value.h"
#include "mzl/codec/column_value_render.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

ColumnInfo column(ColumnType type, uint16_t metadata = 0) {
  ColumnInfo c;
  c.type = c.real_type = code(type);
  c.metadata = metadata;
  return c;
}

ColumnValue decode(const std::vector<uint8_t>& bytes, const ColumnInfo& c) {
  ByteReader in(bytes);
  auto v = decode_column_value(in, c);
  INFO((v.ok() ? std::string() : v.error().to_string()));
  REQUIRE(v.ok());
  CHECK(in.empty());
  return *v;
}

std::string json(const ColumnValue& v) {
  std::string out;
  append_json(v, out);
  return out;
}

void put_be(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// The server's packed forms (my_time.h): (int_part << 24) + microseconds, negated for negative values.
int64_t packed_datetime(int y, int mo, int d, int h, int mi, int s, int us) {
  const int64_t ymd = ((int64_t{y} * 13 + mo) << 5) | d;
  const int64_t hms = (h << 12) | (mi << 6) | s;
  return (((ymd << 17) | hms) << 24) + us;
}
int64_t packed_time(bool neg, int h, int mi, int s, int us) {
  const int64_t v = ((int64_t{(h << 12) | (mi << 6) | s}) << 24) + us;
  return neg ? -v : v;
}

// my_datetime_packed_to_binary
std::vector<uint8_t> datetime2(int64_t packed, int dec) {
  std::vector<uint8_t> out;
  put_be(out, static_cast<uint64_t>((packed >> 24) + 0x8000000000), 5);
  const int64_t frac = packed % (1 << 24);
  if (dec == 1 || dec == 2) put_be(out, static_cast<uint64_t>(frac / 10000), 1);
  if (dec == 3 || dec == 4) put_be(out, static_cast<uint64_t>(frac / 100), 2);
  if (dec == 5 || dec == 6) put_be(out, static_cast<uint64_t>(frac), 3);
  return out;
}

// my_time_packed_to_binary (C division truncates toward zero; >> is arithmetic).
std::vector<uint8_t> time2(int64_t packed, int dec) {
  std::vector<uint8_t> out;
  if (dec >= 5) {
    put_be(out, static_cast<uint64_t>(packed + 0x800000000000), 6);
    return out;
  }
  put_be(out, static_cast<uint64_t>((packed >> 24) + 0x800000), 3);
  const int64_t frac = packed % (int64_t{1} << 24);
  if (dec == 1 || dec == 2) out.push_back(static_cast<uint8_t>(static_cast<int8_t>(frac / 10000)));
  if (dec == 3 || dec == 4) put_be(out, static_cast<uint16_t>(static_cast<int16_t>(frac / 100)), 2);
  return out;
}

}  // namespace

TEST_CASE("column_value: DATETIME2 with every precision") {
  const DateTimeValue expected_base{2024, 2, 29, 13, 45, 30, 0, 0};
  const uint32_t micros[7] = {0, 100000, 120000, 123000, 123400, 123450, 123456};
  for (int dec = 0; dec <= 6; ++dec) {
    // The server stores only `dec` digits: truncate the microseconds the same way.
    const int64_t stored = packed_datetime(2024, 2, 29, 13, 45, 30, micros[dec]);
    auto v = std::get<DateTimeValue>(decode(datetime2(stored, dec), column(ColumnType::kDateTime2, dec)));
    DateTimeValue expected = expected_base;
    expected.microseconds = micros[dec];
    expected.precision = static_cast<uint8_t>(dec);
    CHECK(v == expected);
  }
  auto v = decode(datetime2(packed_datetime(2024, 2, 29, 13, 45, 30, 120000), 3),
                  column(ColumnType::kDateTime2, 3));
  CHECK(json(v) == "\"2024-02-29 13:45:30.120\"");
  v = decode(datetime2(packed_datetime(1000, 1, 1, 0, 0, 0, 0), 0), column(ColumnType::kDateTime2, 0));
  CHECK(json(v) == "\"1000-01-01 00:00:00\"");
  v = decode(datetime2(0, 0), column(ColumnType::kDateTime2, 0));
  CHECK(json(v) == "\"0000-00-00 00:00:00\"");
}

TEST_CASE("column_value: TIME2 positive and negative with fractions") {
  struct Case {
    bool neg;
    int h, m, s, us, dec;
    const char* text;
  };
  const Case cases[] = {
      {false, 0, 0, 0, 0, 0, "\"00:00:00\""},
      {true, 0, 0, 1, 0, 0, "\"-00:00:01\""},
      {true, 507, 48, 27, 0, 0, "\"-507:48:27\""},
      {false, 838, 59, 59, 0, 0, "\"838:59:59\""},
      {true, 838, 59, 59, 0, 0, "\"-838:59:59\""},
      {true, 0, 0, 0, 500000, 1, "\"-00:00:00.5\""},
      {true, 1, 0, 0, 250000, 2, "\"-01:00:00.25\""},
      {false, 12, 34, 56, 789000, 3, "\"12:34:56.789\""},
      {true, 12, 34, 56, 789000, 4, "\"-12:34:56.7890\""},
      {true, 0, 0, 0, 10, 5, "\"-00:00:00.00001\""},
      {false, 838, 59, 58, 999999, 6, "\"838:59:58.999999\""},
      {true, 838, 59, 58, 999999, 6, "\"-838:59:58.999999\""},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto v = decode(time2(packed_time(c.neg, c.h, c.m, c.s, c.us), c.dec), column(ColumnType::kTime2, c.dec));
    const auto& t = std::get<TimeValue>(v);
    CHECK(t.negative == c.neg);
    CHECK(t.hours == static_cast<uint32_t>(c.h));
    CHECK(t.minutes == c.m);
    CHECK(t.seconds == c.s);
    CHECK(t.microseconds == static_cast<uint32_t>(c.us));
    CHECK(json(v) == c.text);
  }
}

TEST_CASE("column_value: TIMESTAMP2 and TIMESTAMP") {
  std::vector<uint8_t> b;
  put_be(b, 1700000000, 4);
  b.push_back(12);  // fsp 2: hundredths
  auto v = decode(b, column(ColumnType::kTimestamp2, 2));
  CHECK(std::get<TimestampValue>(v) == TimestampValue{1700000000, 120000, 2});
  CHECK(json(v) == "\"2023-11-14T22:13:20.12Z\"");
  b.clear();
  put_be(b, 86400 * 365, 4);
  put_be(b, 123456, 3);
  v = decode(b, column(ColumnType::kTimestamp2, 6));
  CHECK(json(v) == "\"1971-01-01T00:00:00.123456Z\"");
  v = decode({0x00, 0x00, 0x00, 0x00}, column(ColumnType::kTimestamp2, 0));
  CHECK(json(v) == "\"0000-00-00 00:00:00\"");
  v = decode({0x49, 0x1B, 0xF2, 0x43}, column(ColumnType::kTimestamp));  // little-endian 0x43F21B49
  CHECK(std::get<TimestampValue>(v).seconds == 0x43F21B49);
}

TEST_CASE("column_value: old DATE, TIME, DATETIME and YEAR") {
  const uint32_t date = (2024u << 9) | (2u << 5) | 29u;
  auto v = decode({uint8_t(date), uint8_t(date >> 8), uint8_t(date >> 16)}, column(ColumnType::kDate));
  CHECK(std::get<DateValue>(v) == DateValue{2024, 2, 29});
  CHECK(json(v) == "\"2024-02-29\"");
  const int32_t t = -8385959;  // -838:59:59 as HHMMSS
  const uint32_t tu = static_cast<uint32_t>(t);
  v = decode({uint8_t(tu), uint8_t(tu >> 8), uint8_t(tu >> 16)}, column(ColumnType::kTime));
  CHECK(json(v) == "\"-838:59:59\"");
  const uint64_t dt = 20240229134530ull;
  std::vector<uint8_t> b;
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(dt >> (8 * i)));
  v = decode(b, column(ColumnType::kDateTime));
  CHECK(json(v) == "\"2024-02-29 13:45:30\"");
  CHECK(std::get<YearValue>(decode({124}, column(ColumnType::kYear))).year == 2024);
  CHECK(std::get<YearValue>(decode({0}, column(ColumnType::kYear))).year == 0);
}

TEST_CASE("column_value: integers, signedness and floats") {
  auto v = decode({0xFF}, column(ColumnType::kTiny));
  CHECK(std::get<IntValue>(v).signed_value == -1);
  CHECK(std::get<IntValue>(v).unsigned_value == 255);
  CHECK(json(v) == "-1");  // signedness unknown: signed, like mariadb-binlog
  ColumnInfo u = column(ColumnType::kInt24);
  u.is_unsigned = true;
  v = decode({0xFF, 0xFF, 0xFF}, u);
  CHECK(json(v) == "16777215");
  CHECK(std::get<IntValue>(v).signed_value == -1);
  v = decode({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80}, column(ColumnType::kLongLong));
  CHECK(json(v) == "-9223372036854775808");
  u = column(ColumnType::kLongLong);
  u.is_unsigned = true;
  v = decode({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, u);
  CHECK(json(v) == "18446744073709551615");
  v = decode({0x00, 0x00, 0xC0, 0x3F}, column(ColumnType::kFloat, 4));
  CHECK(json(v) == "1.5");
  v = decode({0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F}, column(ColumnType::kDouble, 8));
  CHECK(json(v) == "0.1");
}

TEST_CASE("column_value: strings, enum, set, bit, geometry") {
  ColumnInfo c = column(ColumnType::kVarchar, 300);  // > 255: 2-byte length
  c.charset = 255;
  auto v = decode({0x03, 0x00, 'a', 'b', 'c'}, c);
  CHECK(std::get<StringValue>(v) == StringValue{{'a', 'b', 'c'}, 255});
  CHECK(json(v) == "\"abc\"");
  v = decode({0x02, 0xFF, 0x00}, column(ColumnType::kVarchar, 20));
  CHECK(json(v) == "{\"base64\":\"/wA=\"}");
  // CHAR(512) utf8mb4: STRING metadata 0xDE00 means 2048 bytes > 255: 2-byte length.
  v = decode({0x01, 0x00, 'x'}, column(ColumnType::kString, 0xDE00));
  CHECK(json(v) == "\"x\"");
  v = decode({0x02, 0x00, 0x00, 'h', 'i'}, column(ColumnType::kBlob, 3));
  CHECK(json(v) == "\"hi\"");

  ColumnInfo e = column(ColumnType::kString, 0xF701);
  e.real_type = real_column_type(e.type, e.metadata);
  std::vector<std::string> names = {"a", "b"};
  e.enum_or_set_names = &names;
  v = decode({0x02}, e);
  CHECK(json(v) == "\"b\"");
  ColumnInfo s = column(ColumnType::kString, 0xF801);
  s.real_type = real_column_type(s.type, s.metadata);
  CHECK(json(decode({0x03}, s)) == "3");
  s.enum_or_set_names = &names;
  CHECK(json(decode({0x03}, s)) == "[\"a\",\"b\"]");

  // BIT(10): metadata bits%8=2, bytes=1 -> 2 bytes.
  v = decode({0x02, 0x01}, column(ColumnType::kBit, (1 << 8) | 2));
  CHECK(std::get<BitValue>(v).bits == 10);
  CHECK(std::get<BitValue>(v).as_uint() == 0x201);
  CHECK(json(v) == "513");

  std::vector<uint8_t> g = {0x19, 0x00, 0x00, 0x00, 0xE6, 0x10, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00};
  g.resize(g.size() + 16, 0);  // POINT(0 0)
  v = decode(g, column(ColumnType::kGeometry, 4));
  CHECK(std::get<GeometryValue>(v).srid == 4326);
  CHECK(std::get<GeometryValue>(v).wkb.size() == 21);
}

TEST_CASE("column_value: unknown and unreadable types are kUnsupported, naming the type") {
  std::vector<uint8_t> b = {0x00};
  ByteReader in(b);
  auto v = decode_column_value(in, column(ColumnType::kDecimal));
  REQUIRE(!v.ok());
  CHECK(v.error().code == ErrorCode::kUnsupported);
  CHECK(v.error().message.find("DECIMAL") != std::string::npos);
  ColumnInfo odd;
  odd.type = odd.real_type = 99;
  ByteReader in2(b);
  v = decode_column_value(in2, odd);
  REQUIRE(!v.ok());
  CHECK(v.error().message.find("99") != std::string::npos);
}
