// Values decoded from the real fixtures, checked against what each fixture folder's README documents
// ("upstream expectations") and against the SQL statements stored in the files themselves.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <variant>

#include <fmt/format.h>

#include "mzl/codec/column_value_render.h"
#include "mzl/codec/row_image.h"
#include "rows_test_support.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

std::string text(const std::optional<ColumnValue>& v) {
  REQUIRE(v.has_value());
  const auto* s = std::get_if<StringValue>(&*v);
  REQUIRE(s != nullptr);
  return std::string(s->bytes.begin(), s->bytes.end());
}

template <class T>
const T& as(const std::optional<ColumnValue>& v) {
  REQUIRE(v.has_value());
  const T* p = std::get_if<T>(&*v);
  REQUIRE(p != nullptr);
  return *p;
}

}  // namespace

// Prints what we decode, for looking at a fixture by hand: test_codec "[.dump]" (MZL_DUMP=<relative path>).
TEST_CASE("rows: dump a fixture", "[.dump]") {
  const char* rel = std::getenv("MZL_DUMP");
  if (!rel) return;
  for (const auto& fr : test::fixture_rows(test::fixture(rel))) {
    const auto& t = fr.table;
    fmt::print("@{} {} `{}`.`{}` cols={} names={} signed={} charsets={} default={} enum={} set={} vis={}\n",
               fr.offset, int(fr.rows.type_code), t.database, t.table, t.column_count(),
               fmt::join(t.optional.column_names, ","), t.optional.signedness.size(),
               fmt::join(t.optional.column_charsets, ","), t.optional.default_charset.value_or(0),
               t.optional.enum_values.size(), t.optional.set_values.size(),
               t.optional.column_visibility.size());
    if (!fr.rows_query.empty()) fmt::print("  query: {}\n", fr.rows_query.substr(0, 2000));
    for (const auto& ch : fr.changes) {
      for (const auto* row : {&ch.before, &ch.after}) {
        if (!*row) continue;
        std::string line = "  ";
        for (const auto& v : **row) line += (v ? to_display_string(*v) : std::string("-")) + " | ";
        fmt::print("{}\n", line);
      }
    }
  }
}

TEST_CASE("rows: mysql_type_bit row is [0b100, \"foo\", 0b100000]") {
  auto path = test::fixture("mysql-8.0/mysql_type_bit.000001");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].changes.size() == 1);
  const Row& row = *rows[0].changes[0].after;
  REQUIRE(row.size() == 3);
  CHECK(as<BitValue>(row[0]).as_uint() == 0b100);
  CHECK(as<BitValue>(row[0]).bits == 3);
  CHECK(text(row[1]) == "foo");
  CHECK(as<BitValue>(row[2]).as_uint() == 0b100000);
  CHECK(as<BitValue>(row[2]).bits == 8);
}

TEST_CASE("rows: mysql-enum-string-set UPDATE after image") {
  auto path = test::fixture("mysql-8.0/mysql-enum-string-set.000001");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  REQUIRE(rows.size() == 3);
  REQUIRE(rows[1].rows.kind() == RowsKind::kUpdate);
  REQUIRE(rows[1].changes.size() == 1);
  const Row& after = *rows[1].changes[0].after;
  // README: after-image of UPDATE = ("field1","field_2",2,0b00001010,...);
  // CREATE TABLE t(f1 CHAR(128), f2 VARCHAR(300), f3 ENUM('var1', 'variant2', 'foo'),
  //                f4 SET('one', 'two', 'three', 'four'), f5 TEXT)
  CHECK(text(after[0]) == "field1");
  CHECK(text(after[1]) == "field_2");
  CHECK(as<EnumValue>(after[2]).index == 2);
  CHECK(as<SetValue>(after[3]).bits == 0b1010);
  const auto& table = rows[1].table;
  if (!table.optional.enum_values.empty()) {
    CHECK(table.optional.enum_values[0] == std::vector<std::string>{"var1", "variant2", "foo"});
    CHECK(as<EnumValue>(after[2]).name == std::optional<std::string>("variant2"));
  }
  if (!table.optional.set_values.empty()) {
    CHECK(table.optional.set_values[0] == std::vector<std::string>{"one", "two", "three", "four"});
    CHECK(as<SetValue>(after[3]).names == std::optional<std::vector<std::string>>({"two", "four"}));
  }
}

