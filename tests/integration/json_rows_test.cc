// `mzl-binlog-tail --read --output json` row images against the server: the table of every column type
// (all_column_types_table.h) gets rows of edge values on the sandbox primary; each column of each INSERT
// after image, UPDATE before and after image and DELETE before image, as the program prints it, must equal
// what the server returns for a SELECT of the same row. Both sides are turned into one text form: the
// server's by a SELECT expression per column (hex for bytes, +0 for BIT and YEAR, the documented UTC form for
// TIMESTAMP), mzl's JSON value by the matching rule below (strings and {"base64":..} to hex, SET arrays
// joined with ',', geometry to srid:hex(wkb)); FLOAT and DOUBLE are compared as numbers.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <sys/wait.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "all_column_types_table.h"
#include "mzl/util/json_reader.h"
#include "sandbox.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

constexpr const char* kDb = "mzl_json_rows";

// Edge values the shared rows do not have: the signed maxima, the largest DECIMALs, the smallest normal
// FLOAT and the largest DOUBLE, all bits of BIT(64), every SET member, latin1 bytes that are not UTF-8,
// 4-byte UTF-8 with characters JSON must escape, NUL bytes, BINARY padding, bytes that are no UTF-8 at all,
// U+2028, a JSON document with escapes, TIME and DATETIME limits with fractions, the zero TIMESTAMP, YEAR 0
// and a polygon with an SRID.
const char* const kRowEdges =
    "(127, 1, 32767, 1, 8388607, 1, 2147483647, 1, 9223372036854775807, 1, 999.99, -999999999999999999, "
    "-0.999999999, 99999999999999999999999999999999999.999999999999999999999999999999, -1.17549435e-38, "
    "1.7976931348623157e308, b'0', b'1111111111111', x'FFFFFFFFFFFFFFFF', 'blue', 'a,b,c,d,e,f,g,h,i', "
    "UNHEX('E9E8FF41'), _utf8mb4 x'F09F988022205C0A09', _utf8mb4 x'E282AC01F09F8FB3EFBBBF', "
    "UNHEX(REPEAT('E9', 300)), 0x41, 0x00C3A900, CONCAT(CHAR(127), '</script>'), _utf8mb4 x'E280A8E280A9', "
    "x'00FF80C0C1F5FEFF', REPEAT(_utf8mb4 x'F09F9880', 1000), "
    "'{\"k\": \"\\\\u00e9\\\\\"q\\\\\\\\\", \"n\": -1.5e300, \"a\": [true, false, null], \"e\": {}}', "
    "'9999-12-31', '838:59:59', '-838:59:58.999', '123:45:06.000789', '9999-12-31 23:59:59', "
    "'1000-01-01 00:00:00.9', '2000-02-29 12:00:00.000001', '2038-01-19 03:14:07', '0000-00-00 00:00:00', 0, "
    "ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 0))', 4326))";

// The server side's expression where it differs from the shared one (which all_column_types_test.cc fits to
// the decoded values): the whole BINARY value with its padding, TIMESTAMP in the documented UTC form, YEAR
// as a number, FLOAT widened exactly to DOUBLE.
const std::map<std::string, std::string> kJsonSelect = {
    {"c_binary", "HEX({})"},
    {"c_timestamp", "IF({0} = 0, CAST({0} AS CHAR), CONCAT(REPLACE(CAST({0} AS CHAR), ' ', 'T'), 'Z'))"},
    {"c_timestamp2", "IF({0} = 0, CAST({0} AS CHAR), CONCAT(REPLACE(CAST({0} AS CHAR), ' ', 'T'), 'Z'))"},
    {"c_year", "CAST({}+0 AS CHAR)"},
    {"c_float", "CAST({} AS DOUBLE)"},
    {"c_double", "{}"},
};

std::string select_of(const Column& c) {
  auto it = kJsonSelect.find(c.name);
  return it != kJsonSelect.end() ? it->second : std::string(c.select);
}

bool is_hex_column(const Column& c) {
  return select_of(c).rfind("HEX(", 0) == 0;
}

std::string hex_of(std::string_view bytes) {
  std::string s;
  for (unsigned char b : bytes) s += fmt::format("{:02X}", b);
  return s;
}

