// Every column type MariaDB can write, decoded from the sandbox primary's binary log and compared with what
// the server itself returns for the same rows (binlog_format=ROW, binlog_row_image=FULL,
// binlog_row_metadata=FULL). Each column has a SELECT expression that renders the stored value canonically
// (hex for bytes, +0 for BIT, UNIX_TIMESTAMP for TIMESTAMP, ...) and the test renders our decoded value the
// same way; INSERT after images, UPDATE before/after images and DELETE before images must all match.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <string>
#include <variant>
#include <vector>

#include "all_column_types_table.h"
#include "codec/rows_test_support.h"
#include "mzl/codec/column_type.h"
#include "mzl/codec/row_image.h"
#include "sandbox.h"

namespace {

using mzl::codec::ColumnValue;
using mzl::test::kColumns;
using mzl::test::kRow1;
using mzl::test::kRow2;

std::string hex(const std::vector<uint8_t>& bytes) {
  std::string s;
  for (uint8_t b : bytes) s += fmt::format("{:02X}", b);
  return s;
}

std::string fraction(uint32_t micros, uint8_t precision) {
  if (precision == 0) return {};
  return "." + fmt::format("{:06}", micros).substr(0, precision);
}

// Our decoded value rendered the way the column's SELECT expression renders the server's.
std::string canonical(const ColumnValue& value) {
  using namespace mzl::codec;
  if (std::holds_alternative<NullValue>(value)) return "NULL";
  if (auto* v = std::get_if<IntValue>(&value))
    return v->is_unsigned.value_or(false) ? std::to_string(v->unsigned_value)
                                          : std::to_string(v->signed_value);
  if (auto* v = std::get_if<DecimalValue>(&value)) return v->text;
  if (auto* v = std::get_if<BitValue>(&value)) return std::to_string(v->as_uint());
  if (auto* v = std::get_if<EnumValue>(&value)) return v->name.value_or("?");
  if (auto* v = std::get_if<SetValue>(&value))
    return v->names ? fmt::format("{}", fmt::join(*v->names, ",")) : "?";
  if (auto* v = std::get_if<StringValue>(&value)) return hex(v->bytes);
  if (auto* v = std::get_if<DateValue>(&value))
    return fmt::format("{:04}-{:02}-{:02}", v->year, v->month, v->day);
  if (auto* v = std::get_if<TimeValue>(&value))
    return fmt::format("{}{:02}:{:02}:{:02}{}", v->negative ? "-" : "", v->hours, v->minutes, v->seconds,
                       fraction(v->microseconds, v->precision));
  if (auto* v = std::get_if<DateTimeValue>(&value))
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}", v->year, v->month, v->day, v->hour, v->minute,
                       v->second, fraction(v->microseconds, v->precision));
  if (auto* v = std::get_if<TimestampValue>(&value))
    return std::to_string(v->seconds) + fraction(v->microseconds, v->precision);
  if (auto* v = std::get_if<YearValue>(&value)) return std::to_string(v->year);
  if (auto* v = std::get_if<GeometryValue>(&value)) return fmt::format("{}:{}", v->srid, hex(v->wkb));
  return "<unexpected>";
}

std::string select_list() {
  std::vector<std::string> exprs;
  for (const auto& c : kColumns)
    exprs.push_back(c.select ? fmt::format(fmt::runtime(c.select), c.name) : std::string("NULL"));
  return fmt::format("{}", fmt::join(exprs, ", "));
}

void check_image(const mzl::codec::Row& decoded, const mzl::test::Row& server, const char* what) {
  REQUIRE(decoded.size() == kColumns.size() + 1);  // + the id column
  REQUIRE(server.size() == kColumns.size());
  for (size_t i = 0; i < kColumns.size(); ++i) {
    if (!kColumns[i].select) continue;
    INFO(what << " column " << kColumns[i].name << " (" << kColumns[i].ddl << ")");
    REQUIRE(decoded[i + 1].has_value());
    CHECK(canonical(*decoded[i + 1]) == server[i]);
  }
}

}  // namespace