TEST_CASE("rows: minimal_row_metadata signedness and charset") {
  auto path = test::fixture("mysql-8.0/minimal_row_metadata.000001");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  REQUIRE(rows.size() == 1);
  const Row& row = *rows[0].changes[0].after;
  // README: column @4 (0-based) = 3230202323 (an UNSIGNED INT, known from SIGNEDNESS), @2 charset
  // utf8mb4_0900_ai_ci (collation 255).
  const auto& v = as<IntValue>(row[4]);
  CHECK(v.unsigned_value == 3230202323u);
  CHECK(v.is_unsigned == std::optional<bool>(true));
  std::string json;
  append_json(*row[4], json);
  CHECK(json == "3230202323");
  CHECK(as<StringValue>(row[2]).charset == std::optional<uint32_t>(255));
  CHECK(rows[0].table.optional.column_names.empty());  // MINIMAL: no names
}

TEST_CASE("rows: time_issue negative TIME2 is -507:48:27") {
  auto path = test::fixture("mysql-8.0/time_issue.000001");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  REQUIRE(rows.size() == 1);
  const auto& t = as<TimeValue>((*rows[0].changes[0].after)[0]);
  CHECK(t.negative);
  CHECK(t.hours == 21 * 24 + 3);
  CHECK(t.minutes == 48);
  CHECK(t.seconds == 27);
  CHECK(t.microseconds == 0);
  std::string json;
  append_json((*rows[0].changes[0].after)[0].value(), json);
  CHECK(json == "\"-507:48:27\"");
}

TEST_CASE("rows: MariaDB 10.5 FULL row metadata") {
  auto path = test::fixture("mariadb-10.5/mariadb-bin.000001");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  REQUIRE(rows.size() == 2);
  const auto& table = rows[0].table;
  // README: table toddy_test.outbox columns id(PK),topic,event_type,event,created;
  // charsets [unknown, utf8mb4_general_ci, utf8mb4_general_ci, binary, unknown].
  CHECK(table.database == "toddy_test");
  CHECK(table.table == "outbox");
  CHECK(table.optional.column_names ==
        std::vector<std::string>{"id", "topic", "event_type", "event", "created"});
  CHECK(table.optional.primary_key == std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}});
  const auto columns = column_infos(table);
  CHECK(columns[0].charset == std::nullopt);
  CHECK(columns[1].charset == std::optional<uint32_t>(45));
  CHECK(columns[2].charset == std::optional<uint32_t>(45));
  CHECK(columns[3].charset == std::optional<uint32_t>(63));
  CHECK(columns[4].charset == std::nullopt);
}

TEST_CASE("rows: invisible columns (MySQL 8.0.26)") {
  auto path = test::fixture("mysql-8.0/binlog-invisible-columns.000001");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  REQUIRE(!rows.empty());
  // CREATE TABLE t1 (f1 INT UNSIGNED INVISIBLE, f2 INT UNSIGNED INVISIBLE, f3 INT, f4 TEXT, f5 BLOB,
  //                  f6 BIGINT UNSIGNED INVISIBLE)
  const auto& table = rows[0].table;
  REQUIRE(table.column_count() == 6);
  if (!table.optional.column_visibility.empty()) {
    CHECK(table.optional.column_visibility == std::vector<bool>{false, false, true, true, true, false});
  }
  if (!table.optional.signedness.empty()) {
    CHECK(table.optional.signedness == std::vector<bool>{true, true, false, true});
  }
}

TEST_CASE("rows: json.binlog JSON values agree with the generated columns") {
  auto path = test::fixture("mysql-8.0/json.binlog.000001");
  if (path.empty()) return;
  // CREATE TABLE t(id INT PRIMARY KEY AUTO_INCREMENT, json_col JSON,
  //                name VARCHAR(100) AS (json_col->>'$.name'), age INT AS (json_col->'$.age'))
  // so in every full image name and age are what json_col says, and in a partial JSON update the diff of
  // $.age carries the new age.
  auto rows = test::fixture_rows(path);
  REQUIRE(rows.size() == 6);
  size_t full = 0, partial = 0;
  for (const auto& fr : rows) {
    for (const auto& change : fr.changes) {
      for (const auto* image : {&change.before, &change.after}) {
        if (!*image) continue;
        const Row& row = **image;
        REQUIRE(row.size() == 4);
        if (!row[1]) continue;  // PARTIAL_UPDATE before image (minimal: primary key only)
        const std::string age = std::to_string(as<IntValue>(row[3]).signed_value);
        if (const auto* diff = std::get_if<JsonDiffValue>(&*row[1])) {
          REQUIRE(diff->diffs.size() == 1);
          CHECK(diff->diffs[0].operation == JsonDiffOperation::kReplace);
          CHECK(diff->diffs[0].path == "$.age");
          CHECK(diff->diffs[0].value == std::optional<std::string>(age));
          ++partial;
          continue;
        }
        const std::string& json = as<JsonValue>(row[1]).text;
        CHECK(json.find("\"name\": \"" + text(row[2]) + "\"") != std::string::npos);
        CHECK(json.find("\"age\": " + age + ",") != std::string::npos);
        CHECK(json.front() == '{');
        CHECK(json.back() == '}');
        ++full;
      }
    }
  }
  CHECK(partial == 6);
  CHECK(full == 6 + 12);
  CHECK(rows.back().rows.kind() == RowsKind::kPartialUpdate);
}