// RFC 4648 base64, written here so that the test does not decode mzl's output with mzl's own code.
std::string unbase64(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z') {
      v = ch - 'A';
    } else if (ch >= 'a' && ch <= 'z') {
      v = ch - 'a' + 26;
    } else if (ch >= '0' && ch <= '9') {
      v = ch - '0' + 52;
    } else if (ch == '+') {
      v = 62;
    } else if (ch == '/') {
      v = 63;
    } else if (ch == '=') {
      break;
    } else {
      FAIL("not base64: " << text);
      return out;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// mzl's JSON value of column `c` in the text form of the server's expression.
std::string canonical(const Column& c, const JsonValue& v) {
  if (v.is_null()) return "NULL";
  if (const JsonNumber* n = v.as_number()) return n->text;
  if (const std::string* s = v.as_string()) return is_hex_column(c) ? hex_of(*s) : *s;
  if (const JsonArray* a = v.as_array()) {
    std::string joined;
    for (const JsonValue& member : *a) {
      if (!joined.empty()) joined += ',';
      joined += member.as_string() ? *member.as_string() : "<not a string>";
    }
    return joined;
  }
  if (const JsonValue* b = v.find("base64"); b && b->as_string()) return hex_of(unbase64(*b->as_string()));
  const JsonValue* srid = v.find("srid");
  const JsonValue* wkb = v.find("wkb");
  if (srid && srid->as_number() && wkb && wkb->as_string())
    return srid->as_number()->text + ":" + hex_of(unbase64(*wkb->as_string()));
  return "<unexpected JSON value>";
}

std::optional<double> number(std::string_view text) {
  double d = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return d;
}

void check_float(const Column& c, const JsonValue& v, const std::string& server) {
  if (server == "NULL") {
    CHECK(v.is_null());
    return;
  }
  REQUIRE(v.as_number() != nullptr);
  const auto ours = number(v.as_number()->text);
  const auto theirs = number(server);
  REQUIRE(ours.has_value());
  REQUIRE(theirs.has_value());
  if (std::string_view(c.ddl) == "FLOAT") {
    CHECK(static_cast<float>(*ours) == static_cast<float>(*theirs));
  } else {
    // The server prints DOUBLE with up to 17 significant digits; the same double or its neighbour.
    CHECK(std::fabs(*ours - *theirs) <= std::fabs(*theirs) * 1e-15);
  }
}

// One row image of mzl's JSON against the server's row (id first, then kColumns).
void check_image(const JsonValue& image, const Row& server, const std::string& what) {
  const JsonObject* object = image.as_object();
  REQUIRE(object != nullptr);
  REQUIRE(server.size() == kColumns.size() + 1);
  CHECK(object->size() == kColumns.size() + 1);  // binlog_row_image=FULL: every column
  const JsonValue* id = image.find("id");
  REQUIRE(id != nullptr);
  CHECK(canonical(Column{"id", "INT", "{}"}, *id) == server[0]);
  for (size_t i = 0; i < kColumns.size(); ++i) {
    const Column& c = kColumns[i];
    INFO(what << " id " << server[0] << " column " << c.name << " (" << c.ddl << ")");
    const JsonValue* v = image.find(c.name);
    REQUIRE(v != nullptr);
    if (!c.select) {
      check_float(c, *v, server[i + 1]);
    } else {
      CHECK(canonical(c, *v) == server[i + 1]);
    }
  }
}

std::string read_json(const std::filesystem::path& file) {
  const std::string cmd = fmt::format("{}/tools/mzl-binlog-tail --read '{}' --output json --tables {}.t",
                                      MZL_BINARY_DIR, file.string(), kDb);
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

struct RowsLine {
  std::string type;
  JsonArray rows;
};

std::vector<RowsLine> rows_events(const std::string& json_lines) {
  std::vector<RowsLine> out;
  size_t start = 0;
  while (start < json_lines.size()) {
    size_t end = json_lines.find('\n', start);
    if (end == std::string::npos) end = json_lines.size();
    const std::string line = json_lines.substr(start, end - start);
    start = end + 1;
    auto parsed = parse_json(line, "mzl-binlog-tail output");
    INFO(line.substr(0, 2000));
    REQUIRE(parsed.ok());  // every line is valid JSON, escapes included
    const JsonValue* rows = parsed->find("rows");
    if (rows == nullptr) continue;
    const JsonValue* table = parsed->find("table");
    REQUIRE(table != nullptr);
    REQUIRE(table->as_string() != nullptr);
    REQUIRE(*table->as_string() == "t");
    REQUIRE(rows->as_array() != nullptr);
    const JsonValue* type = parsed->find("type");
    REQUIRE(type != nullptr);
    REQUIRE(type->as_string() != nullptr);
    out.push_back(RowsLine{*type->as_string(), *rows->as_array()});
  }
  return out;
}

// How a test gets the JSON lines of the binlog file `file` (the first one holding the test's rows).
struct JsonSource {
  std::function<void(MysqlConnection&)> before;  // before the first statement of the test
  std::function<std::string(const std::string& file)> lines;
};

void check_every_column(const JsonSource& source) {
  MysqlConnection primary = connect(primary_server());
  if (source.before) source.before(primary);
  primary.query("SET time_zone = '+00:00'");
  primary.query("SET sql_mode = ''");  // the zero dates
  primary.query(fmt::format("DROP DATABASE IF EXISTS {}", kDb));
  primary.query(fmt::format("CREATE DATABASE {} CHARACTER SET utf8mb4", kDb));
  std::string ddl = fmt::format("CREATE TABLE {}.t (id INT PRIMARY KEY", kDb);
  std::string columns = "id";
  std::string select = "SELECT CAST(id AS CHAR)";
  for (const Column& c : kColumns) {
    ddl += fmt::format(", {} {}", c.name, c.ddl);
    columns += std::string(", ") + c.name;
    select += ", " + fmt::format(fmt::runtime(select_of(c)), c.name);
  }
  primary.query(ddl + ")");
  select += fmt::format(" FROM {}.t ORDER BY id", kDb);
  const std::string file = flush_binary_logs();

  primary.query(fmt::format("INSERT INTO {}.t ({}) VALUES (1, {}", kDb, columns, kRow1 + 1));
  primary.query(fmt::format("INSERT INTO {}.t ({}) VALUES (2, {}", kDb, columns, kRow2 + 1));
  primary.query(fmt::format("INSERT INTO {}.t (id) VALUES (3)", kDb));  // every other column NULL
  primary.query(fmt::format("INSERT INTO {}.t ({}) VALUES (4, {}", kDb, columns, kRowEdges + 1));
  REQUIRE(primary.scalar("SHOW COUNT(*) WARNINGS") == "0");  // every edge value stored as written
  const std::vector<Row> inserted = primary.query(select);
  REQUIRE(inserted.size() == 4);
  primary.query(fmt::format(
      "UPDATE {}.t SET c_json = '[]', c_set = '', c_bit64 = 0, c_varchar = NULL, c_tiny = -1, "
      "c_timestamp2 = '2001-02-03 04:05:06.07', c_geometry = NULL, c_mediumblob = x'' WHERE id = 4",
      kDb));
  const std::vector<Row> updated = primary.query(select);
  primary.query(fmt::format("DELETE FROM {}.t WHERE id = 2", kDb));
  flush_binary_logs();
  primary.query(fmt::format("DROP DATABASE {}", kDb));

  const auto events = rows_events(source.lines(file));
  REQUIRE(events.size() == 6);  // 4 INSERTs, 1 UPDATE, 1 DELETE of one row each
  for (size_t r = 0; r < 4; ++r) {
    INFO("INSERT " << r + 1 << " " << events[r].type);
    REQUIRE(events[r].rows.size() == 1);
    const JsonValue* after = events[r].rows[0].find("after");
    REQUIRE(after != nullptr);
    CHECK(events[r].rows[0].find("before") == nullptr);
    check_image(*after, inserted[r], "INSERT");
  }
  REQUIRE(events[4].rows.size() == 1);
  const JsonValue* before = events[4].rows[0].find("before");
  const JsonValue* after = events[4].rows[0].find("after");
  REQUIRE(before != nullptr);
  REQUIRE(after != nullptr);
  check_image(*before, inserted[3], "UPDATE before");
  check_image(*after, updated[3], "UPDATE after");
  REQUIRE(events[5].rows.size() == 1);
  CHECK(events[5].rows[0].find("after") == nullptr);
  const JsonValue* deleted = events[5].rows[0].find("before");
  REQUIRE(deleted != nullptr);
  check_image(*deleted, updated[1], "DELETE");
}

TEST_CASE("mzl-binlog-tail --read --output json: every column of every row image equals the server's value") {
  check_every_column(
      JsonSource{{}, [](const std::string& file) { return read_json(primary_binlog_dir() / file); }});
}

// A server that does not log column names (binlog_row_metadata=NO_LOG, MariaDB's default): the change stream
// names them from its schema history, which sees the table created (the CREATE replayed on the scratch
// schema) and dropped; every name and value must be what the server's own FULL metadata gives above.
TEST_CASE(
    "mzl-binlog-tail streaming a NO_LOG server: names from the schema history, every value equals the "
    "server's") {
  const std::filesystem::path history =
      std::filesystem::path(MZL_BINARY_DIR) / "json-rows-schema-history.jsonl";
  std::filesystem::remove(history);
  const std::vector<std::string> stream = {"--defaults-file",  primary_server().defaults_file.string(),
                                           "--server-id",      "4711",
                                           "--output",         "json",
                                           "--schema-history", history.string()};
  std::string start;  // the GTID position before the test's first statement
  struct RestoreMetadata {
    ~RestoreMetadata() { connect(primary_server()).query("SET GLOBAL binlog_row_metadata = FULL"); }
  } restore;
  JsonSource source;
  source.before = [&](MysqlConnection& primary) {
    primary.query("SET GLOBAL binlog_row_metadata = NO_LOG");
    // The first run seeds the history from information_schema (the test's database does not exist yet).
    const ToolResult seed = run_program(tool_binary("mzl-binlog-tail"), stream,
                                        std::filesystem::path(MZL_BINARY_DIR) / "json-rows-seed");
    INFO(seed.err);
    REQUIRE(seed.exit_code == 0);
    start = primary.scalar("SELECT @@global.gtid_binlog_pos");
  };
  source.lines = [&](const std::string&) {
    std::vector<std::string> args = stream;
    args.insert(args.end(), {"--after-gtid", start});
    const ToolResult run = run_program(tool_binary("mzl-binlog-tail"), args,
                                       std::filesystem::path(MZL_BINARY_DIR) / "json-rows-stream");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.find("\"@1\"") == std::string::npos);
    return run.out;
  };
  check_every_column(source);
}

}  // namespace
}  // namespace mzl::test
