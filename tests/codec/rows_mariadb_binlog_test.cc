// Compares our decoded rows with the server's own tool: `mariadb-binlog -vv --base64-output=decode-rows`
// prints every row as `###   @N=value /* TYPE meta=M nullable=X is_null=Y */` lines. The formatter below
// reproduces that layout (MariaDB client/mysqlbinlog.cc + sql/log_event_client.cc log_event_print_value)
// from our typed values, and the whole `###` block of each file must be identical.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "mzl/codec/column_type.h"
#include "mzl/codec/row_image.h"
#include "rows_test_support.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

constexpr const char* kTool = "/usr/bin/mariadb-binlog";

std::vector<std::string> tool_row_lines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  const std::string cmd =
      fmt::format("{} -vv --base64-output=decode-rows '{}' 2>/dev/null", kTool, path.string());
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  pclose(pipe);
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    if (line.rfind("###", 0) == 0) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string bits_text(uint64_t value, uint32_t bits) {
  std::string s = "b'";
  for (uint32_t i = bits; i-- > 0;) s += (i < 64 && ((value >> i) & 1)) ? '1' : '0';
  return s + "'";
}

std::string quoted(const std::vector<uint8_t>& bytes) {
  std::string s = "'";
  for (uint8_t c : bytes) {
    if (c > 0x1F) {
      s += static_cast<char>(c);
    } else {
      s += fmt::format("\\x{:02x}", c);
    }
  }
  return s + "'";
}

std::string type_text(const ColumnInfo& c) {
  switch (static_cast<ColumnType>(c.real_type)) {
    case ColumnType::kTiny:
      return "TINYINT";
    case ColumnType::kShort:
      return "SHORTINT";
    case ColumnType::kInt24:
      return "MEDIUMINT";
    case ColumnType::kLong:
      return "INT";
    case ColumnType::kLongLong:
      return "LONGINT";
    case ColumnType::kNewDecimal:
      return fmt::format("DECIMAL({},{})", c.metadata >> 8, c.metadata & 0xFF);
    case ColumnType::kFloat:
      return "FLOAT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kBit:
      return fmt::format("BIT({})", (c.metadata >> 8) * 8 + (c.metadata & 0xFF));
    case ColumnType::kTimestamp:
      return "TIMESTAMP";
    case ColumnType::kTimestamp2:
      return fmt::format("TIMESTAMP({})", c.metadata);
    case ColumnType::kDateTime:
      return "DATETIME";
    case ColumnType::kDateTime2:
      return fmt::format("DATETIME({})", c.metadata);
    case ColumnType::kTime:
      return "TIME";
    case ColumnType::kTime2:
      return fmt::format("TIME({})", c.metadata);
    case ColumnType::kYear:
      return "YEAR";
    case ColumnType::kEnum:
      return (c.metadata & 0xFF) == 1 ? "ENUM(1 byte)" : "ENUM(2 bytes)";
    case ColumnType::kSet:
      return fmt::format("SET({} bytes)", c.metadata & 0xFF);
    case ColumnType::kBlob:
      return "BLOB/TEXT";
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      return fmt::format("VARSTRING({})", c.metadata);
    case ColumnType::kString:
      return fmt::format("STRING({})", string_max_length(c.metadata));
    default:
      return "?" + column_type_name(c.real_type);
  }
}

std::string value_text(const ColumnValue& value, const ColumnInfo& c) {
  if (auto* v = std::get_if<IntValue>(&value)) {
    std::string s = std::to_string(v->signed_value);
    if (v->signed_value < 0) s += fmt::format(" ({})", v->unsigned_value);
    return s;
  }
  if (auto* v = std::get_if<DecimalValue>(&value)) return v->text;
  if (auto* v = std::get_if<FloatValue>(&value)) {
    char buf[400];
    if (v->single) {
      std::snprintf(buf, sizeof buf, "%-20g", v->value);
    } else {
      std::snprintf(buf, sizeof buf, "%-.20g", v->value);
    }
    return buf;
  }
  if (auto* v = std::get_if<StringValue>(&value)) return quoted(v->bytes);
  if (auto* v = std::get_if<BitValue>(&value)) return bits_text(v->as_uint(), v->bits);
  if (auto* v = std::get_if<EnumValue>(&value)) return std::to_string(v->index);
  if (auto* v = std::get_if<SetValue>(&value)) return bits_text(v->bits, (c.metadata & 0xFF) * 8);
  if (auto* v = std::get_if<YearValue>(&value)) return fmt::format("{:04}", v->year);
  if (auto* v = std::get_if<TimestampValue>(&value)) {
    std::string s = std::to_string(v->seconds);
    if (v->precision > 0) s += "." + fmt::format("{:06}", v->microseconds).substr(0, v->precision);
    return s;
  }
  if (auto* v = std::get_if<DateTimeValue>(&value)) {
    std::string s = fmt::format("'{:04}-{:02}-{:02} {:02}:{:02}:{:02}", v->year, v->month, v->day, v->hour,
                                v->minute, v->second);
    if (v->precision > 0) s += "." + fmt::format("{:06}", v->microseconds).substr(0, v->precision);
    return s + "'";
  }
  if (auto* v = std::get_if<TimeValue>(&value)) {
    std::string s =
        fmt::format("'{}{:02}:{:02}:{:02}", v->negative ? "-" : "", v->hours, v->minutes, v->seconds);
    if (v->precision > 0) s += "." + fmt::format("{:06}", v->microseconds).substr(0, v->precision);
    return s + "'";
  }
  return "<unformatted>";
}