TEST_CASE("rows: rows inside TRANSACTION_PAYLOAD events agree with their ROWS_QUERY statements") {
  auto path = test::fixture("mysql-8.0/mysql-bin.000057");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  // README: inside TRANSACTION_PAYLOAD: TABLE_MAP 3, WRITE_ROWS_V2 2, UPDATE_ROWS_V2 1 (with ROWS_QUERY).
  REQUIRE(rows.size() == 3);
  for (const auto& fr : rows) CHECK(fr.in_payload);

  // insert into b values(1)
  CHECK(rows[0].rows_query == "insert into b values(1)");
  CHECK(as<IntValue>((*rows[0].changes.at(0).after)[0]).signed_value == 1);

  // update test_table_3 set enum_field='large', set_field='c', product_item_2='product_3_value'
  //   where product_id=55555
  REQUIRE(rows[1].rows.kind() == RowsKind::kUpdate);
  REQUIRE(rows[1].changes.size() == 1);
  const Row& before = *rows[1].changes[0].before;
  const Row& after = *rows[1].changes[0].after;
  CHECK(as<IntValue>(before[0]).signed_value == 55555);
  CHECK(as<IntValue>(after[0]).signed_value == 55555);
  CHECK(text(after[10]) == "product_3_value");

  // insert into test_table_3 values(6666, 'product_item_value_2', now(), 111, 'description_1', now(),
  //   'large', 'd', 'b3', '{"c": 1}', 'product_item_2_value', now(), now(), 2222, 'description_3_value',
  //   now(), now(), 222, 'description_4_value', now())
  const auto& ins = rows[2];
  REQUIRE(ins.changes.size() == 1);
  const Row& row = *ins.changes[0].after;
  REQUIRE(row.size() == 20);
  CHECK(as<IntValue>(row[0]).signed_value == 6666);
  CHECK(text(row[1]) == "product_item_value_2");
  CHECK(as<IntValue>(row[3]).signed_value == 111);
  CHECK(text(row[4]) == "description_1");
  CHECK(as<EnumValue>(row[6]).index == as<EnumValue>(after[6]).index);  // 'large' in both statements
  CHECK(text(row[8]) == "b3");
  CHECK(as<JsonValue>(row[9]).text == "{\"c\": 1}");
  CHECK(text(row[10]) == "product_item_2_value");
  CHECK(as<IntValue>(row[13]).signed_value == 2222);
  CHECK(text(row[14]) == "description_3_value");
  CHECK(as<IntValue>(row[17]).signed_value == 222);
  CHECK(text(row[18]) == "description_4_value");
  // The now() columns that are TIMESTAMPs hold the statement's start time, which is the event's timestamp;
  // the DATE ones all hold the same day.
  size_t timestamps = 0;
  for (size_t i : {5, 15, 19}) {
    if (const auto* ts = std::get_if<TimestampValue>(&*row[i])) {
      CHECK(ts->seconds == ins.timestamp);
      ++timestamps;
    }
  }
  CHECK(timestamps > 0);
  const auto& day = as<DateValue>(row[2]);
  for (size_t i : {11, 12, 16}) CHECK(as<DateValue>(row[i]) == day);
}

TEST_CASE("rows: transaction_compression inner WRITE_ROWS") {
  auto path = test::fixture("mysql-8.0/transaction_compression.000001");
  if (path.empty()) return;
  auto rows = test::fixture_rows(path);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].in_payload);
  CHECK(rows[0].table.table == "tb1");
  REQUIRE(rows[0].changes.size() == 1);
  CHECK(std::holds_alternative<IntValue>(*(*rows[0].changes[0].after)[0]));
}