TEST_CASE("rows: every MariaDB column type decodes to what the server stores") {
  auto primary = mzl::test::connect(mzl::test::primary_server());
  primary.query("SET time_zone = '+00:00'");
  primary.query("SET sql_mode = ''");  // allow the zero dates of row 2
  primary.query("DROP DATABASE IF EXISTS mzl_rows_it");
  primary.query("CREATE DATABASE mzl_rows_it");
  std::string ddl = "CREATE TABLE mzl_rows_it.t (id INT PRIMARY KEY";
  for (const auto& c : kColumns) ddl += fmt::format(", {} {}", c.name, c.ddl);
  primary.query(ddl + ")");
  // The collation id of every column that has one (binary strings report 63 via the 'binary' collation).
  const auto collations = primary.query(
      "SELECT c.COLUMN_NAME, IFNULL(l.ID, IF(c.DATA_TYPE IN ('binary','varbinary','tinyblob','blob',"
      "'mediumblob','longblob'), 63, NULL)) FROM information_schema.COLUMNS c LEFT JOIN "
      "information_schema.COLLATIONS l ON l.COLLATION_NAME = c.COLLATION_NAME "
      "WHERE c.TABLE_SCHEMA = 'mzl_rows_it' AND c.TABLE_NAME = 't' ORDER BY c.ORDINAL_POSITION");
  REQUIRE(collations.size() == kColumns.size() + 1);
  const std::string file = mzl::test::flush_binary_logs();

  std::string insert_cols = "id";
  for (const auto& c : kColumns) insert_cols += std::string(", ") + c.name;
  primary.query(fmt::format("INSERT INTO mzl_rows_it.t ({}) VALUES (1, {}", insert_cols, kRow1 + 1));
  primary.query(fmt::format("INSERT INTO mzl_rows_it.t ({}) VALUES (2, {}", insert_cols, kRow2 + 1));
  primary.query("INSERT INTO mzl_rows_it.t (id) VALUES (3)");  // every other column NULL
  const std::string select = fmt::format("SELECT {} FROM mzl_rows_it.t ORDER BY id", select_list());
  const auto before = primary.query(select);
  REQUIRE(before.size() == 3);
  primary.query(
      "UPDATE mzl_rows_it.t SET c_long = c_long + 1, c_dec_max = -c_dec_max, c_set = 'b', c_enum = NULL, "
      "c_text = CONCAT(c_text, '!'), c_time6 = '838:59:59.000000', c_bit13 = b'1' WHERE id = 1");
  const auto after = primary.query(select);
  primary.query("DELETE FROM mzl_rows_it.t WHERE id = 3");
  primary.query("DROP DATABASE mzl_rows_it");
  mzl::test::flush_binary_logs();

  const auto path = mzl::test::primary_binlog_dir() / file;
  auto rows = mzl::test::fixture_rows(path);
  std::vector<mzl::test::FixtureRows> ours;
  for (auto& fr : rows)
    if (fr.table.database == "mzl_rows_it") ours.push_back(std::move(fr));
  REQUIRE(ours.size() == 5);  // 3 WRITE, 1 UPDATE, 1 DELETE (one row each)

  const auto& table = ours[0].table;
  REQUIRE(table.optional.column_names.size() == kColumns.size() + 1);
  for (size_t i = 0; i < kColumns.size(); ++i) CHECK(table.optional.column_names[i + 1] == kColumns[i].name);

  // Character columns carry the collation the server reports (from DEFAULT_CHARSET / COLUMN_CHARSET and the
  // ENUM/SET variants of the optional metadata).
  const auto infos = mzl::codec::column_infos(table);
  for (size_t i = 0; i < infos.size(); ++i) {
    const uint8_t t = infos[i].real_type;
    if (!mzl::codec::is_character_type(t, true) && !mzl::codec::is_enum_or_set_type(t)) continue;
    if (collations[i][1] == "NULL") continue;  // JSON's collation is utf8mb4_bin but a CHECK, not a type
    INFO("column " << collations[i][0]);
    REQUIRE(infos[i].charset.has_value());
    CHECK(std::to_string(*infos[i].charset) == collations[i][1]);
  }

  for (size_t r = 0; r < 3; ++r) {
    REQUIRE(ours[r].rows.kind() == mzl::codec::RowsKind::kWrite);
    REQUIRE(ours[r].changes.size() == 1);
    check_image(*ours[r].changes[0].after, before[r], "INSERT");
  }
  const auto& row1 = *ours[0].changes[0].after;
  CHECK(std::get<mzl::codec::FloatValue>(*row1[15]).value == 1.5);
  CHECK(std::get<mzl::codec::FloatValue>(*row1[16]).value == -0.25);

  REQUIRE(ours[3].rows.kind() == mzl::codec::RowsKind::kUpdate);
  REQUIRE(ours[3].changes.size() == 1);
  check_image(*ours[3].changes[0].before, before[0], "UPDATE before");
  check_image(*ours[3].changes[0].after, after[0], "UPDATE after");

  REQUIRE(ours[4].rows.kind() == mzl::codec::RowsKind::kDelete);
  REQUIRE(ours[4].changes.size() == 1);
  check_image(*ours[4].changes[0].before, after[2], "DELETE");
}