void append_image(const Row& row, const std::vector<ColumnInfo>& columns, const TableMapEvent& table,
                  std::vector<std::string>& out) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (!row[i]) continue;
    const bool is_null = std::holds_alternative<NullValue>(*row[i]);
    out.push_back(fmt::format("###   @{}={} /* {} meta={} nullable={} is_null={} */", i + 1,
                              is_null ? "NULL" : value_text(*row[i], columns[i]), type_text(columns[i]),
                              columns[i].metadata, table.nullable(i) ? 1 : 0, is_null ? 1 : 0));
  }
}

std::vector<std::string> our_row_lines(const std::filesystem::path& path) {
  std::vector<std::string> out;
  for (const auto& fr : test::fixture_rows(path)) {
    const auto columns = column_infos(fr.table);
    const std::string name = fmt::format("`{}`.`{}`", fr.table.database, fr.table.table);
    for (const auto& change : fr.changes) {
      switch (fr.rows.kind()) {
        case RowsKind::kWrite:
          out.push_back("### INSERT INTO " + name);
          out.push_back("### SET");
          append_image(*change.after, columns, fr.table, out);
          break;
        case RowsKind::kDelete:
          out.push_back("### DELETE FROM " + name);
          out.push_back("### WHERE");
          append_image(*change.before, columns, fr.table, out);
          break;
        default:
          out.push_back("### UPDATE " + name);
          out.push_back("### WHERE");
          append_image(*change.before, columns, fr.table, out);
          out.push_back("### SET");
          append_image(*change.after, columns, fr.table, out);
          break;
      }
    }
  }
  return out;
}

void compare_with_tool(const std::string& relative) {
  auto path = test::fixture(relative);
  if (path.empty()) return;
  if (!std::filesystem::exists(kTool)) {
    test::skip_or_fail(fmt::format("{} is not installed; cannot compare {}", kTool, relative));
    return;
  }
  INFO(relative);
  const auto expected = tool_row_lines(path);
  const auto actual = our_row_lines(path);
  REQUIRE(!expected.empty());
  const size_t n = std::min(expected.size(), actual.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < n && mismatches < 5; ++i) {
    if (expected[i] != actual[i]) {
      ++mismatches;
      CHECK(actual[i] == expected[i]);
    }
  }
  CHECK(actual.size() == expected.size());
  if (std::getenv("MZL_ROWS_DEBUG")) fmt::print("{}: {} lines\n", relative, actual.size());
}

}  // namespace

TEST_CASE("rows: MariaDB 10.5 rows match mariadb-binlog -vv") {
  compare_with_tool("mariadb-10.5/mariadb-bin.000001");
}

TEST_CASE("rows: MySQL 8.0 rows match mariadb-binlog -vv") {
  for (const char* f :
       {"binlog-invisible-columns.000001", "minimal_row_metadata.000001", "mysql-enum-string-set.000001",
        "mysql_type_bit.000001", "rpl_unfiltered_hidden_gcol.000001", "time_issue.000001"})
    compare_with_tool(std::string("mysql-8.0/") + f);
}

TEST_CASE("rows: MySQL 5.6 and 5.7 rows match mariadb-binlog -vv") {
  for (const char* f : {"mysql-5.6/binlog_56_gtid_reserved_word.000001", "mysql-5.6/tcb-eval002c-bin.003320",
                        "mysql-5.6/ver_trunk_row_v2.001", "mysql-5.7/bin-log.000001",
                        "mysql-5.7/bug32407.001", "mysql-5.7/mysql-bin.000080",
                        "mysql-5.7/mysql-bin.checksum-crc32", "mysql-5.7/mysql-bin.checksum-none"})
    compare_with_tool(f);
}

TEST_CASE("rows: MySQL 5.1-5.5 rows match mariadb-binlog -vv") {
  for (const char* f : {"mysql-bin.sakila", "update-full-row.binlog", "update-partial-row.binlog",
                        "write-full-row.binlog", "write-partial-row.binlog", "ver_5_1_23.001"})
    compare_with_tool(std::string("mysql-5.5-and-older/") + f);
}
