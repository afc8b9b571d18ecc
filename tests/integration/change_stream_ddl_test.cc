// The change stream's schema history against DDL (issue 18, man/mzl-binlog-tail.1 SCHEMA HISTORY): on a
// server that does not log column names (binlog_row_metadata=NO_LOG, MariaDB's default), every row must be
// named as its table was when the row was written, through ADD COLUMN ... AFTER, DROP COLUMN, CHANGE COLUMN
// (rename and retype), RENAME TABLE, and DROP TABLE + CREATE TABLE of the same name: passed while the stream
// runs, passed while it was down (followed when it starts again), and streamed again from before all of them
// (the definitions of that position, from the history file).
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

// One inserted row as the stream names it: the table, the after image's keys in order, and its id.
struct NamedRow {
  std::string database, table, keys;
  std::string id;
  bool operator==(const NamedRow&) const = default;
};

std::ostream& operator<<(std::ostream& out, const NamedRow& row) {
  return out << row.database << "." << row.table << " id " << row.id << " {" << row.keys << "}";
}

// The statements of one database; each INSERT's row, with its expected names, follows a different DDL.
std::vector<std::string> statements(const std::string& db) {
  return {
      fmt::format("CREATE DATABASE {}", db),
      fmt::format("CREATE TABLE {}.t (id INT PRIMARY KEY, a VARCHAR(10))", db),
      fmt::format("INSERT INTO {}.t VALUES (1, 'x')", db),
      fmt::format("ALTER TABLE {}.t ADD COLUMN b INT AFTER id", db),
      fmt::format("INSERT INTO {}.t VALUES (2, 20, 'y')", db),
      fmt::format("ALTER TABLE {}.t DROP COLUMN a", db),
      fmt::format("INSERT INTO {}.t VALUES (3, 30)", db),
      fmt::format("ALTER TABLE {}.t CHANGE COLUMN b c BIGINT", db),
      fmt::format("INSERT INTO {}.t VALUES (4, 40)", db),
      fmt::format("RENAME TABLE {0}.t TO {0}.t2", db),
      fmt::format("INSERT INTO {}.t2 VALUES (5, 50)", db),
      fmt::format("DROP TABLE {}.t2", db),
      // The same name again, other columns; the statement names no database (USE-style default database).
      fmt::format("CREATE TABLE t2 (id INT PRIMARY KEY, z DATE, a VARCHAR(5))"),
      fmt::format("INSERT INTO {}.t2 VALUES (6, '2024-01-01', 'q')", db),
  };
}

std::vector<NamedRow> expected_rows(const std::string& db) {
  return {{db, "t", "id,a", "1"}, {db, "t", "id,b,a", "2"}, {db, "t", "id,b", "3"},
          {db, "t", "id,c", "4"}, {db, "t2", "id,c", "5"},  {db, "t2", "id,z,a", "6"}};
}

void run_statements(const std::string& db) {
  MysqlConnection primary = connect(primary_server());
  for (const std::string& sql : statements(db)) {
    if (sql.starts_with("CREATE TABLE t2")) primary.query("USE " + db);
    primary.query(sql);
  }
}

// The rows lines of `db` in the stream's output, each reduced to its names.
std::vector<NamedRow> named_rows(const std::string& lines, const std::string& db) {
  static const std::regex rows_line(
      R"re("database":"([^"]*)","table":"([^"]*)","rows":\[\{"after":\{([^}]*)\}\}\])re");
  static const std::regex key(R"re("([A-Za-z0-9_@]+)":("[^"]*"|[^,]*))re");
  std::vector<NamedRow> out;
  std::istringstream in(lines);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch match;
    if (!std::regex_search(line, match, rows_line) || match[1] != db) continue;
    NamedRow row{match[1], match[2], "", ""};
    const std::string image = match[3];
    for (auto it = std::sregex_iterator(image.begin(), image.end(), key); it != std::sregex_iterator();
         ++it) {
      row.keys += (row.keys.empty() ? "" : ",") + (*it)[1].str();
      if ((*it)[1] == "id") row.id = (*it)[2];
    }
    out.push_back(row);
  }
  return out;
}

struct NoLogMetadata {
  NoLogMetadata() { connect(primary_server()).query("SET GLOBAL binlog_row_metadata = NO_LOG"); }
  ~NoLogMetadata() { connect(primary_server()).query("SET GLOBAL binlog_row_metadata = FULL"); }
};