TEST_CASE("rows: DEFAULT_CHARSET with exceptions gives each column the server's collation") {
  // Mostly utf8mb4 with a latin1 column in the middle, so the server writes DEFAULT_CHARSET plus an
  // exception (and the same for ENUM/SET), instead of one COLUMN_CHARSET entry per column.
  auto primary = mzl::test::connect(mzl::test::primary_server());
  primary.query("DROP DATABASE IF EXISTS mzl_rows_cs");
  primary.query("CREATE DATABASE mzl_rows_cs");
  primary.query(
      "CREATE TABLE mzl_rows_cs.t (id INT PRIMARY KEY, a VARCHAR(10) CHARACTER SET utf8mb4, "
      "b TEXT CHARACTER SET utf8mb4, c VARCHAR(10) CHARACTER SET latin1, d CHAR(3) CHARACTER SET utf8mb4, "
      "e VARCHAR(5) CHARACTER SET utf8mb4, f ENUM('x','y') CHARACTER SET utf8mb4, "
      "g SET('p','q') CHARACTER SET latin1, h ENUM('z') CHARACTER SET utf8mb4, i ENUM('w') CHARACTER SET "
      "utf8mb4)");
  const auto collations = primary.query(
      "SELECT l.ID FROM information_schema.COLUMNS c LEFT JOIN information_schema.COLLATIONS l "
      "ON l.COLLATION_NAME = c.COLLATION_NAME WHERE c.TABLE_SCHEMA = 'mzl_rows_cs' ORDER BY "
      "c.ORDINAL_POSITION");
  const std::string file = mzl::test::flush_binary_logs();
  primary.query("INSERT INTO mzl_rows_cs.t VALUES (1, 'a', 'b', 'c', 'd', 'e', 'y', 'p,q', 'z', 'w')");
  primary.query("DROP DATABASE mzl_rows_cs");
  mzl::test::flush_binary_logs();

  auto rows = mzl::test::fixture_rows(mzl::test::primary_binlog_dir() / file);
  REQUIRE(rows.size() == 1);
  const auto& table = rows[0].table;
  INFO("DEFAULT_CHARSET present: " << table.optional.default_charset.has_value());
  const auto infos = mzl::codec::column_infos(table);
  REQUIRE(infos.size() == collations.size());
  for (size_t i = 1; i < infos.size(); ++i) {
    INFO("column " << i);
    REQUIRE(infos[i].charset.has_value());
    CHECK(std::to_string(*infos[i].charset) == collations[i][0]);
  }
  const auto& after = *rows[0].changes.at(0).after;
  CHECK(std::get<mzl::codec::EnumValue>(*after[6]).name == std::optional<std::string>("y"));
  CHECK(std::get<mzl::codec::SetValue>(*after[7]).names ==
        std::optional<std::vector<std::string>>({"p", "q"}));
}

TEST_CASE("rows: MariaDB compressed rows events (log_bin_compress) decode and re-encode") {
  auto primary = mzl::test::connect(mzl::test::primary_server());
  primary.query("DROP DATABASE IF EXISTS mzl_rows_z");
  primary.query("CREATE DATABASE mzl_rows_z");
  primary.query("CREATE TABLE mzl_rows_z.t (id INT PRIMARY KEY, body TEXT, n BIGINT)");
  const std::string old_compress = primary.scalar("SELECT @@GLOBAL.log_bin_compress");
  const std::string old_min = primary.scalar("SELECT @@GLOBAL.log_bin_compress_min_len");
  primary.query("SET GLOBAL log_bin_compress = ON, GLOBAL log_bin_compress_min_len = 10");
  const std::string file = mzl::test::flush_binary_logs();
  {
    // log_bin_compress is read when the session binlogs, so use a new connection.
    auto writer = mzl::test::connect(mzl::test::primary_server());
    writer.query("INSERT INTO mzl_rows_z.t VALUES (1, REPEAT('compress me ', 400), -5), (2, 'short', 7)");
    writer.query("UPDATE mzl_rows_z.t SET body = CONCAT(body, '!'), n = n + 1");
    writer.query("DELETE FROM mzl_rows_z.t WHERE id = 2");
  }
  primary.query(fmt::format("SET GLOBAL log_bin_compress = {}, GLOBAL log_bin_compress_min_len = {}",
                            old_compress, old_min));
  primary.query("DROP DATABASE mzl_rows_z");
  mzl::test::flush_binary_logs();

  auto rows = mzl::test::fixture_rows(mzl::test::primary_binlog_dir() / file);
  std::vector<mzl::test::FixtureRows> ours;
  for (auto& fr : rows)
    if (fr.table.database == "mzl_rows_z") ours.push_back(std::move(fr));
  REQUIRE(ours.size() >= 3);  // the server may split a statement's rows over several events
  for (const auto& fr : ours) {
    INFO("type " << int(fr.rows.type_code));
    CHECK(fr.rows.compressed);
    CHECK(fr.rows.type_code >= 166);
    CHECK(fr.rows.type_code <= 171);
    mzl::ByteWriter out;
    mzl::codec::encode_rows_event(fr.rows, fr.fd, out);
    CHECK(out.take() == fr.body);  // the compressed bytes are written back as the server wrote them
  }
  std::string long_body;
  for (int i = 0; i < 400; ++i) long_body += "compress me ";
  auto body = [](const std::optional<ColumnValue>& v) {
    const auto& s = std::get<mzl::codec::StringValue>(*v);
    return std::string(s.bytes.begin(), s.bytes.end());
  };
  auto n = [](const std::optional<ColumnValue>& v) {
    return std::get<mzl::codec::IntValue>(*v).signed_value;
  };
  std::vector<mzl::codec::RowChange> writes, updates, deletes;
  for (const auto& fr : ours) {
    auto& to = fr.rows.kind() == mzl::codec::RowsKind::kWrite    ? writes
               : fr.rows.kind() == mzl::codec::RowsKind::kUpdate ? updates
                                                                 : deletes;
    to.insert(to.end(), fr.changes.begin(), fr.changes.end());
  }
  REQUIRE(writes.size() == 2);
  CHECK(body((*writes[0].after)[1]) == long_body);
  CHECK(n((*writes[0].after)[2]) == -5);
  CHECK(body((*writes[1].after)[1]) == "short");
  REQUIRE(updates.size() == 2);
  CHECK(body((*updates[0].after)[1]) == long_body + "!");
  CHECK(n((*updates[0].after)[2]) == -4);
  CHECK(n((*updates[1].before)[2]) == 7);
  REQUIRE(deletes.size() == 1);
  CHECK(body((*deletes[0].before)[1]) == "short!");
}

