// Maxwell lines (maxwell_json.h) from hand-built table maps and rows events. Every expected line is written
// from Maxwell's documentation (https://maxwells-daemon.io/dataformat/ and /config/: key order, xid, commit,
// xoffset, old, the value formats) and, where it is silent, from what its code does (see maxwell_json.h).
#include <catch2/catch.hpp>

#include <cstring>

#include "mzl/codec/geometry_wkt.h"
#include "mzl/codec/maxwell_json.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

struct Column {
  uint8_t type;
  uint16_t metadata;
  std::string name;
};

TableMapEvent make_table(const std::string& db, const std::string& name, const std::vector<Column>& columns) {
  TableMapEvent t;
  t.table_id = 1;
  t.database = db;
  t.table = name;
  for (const auto& c : columns) {
    t.column_types.push_back(c.type);
    t.column_metadata.push_back(c.metadata);
    t.optional.column_names.push_back(c.name);
  }
  t.null_bitmap.assign((columns.size() + 7) / 8, 0xFF);
  return t;
}

// The bytes of a row image or a whole rows event, built field by field.
struct Bytes_ {
  std::vector<uint8_t> b;
  Bytes_& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes_& be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes_& raw(std::initializer_list<uint8_t> v) {
    b.insert(b.end(), v);
    return *this;
  }
  Bytes_& str(std::string_view s, int length_bytes = 1) {
    le(s.size(), length_bytes);
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes_& f64(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    return le(bits, 8);
  }
  Bytes_& f32(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return le(bits, 4);
  }
};

constexpr uint8_t kWriteV2 = 30, kUpdateV2 = 31, kDeleteV2 = 32;

RowsEvent make_rows(uint8_t type_code, size_t columns, const std::vector<uint8_t>& images) {
  RowsEvent r;
  r.type_code = type_code;
  r.table_id = 1;
  r.has_extra_data = true;
  r.column_count = columns;
  r.columns_before.assign((columns + 7) / 8, 0xFF);
  if (type_code == kUpdateV2) r.columns_after = r.columns_before;
  r.rows = images;
  return r;
}

std::string render(const RowsEvent& rows, const TableMapEvent& table, uint32_t ts, bool last,
                   MaxwellTransaction& tx) {
  std::string out;
  const Status s = append_maxwell_rows(out, rows, table, ts, last, tx);
  INFO((s.ok() ? std::string() : s.error().to_string()));
  REQUIRE(s.ok());
  return out;
}

// test.e of the documentation: id int, m double, c timestamp(6), comment varchar(255) charset latin1.
TableMapEvent doc_table() {
  TableMapEvent t = make_table("test", "e", {{3, 0, "id"}, {5, 8, "m"}, {17, 6, "c"}, {15, 255, "comment"}});
  t.optional.signedness = {false, false};
  t.optional.column_charsets = {8};  // latin1_swedish_ci
  return t;
}

// One image of test.e: c is a TIMESTAMP(6) of 2016-10-21 05:33:<second>.<micros> UTC.
std::vector<uint8_t> doc_image(double m, uint32_t second, uint32_t micros) {
  Bytes_ row;
  row.raw({0x00}).le(1, 4).f64(m).be(1477027980 + second, 4).be(micros, 3).str("I am a creature of light.");
  return row.b;
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("maxwell: the documentation's insert, update and delete") {
  // The documentation's server ran in UTC-7 and an older Maxwell rendered TIMESTAMP in local time; Maxwell
  // now renders it in UTC (DateFormatter), so the column holds 05:33:37 UTC here.
  const TableMapEvent table = doc_table();
  MaxwellTransaction tx{23396};
  CHECK(
      render(make_rows(kWriteV2, 4, doc_image(4.2341, 37, 523000)), table, 1477053217, true, tx) ==
      R"({"database":"test","table":"e","type":"insert","ts":1477053217,"xid":23396,"commit":true,)"
      R"("data":{"id":1,"m":4.2341,"c":"2016-10-21 05:33:37.523000","comment":"I am a creature of light."}})"
      "\n");

  tx = MaxwellTransaction{23397};
  const auto update = concat(doc_image(4.2341, 37, 523000), doc_image(5.444, 54, 631000));
  CHECK(render(make_rows(kUpdateV2, 4, update), table, 1477053234, true, tx) ==
        R"({"database":"test","table":"e","type":"update","ts":1477053234,"xid":23397,"commit":true,)"
        R"("data":{"id":1,"m":5.444,"c":"2016-10-21 05:33:54.631000","comment":"I am a creature of light."},)"
        R"("old":{"m":4.2341,"c":"2016-10-21 05:33:37.523000"}})"
        "\n");

  tx = MaxwellTransaction{23398};
  CHECK(render(make_rows(kDeleteV2, 4, doc_image(5.444, 54, 631000)), table, 1477053240, true, tx) ==
        R"({"database":"test","table":"e","type":"delete","ts":1477053240,"xid":23398,"commit":true,)"
        R"("data":{"id":1,"m":5.444,"c":"2016-10-21 05:33:54.631000","comment":"I am a creature of light."}})"
        "\n");
}

TEST_CASE("maxwell: commit on the transaction's last row only, xoffset only when asked") {
  TableMapEvent table = make_table("db", "t", {{3, 0, "id"}});
  table.optional.signedness = {false};
  const auto id = [](uint32_t v) { return Bytes_().raw({0x00}).le(v, 4).b; };
  const RowsEvent three = make_rows(kWriteV2, 1, concat(concat(id(1), id(2)), id(3)));
  const RowsEvent one = make_rows(kDeleteV2, 1, id(9));
  const std::string head = R"({"database":"db","table":"t",)";

  SECTION(
      "default options: xid on every row, commit on the last (dataformat: 'row with no commit, xid=142')") {
    MaxwellTransaction tx{142};
    std::string out = render(three, table, 10, false, tx);
    out += render(one, table, 11, true, tx);  // after the first: xoffset counts on
    CHECK(out == head +
                     R"("type":"insert","ts":10,"xid":142,"data":{"id":1}})"
                     "\n" +
                     head +
                     R"("type":"insert","ts":10,"xid":142,"data":{"id":2}})"
                     "\n" +
                     head +
                     R"("type":"insert","ts":10,"xid":142,"data":{"id":3}})"
                     "\n" +
                     head +
                     R"("type":"delete","ts":11,"xid":142,"commit":true,"data":{"id":9}})"
                     "\n");
    CHECK(tx.xoffset == 4);
  }
  SECTION("output_xoffset: the row's index in the transaction, left off the commit row") {
    MaxwellTransaction tx{155, true};
    std::string out = render(three, table, 10, false, tx);
    out += render(one, table, 11, true, tx);  // after the first: xoffset counts on
    CHECK(out == head +
                     R"("type":"insert","ts":10,"xid":155,"xoffset":0,"data":{"id":1}})"
                     "\n" +
                     head +
                     R"("type":"insert","ts":10,"xid":155,"xoffset":1,"data":{"id":2}})"
                     "\n" +
                     head +
                     R"("type":"insert","ts":10,"xid":155,"xoffset":2,"data":{"id":3}})"
                     "\n" +
                     head +
                     R"("type":"delete","ts":11,"xid":155,"commit":true,"data":{"id":9}})"
                     "\n");
  }
  SECTION("a transaction that ends with a COMMIT query (MyISAM): no xid, still a commit") {
    MaxwellTransaction tx;
    CHECK(render(one, table, 11, true, tx) == head +
                                                  R"("type":"delete","ts":11,"commit":true,"data":{"id":9}})"
                                                  "\n");
  }
}

TEST_CASE("maxwell: NULL, old values that were NULL, and MINIMAL before images") {
  TableMapEvent table = make_table("db", "t", {{3, 0, "id"}, {15, 20, "s"}, {3, 0, "n"}});
  table.optional.signedness = {false, true};
  table.optional.column_charsets = {45};  // utf8mb4_general_ci
  MaxwellTransaction tx{1};
  SECTION("NULL is null in data and in old (output_nulls is on by default)") {
    const auto before = Bytes_().raw({0x06}).le(1, 4).b;          // s, n NULL
    const auto after = Bytes_().raw({0x04}).le(1, 4).str("x").b;  // n NULL
    CHECK(render(make_rows(kUpdateV2, 3, concat(before, after)), table, 5, true, tx) ==
          R"({"database":"db","table":"t","type":"update","ts":5,"xid":1,"commit":true,)"
          R"("data":{"id":1,"s":"x","n":null},"old":{"s":null}})"
          "\n");
  }
  SECTION("a column only the before image has goes into data, after the others") {
    RowsEvent rows = make_rows(kUpdateV2, 3, {});
    rows.columns_before = {0x01};  // binlog_row_image=MINIMAL: the key before, the changed column after
    rows.columns_after = {0x04};
    rows.rows = concat(Bytes_().raw({0x00}).le(7, 4).b, Bytes_().raw({0x00}).le(4000000000u, 4).b);
    CHECK(render(rows, table, 5, true, tx) ==
          R"({"database":"db","table":"t","type":"update","ts":5,"xid":1,"commit":true,)"
          R"("data":{"n":4000000000,"id":7}})"
          "\n");
  }
}

TEST_CASE("maxwell: every value class") {
  // Maxwell's columndef/*: integers by signedness, Java float text, BigDecimal text, strings decoded to UTF-8
  // (latin1 as windows-1252), binary as base64, zero dates faithfully, sets as arrays, enum names, JSON
  // embedded, geometry as WKT, BIT and YEAR as numbers.
  const std::vector<Column> columns = {
      {1, 0, "ti"},          // TINYINT -1
      {1, 0, "tu"},          // TINYINT UNSIGNED 255
      {9, 0, "mu"},          // MEDIUMINT UNSIGNED 16777215
      {8, 0, "bu"},          // BIGINT UNSIGNED 2^64-1
      {8, 0, "bs"},          // BIGINT -2^63
      {4, 4, "f"},           // FLOAT 1.5
      {5, 8, "d"},           // DOUBLE 1e7
      {246, 0x0A02, "dec"},  // DECIMAL(10,2) -12.50
      {246, 0x0A08, "dz"},   // DECIMAL(10,8) 0
      {15, 40, "vs"},        // VARCHAR(10) utf8mb4 'héllo'
      {254, 0xFE0A, "cl"},   // CHAR(10) latin1 0xE9 0x80
      {252, 2, "bl"},        // BLOB 'hi'
      {15, 10, "vb"},        // VARBINARY(10) 00 ff
      {10, 0, "dt"},         // DATE 2020-01-02
      {10, 0, "dz0"},        // DATE 0000-00-00
      {18, 3, "dtm"},        // DATETIME(3) 2020-01-02 03:04:05.678
      {18, 0, "dtz"},        // DATETIME 2020-00-00 00:00:00 (zero part)
      {17, 0, "tsz"},        // TIMESTAMP zero
      {19, 0, "tm"},         // TIME 12:34:56
      {19, 6, "tm6"},        // TIME(6) 01:02:03.000004
      {13, 0, "yr"},         // YEAR 2024
      {13, 0, "y0"},         // YEAR 0000
      {16, 0x0102, "bt"},    // BIT(10) b'1000000010'
      {254, 0xF701, "en"},   // ENUM('a','bb') 'bb'
      {254, 0xF701, "e0"},   // ENUM('a','bb') '' (index 0)
      {254, 0xF801, "st"},   // SET('a','b','c') 'a,c'
      {245, 4, "js"},        // JSON {"a": [1, 2]}
      {255, 4, "geo"},       // POINT(1 2)
      {3, 0, "nul"},         // INT NULL
  };
  TableMapEvent table = make_table("db", "all", columns);
  table.optional.signedness = {false, true, true, true, false, false, false, false, false, false};
  table.optional.column_charsets = {45, 8, 63, 63};
  table.optional.enum_values = {{"a", "bb"}, {"a", "bb"}};
  table.optional.set_values = {{"a", "b", "c"}};

  Bytes_ r;
  r.raw({0x00, 0x00, 0x00, 0x10});  // 29 columns: only the last (bit 28) is NULL
  r.le(0xFF, 1).le(0xFF, 1).le(0xFFFFFF, 3).le(~uint64_t{0}, 8).le(uint64_t{1} << 63, 8);
  r.f32(1.5f).f64(1e7);
  r.raw({0x7F, 0xFF, 0xFF, 0xF3, 0xCD});  // -12.50: 80 00 00 0C 32 inverted
  r.raw({0x80, 0x00, 0x00, 0x00, 0x00});  // 0.00000000
  r.str("h\xC3\xA9llo").str("\xE9\x80").str("hi", 2).str(std::string_view("\x00\xFF", 2));
  r.le((2020 << 9) | (1 << 5) | 2, 3).le(0, 3);
  r.be((uint64_t{1} << 39) | (uint64_t{2020 * 13 + 1} << 22) | (2 << 17) | (3 << 12) | (4 << 6) | 5, 5)
      .be(6780, 2);
  r.be((uint64_t{1} << 39) | (uint64_t{2020 * 13 + 0} << 22), 5);
  r.be(0, 4);
  r.be((1 << 23) | (12 << 12) | (34 << 6) | 56, 3);
  r.be((1 << 23) | (1 << 12) | (2 << 6) | 3, 3).be(4, 3);
  r.le(2024 - 1900, 1).le(0, 1);
  r.be(0x0202, 2);
  r.le(2, 1).le(0, 1).le(0x05, 1);
  const std::vector<uint8_t> json = {0x00, 0x01, 0x00, 0x16, 0x00, 0x0B, 0x00, 0x01, 0x00, 0x02, 0x0C, 0x00,
                                     'a',  0x02, 0x00, 0x0A, 0x00, 0x05, 0x01, 0x00, 0x05, 0x02, 0x00};
  r.le(json.size(), 4).raw({}).b.insert(r.b.end(), json.begin(), json.end());
  r.le(25, 4).le(0, 4).raw({0x01}).le(1, 4).f64(1).f64(2);

  MaxwellTransaction tx{77};
  CHECK(render(make_rows(kWriteV2, columns.size(), r.b), table, 1, true, tx) ==
        R"({"database":"db","table":"all","type":"insert","ts":1,"xid":77,"commit":true,"data":{)"
        R"("ti":-1,"tu":255,"mu":16777215,"bu":18446744073709551615,"bs":-9223372036854775808,)"
        R"("f":1.5,"d":1.0E7,"dec":-12.50,"dz":0E-8,)"
        "\"vs\":\"h\xC3\xA9llo\",\"cl\":\"\xC3\xA9\xE2\x82\xAC\","
        R"("bl":"aGk=","vb":"AP8=",)"
        R"("dt":"2020-01-02","dz0":"0000-00-00","dtm":"2020-01-02 03:04:05.678","dtz":"0000-00-00 00:00:00",)"
        R"("tsz":"0000-00-00 00:00:00","tm":"12:34:56","tm6":"01:02:03.000004","yr":2024,"y0":1900,)"
        R"j("bt":514,"en":"bb","e0":null,"st":["a","c"],"js":{"a":[1,2]},"geo":"POINT (1 2)","nul":null}})j"
        "\n");
}

TEST_CASE("maxwell: Java's number texts") {
  // java.lang.Double.toString: plain for 1e-3 <= |v| < 1e7 with at least one fraction digit, else
  // computerized scientific notation.
  CHECK(java_float_text(4.2341, false) == "4.2341");
  CHECK(java_float_text(5.0, false) == "5.0");
  CHECK(java_float_text(100, false) == "100.0");
  CHECK(java_float_text(0.001, false) == "0.001");
  CHECK(java_float_text(0.0001, false) == "1.0E-4");
  CHECK(java_float_text(1e7, false) == "1.0E7");
  CHECK(java_float_text(-1.25e-10, false) == "-1.25E-10");
  CHECK(java_float_text(0.0, false) == "0.0");
  CHECK(java_float_text(-0.0, false) == "-0.0");
  CHECK(java_float_text(0.1f, true) == "0.1");  // Float.toString of the float, not the double it widens to
  CHECK(java_float_text(9999999.0, false) == "9999999.0");
  // java.math.BigDecimal.toString's own examples with a positive scale, and zeros.
  CHECK(java_decimal_text("0.123") == "0.123");
  CHECK(java_decimal_text("0.0000000123") == "1.23E-8");
  CHECK(java_decimal_text("-0.000000000123") == "-1.23E-10");
  CHECK(java_decimal_text("0.000001") == "0.000001");
  CHECK(java_decimal_text("0.00000000") == "0E-8");
  CHECK(java_decimal_text("0.000000") == "0.000000");
  CHECK(java_decimal_text("-12.50") == "-12.50");
  CHECK(java_decimal_text("123") == "123");
}

TEST_CASE("maxwell: geometry as JTS's well-known text") {
  const auto wkt = [](const std::vector<uint8_t>& wkb) {
    std::string out;
    REQUIRE(append_wkt(out, wkb).ok());
    return out;
  };
  const auto point = [](double x, double y) { return Bytes_().f64(x).f64(y).b; };
  CHECK(wkt(concat(Bytes_().raw({1}).le(1, 4).b, point(1.5, -2))) == "POINT (1.5 -2)");
  CHECK(wkt(concat(concat(Bytes_().raw({1}).le(2, 4).le(2, 4).b, point(0, 0)), point(1, 1))) ==
        "LINESTRING (0 0, 1 1)");
  auto polygon = Bytes_().raw({1}).le(3, 4).le(1, 4).le(4, 4).b;
  for (auto p : {point(0, 0), point(1, 0), point(1, 1), point(0, 0)}) polygon = concat(polygon, p);
  CHECK(wkt(polygon) == "POLYGON ((0 0, 1 0, 1 1, 0 0))");
  auto multipoint = Bytes_().raw({1}).le(4, 4).le(2, 4).b;
  for (auto p : {point(1, 2), point(3, 4)})
    multipoint = concat(concat(multipoint, Bytes_().raw({1}).le(1, 4).b), p);
  CHECK(wkt(multipoint) == "MULTIPOINT ((1 2), (3 4))");
  // Big-endian members inside a collection, which names them.
  auto collection = Bytes_().raw({1}).le(7, 4).le(1, 4).raw({0}).be(1, 4).b;
  uint64_t bits;
  double x = 0.25;
  std::memcpy(&bits, &x, 8);
  collection = concat(collection, Bytes_().be(bits, 8).be(0, 8).b);
  CHECK(wkt(collection) == "GEOMETRYCOLLECTION (POINT (0.25 0))");
  std::string out;
  CHECK(append_wkt(out, Bytes_().raw({1}).le(2, 4).le(1000, 4).b).error().code == ErrorCode::kCorrupt);
}

TEST_CASE("maxwell: what the table map must say") {
  MaxwellTransaction tx;
  std::string out = "kept";
  const RowsEvent rows = make_rows(kWriteV2, 1, Bytes_().raw({0x00}).le(1, 4).b);
  SECTION("names") {
    TableMapEvent table = make_table("db", "t", {{3, 0, "id"}});
    table.optional.signedness = {false};
    table.optional.column_names.clear();
    const Status s = append_maxwell_rows(out, rows, table, 1, true, tx);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(s.error().to_string(), Catch::Contains("names") && Catch::Contains("`db`.`t`"));
  }
  SECTION("signedness") {
    const TableMapEvent table = make_table("db", "t", {{3, 0, "id"}});
    const Status s = append_maxwell_rows(out, rows, table, 1, true, tx);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(s.error().to_string(), Catch::Contains("UNSIGNED") && Catch::Contains("`id`"));
  }
  SECTION("a character set the format is not written for") {
    TableMapEvent table = make_table("db", "t", {{15, 10, "s"}});
    table.optional.column_charsets = {51};  // cp1251_general_ci
    const Status s =
        append_maxwell_rows(out, make_rows(kWriteV2, 1, Bytes_().raw({0}).str("x").b), table, 1, true, tx);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kUnsupported);
  }
  CHECK(out == "kept");
  CHECK(tx.xoffset == 0);
}

TEST_CASE("maxwell: collations") {
  CHECK(maxwell_text_of_collation(255) == MaxwellText::kUtf8);   // utf8mb4_0900_ai_ci
  CHECK(maxwell_text_of_collation(2304) == MaxwellText::kUtf8);  // MariaDB utf8mb4_uca1400_ai_ci
  CHECK(maxwell_text_of_collation(33) == MaxwellText::kUtf8);    // utf8mb3_general_ci
  CHECK(maxwell_text_of_collation(8) == MaxwellText::kWindows1252);
  CHECK(maxwell_text_of_collation(11) == MaxwellText::kWindows1252);  // ascii, as Maxwell reads it
  CHECK(maxwell_text_of_collation(63) == MaxwellText::kBase64);
  CHECK(maxwell_text_of_collation(56) == MaxwellText::kUtf16Le);
  CHECK_FALSE(maxwell_text_of_collation(51));
}