TEST_CASE(
    "change stream: rows are named as their table was, through DDL passed live, while down, and again from "
    "before it") {
  const fs::path dir = fs::path(MZL_BINARY_DIR) / "change-stream-ddl";
  fs::remove_all(dir);
  fs::create_directories(dir);
  NoLogMetadata no_log;
  MysqlConnection primary = connect(primary_server());
  for (const char* db : {"mzl_ddl_live", "mzl_ddl_down"})
    primary.query(fmt::format("DROP DATABASE IF EXISTS {}", db));
  const std::vector<std::string> stream = {
      "--defaults-file",  primary_server().defaults_file.string(), "--server-id", "4712", "--output", "json",
      "--schema-history", (dir / "history.jsonl").string()};
  auto with = [](std::vector<std::string> args, std::initializer_list<std::string> more) {
    args.insert(args.end(), more);
    return args;
  };
  // The first run seeds the history; neither database exists yet.
  const ToolResult seed = run_program(tool_binary("mzl-binlog-tail"), stream, dir / "seed");
  INFO(seed.err);
  REQUIRE(seed.exit_code == 0);
  const std::string start = primary.scalar("SELECT @@global.gtid_binlog_pos");

  // Live: the stream runs while the DDL passes.
  {
    ToolProcess live(tool_binary("mzl-binlog-tail"), with(stream, {"--stop-never", "--after-gtid", start}),
                     dir / "live");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    run_statements("mzl_ddl_live");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (named_rows(live.out(), "mzl_ddl_live").size() < 6 && std::chrono::steady_clock::now() < deadline &&
           live.running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    live.signal(SIGTERM);
    const auto status = live.wait_for(std::chrono::seconds(30));
    INFO(live.err());
    REQUIRE(status);
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 0);
    CHECK(named_rows(live.out(), "mzl_ddl_live") == expected_rows("mzl_ddl_live"));
  }

  // Down: the DDL passes while no stream runs; the next run (from where the first stopped) follows it.
  const std::string before_down = primary.scalar("SELECT @@global.gtid_binlog_pos");
  run_statements("mzl_ddl_down");
  const ToolResult down =
      run_program(tool_binary("mzl-binlog-tail"), with(stream, {"--after-gtid", before_down}), dir / "down");
  INFO(down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(named_rows(down.out, "mzl_ddl_down") == expected_rows("mzl_ddl_down"));
  CHECK(named_rows(down.out, "mzl_ddl_live").empty());

  // Again from before all of it: the history gives each row the definitions of its position (today's tables
  // are the last t2 of each database, which would name every older row wrongly).
  const ToolResult again =
      run_program(tool_binary("mzl-binlog-tail"), with(stream, {"--after-gtid", start}), dir / "again");
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(named_rows(again.out, "mzl_ddl_live") == expected_rows("mzl_ddl_live"));
  CHECK(named_rows(again.out, "mzl_ddl_down") == expected_rows("mzl_ddl_down"));

  // A DDL the scratch schema cannot follow (here: an account that may not create the scratch databases)
  // stops the stream with an error naming it, never a misnamed row.
  primary.query("DROP USER IF EXISTS mzl_no_scratch@'%'");
  primary.query("CREATE USER mzl_no_scratch@'%' IDENTIFIED BY 'pw'");
  primary.query("GRANT SELECT, REPLICATION SLAVE, BINLOG MONITOR, BINLOG ADMIN ON *.* TO mzl_no_scratch@'%'");
  const fs::path cnf = dir / "no-scratch.cnf";
  {
    std::ofstream out(cnf);
    out << "[client]\nhost=127.0.0.1\nport=" << primary_server().port
        << "\nuser=mzl_no_scratch\npassword=pw\n";
  }
  const std::string before_bad = primary.scalar("SELECT @@global.gtid_binlog_pos");
  primary.query("ALTER TABLE mzl_ddl_live.t2 ADD COLUMN late INT");
  primary.query("INSERT INTO mzl_ddl_live.t2 VALUES (7, '2024-01-02', 'r', 70)");
  std::vector<std::string> restricted = stream;
  restricted[1] = cnf.string();
  fs::copy_file(dir / "history.jsonl", dir / "history-restricted.jsonl");
  restricted.back() = (dir / "history-restricted.jsonl").string();
  const ToolResult bad = run_program(tool_binary("mzl-binlog-tail"),
                                     with(restricted, {"--after-gtid", before_bad}), dir / "bad");
  INFO(bad.err);
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("cannot follow the DDL") != std::string::npos);
  CHECK(bad.err.find("ALTER TABLE mzl_ddl_live.t2 ADD COLUMN late INT") != std::string::npos);
  CHECK(named_rows(bad.out, "mzl_ddl_live").empty());
  primary.query("DROP USER mzl_no_scratch@'%'");
  for (const char* db : {"mzl_ddl_live", "mzl_ddl_down"})
    primary.query(fmt::format("DROP DATABASE IF EXISTS {}", db));
}