TEST_CASE("rows: MariaDB GEOMETRY and COMPRESSED columns: charsets line up and values inflate") {
  // MariaDB counts GEOMETRY and compressed VARCHAR/BLOB columns among the character columns of the optional
  // metadata; a GEOMETRY before the text columns shifts every charset after it.
  auto primary = mzl::test::connect(mzl::test::primary_server());
  primary.query("DROP DATABASE IF EXISTS mzl_rows_g");
  primary.query("CREATE DATABASE mzl_rows_g");
  primary.query(
      "CREATE TABLE mzl_rows_g.t (id INT PRIMARY KEY, g GEOMETRY, t TEXT CHARACTER SET latin1, "
      "v VARCHAR(5) CHARACTER SET utf8mb4, z VARCHAR(500) CHARACTER SET utf8mb3 COMPRESSED, "
      "b BLOB COMPRESSED, w TEXT CHARACTER SET utf8mb4)");
  const auto collations = primary.query(
      "SELECT IFNULL(l.ID, 'NULL') FROM information_schema.COLUMNS c LEFT JOIN information_schema.COLLATIONS "
      "l "
      "ON l.COLLATION_NAME = c.COLLATION_NAME WHERE c.TABLE_SCHEMA = 'mzl_rows_g' ORDER BY "
      "c.ORDINAL_POSITION");
  const std::string file = mzl::test::flush_binary_logs();
  primary.query(
      "INSERT INTO mzl_rows_g.t VALUES (1, ST_GeomFromText('POINT(1 1)'), 'a', 'b', REPEAT('zip', 150), "
      "REPEAT(0x00, 300), 'w'), (2, NULL, 'c', 'd', 'q', 'x', 'e')");
  primary.query("DROP DATABASE mzl_rows_g");
  mzl::test::flush_binary_logs();

  auto rows = mzl::test::fixture_rows(mzl::test::primary_binlog_dir() / file);
  REQUIRE(rows.size() == 1);
  const auto infos = mzl::codec::column_infos(rows[0].table);
  REQUIRE(infos.size() == 7);
  for (size_t i : {2, 3, 4, 6}) {
    INFO("column " << i);
    REQUIRE(infos[i].charset.has_value());
    CHECK(std::to_string(*infos[i].charset) == collations[i][0]);
  }
  CHECK(infos[5].charset == std::optional<uint32_t>(63));
  REQUIRE(rows[0].changes.size() == 2);
  auto str = [](const std::optional<ColumnValue>& v) {
    const auto& s = std::get<mzl::codec::StringValue>(*v);
    return std::string(s.bytes.begin(), s.bytes.end());
  };
  const auto& r1 = *rows[0].changes[0].after;
  std::string zip;
  for (int i = 0; i < 150; ++i) zip += "zip";
  CHECK(str(r1[4]) == zip);
  CHECK(str(r1[5]) == std::string(300, '\0'));
  CHECK(str(r1[6]) == "w");
  const auto& r2 = *rows[0].changes[1].after;
  CHECK(str(r2[4]) == "q");
  CHECK(str(r2[5]) == "x");
  CHECK(std::holds_alternative<mzl::codec::NullValue>(*r2[1]));
}