// --format maxwell on a NO_LOG server: Maxwell's documented fields in its order (database, table, type, ts,
// xid, commit on the transaction's last row, data, old with only the changed columns), names from the
// history.
TEST_CASE("change stream --format maxwell: Maxwell's lines, field by field") {
  const fs::path dir = fs::path(MZL_BINARY_DIR) / "change-stream-maxwell";
  fs::remove_all(dir);
  fs::create_directories(dir);
  NoLogMetadata no_log;
  MysqlConnection primary = connect(primary_server());
  primary.query("DROP DATABASE IF EXISTS mzl_maxwell");
  primary.query("CREATE DATABASE mzl_maxwell");
  primary.query(
      "CREATE TABLE mzl_maxwell.t (id INT UNSIGNED PRIMARY KEY, name VARCHAR(20), price DECIMAL(6,2), "
      "tags SET('a','b','c'), at DATETIME(3))");
  const std::string start = primary.scalar("SELECT @@global.gtid_binlog_pos");
  primary.query("BEGIN");
  primary.query("INSERT INTO mzl_maxwell.t VALUES (1, 'one', 12.50, 'a,c', '2024-01-02 03:04:05.678')");
  primary.query("INSERT INTO mzl_maxwell.t VALUES (4294967295, NULL, -1.00, '', NULL)");
  primary.query("COMMIT");
  primary.query("UPDATE mzl_maxwell.t SET name = 'uno' WHERE id = 1");
  primary.query("DELETE FROM mzl_maxwell.t WHERE id = 4294967295");
  const ToolResult run = run_program(
      tool_binary("mzl-binlog-tail"),
      {"--defaults-file", primary_server().defaults_file.string(), "--server-id", "4713", "--format",
       "maxwell", "--schema-history", (dir / "history.jsonl").string(), "--after-gtid", start},
      dir / "maxwell");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // Every line is a row change (Maxwell writes nothing else by default).
  std::vector<std::string> lines;
  std::istringstream in(run.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 4);
  const std::string head = R"re(^\{"database":"mzl_maxwell","table":"t","type":")re";
  const std::string stamp = R"re(","ts":[0-9]{10},"xid":[0-9]+,)re";
  CHECK(std::regex_match(
      lines[0],
      std::regex(
          head + "insert" + stamp +
          R"re("data":\{"id":1,"name":"one","price":12.50,"tags":\["a","c"\],"at":"2024-01-02 03:04:05.678"\}\}$)re")));
  CHECK(std::regex_match(
      lines[1],
      std::regex(
          head + "insert" + stamp +
          R"re("commit":true,"data":\{"id":4294967295,"name":null,"price":-1.00,"tags":\[\],"at":null\}\}$)re")));
  CHECK(std::regex_match(
      lines[2],
      std::regex(
          head + "update" + stamp +
          R"re("commit":true,"data":\{"id":1,"name":"uno","price":12.50,"tags":\["a","c"\],"at":"2024-01-02 03:04:05.678"\},"old":\{"name":"one"\}\}$)re")));
  CHECK(std::regex_match(
      lines[3],
      std::regex(
          head + "delete" + stamp +
          R"re("commit":true,"data":\{"id":4294967295,"name":null,"price":-1.00,"tags":\[\],"at":null\}\}$)re")));
  // One transaction's rows share its xid.
  const std::regex xid(R"re("xid":([0-9]+))re");
  std::smatch a, b;
  REQUIRE(std::regex_search(lines[0], a, xid));
  REQUIRE(std::regex_search(lines[1], b, xid));
  CHECK(a[1] == b[1]);
  primary.query("DROP DATABASE mzl_maxwell");
}

}  // namespace
}  // namespace mzl::test
