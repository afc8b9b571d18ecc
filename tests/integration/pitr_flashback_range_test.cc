// mzl-pitr-restore --flashback with the range chosen by time and by GTID, and its --sql output run through
// the mariadb client: after each, the table on the sandbox primary must hold exactly the rows it held before
// the undone transactions (CHECKSUM TABLE and every row), while the changes just outside the range stay.
// The expected contents are the server's own: a copy of the table taken at the right moment, to which the
// changes that must survive are applied by the same statements.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <thread>

#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDb = "mzl_flash_range";

struct TableState {
  std::string checksum;
  std::vector<Row> rows;
  bool operator==(const TableState&) const = default;
};

TableState state_of(MysqlConnection& db, const std::string& table) {
  return TableState{db.query(fmt::format("CHECKSUM TABLE {}.{} EXTENDED", kDb, table)).at(0).at(1),
                    db.query(fmt::format("SELECT * FROM {}.{} ORDER BY id", kDb, table))};
}

// A fresh database with table t (and an empty copy `expected` of the same definition).
void create_table(MysqlConnection& primary) {
  primary.query(fmt::format("DROP DATABASE IF EXISTS {}", kDb));
  primary.query(fmt::format("CREATE DATABASE {} CHARACTER SET utf8mb4", kDb));
  primary.query(fmt::format(
      "CREATE TABLE {}.t (id INT PRIMARY KEY, v INT, s VARCHAR(30), d DATETIME(6), n DECIMAL(12,3) NULL, "
      "b VARBINARY(20))",
      kDb));
  primary.query(fmt::format(
      "INSERT INTO {}.t SELECT seq, seq * 3, CONCAT('row ', seq, ' ✓'), '2025-06-01 00:00:00.5' + INTERVAL "
      "seq MINUTE, IF(seq % 7 = 0, NULL, seq / 8), UNHEX(SHA1(seq)) FROM test.seq_1_to_500",
      kDb));
  primary.query(fmt::format("CREATE TABLE {0}.expected LIKE {0}.t", kDb));
}

void snapshot_expected(MysqlConnection& primary) {
  primary.query(fmt::format("DELETE FROM {}.expected", kDb));
  primary.query(fmt::format("INSERT INTO {0}.expected SELECT * FROM {0}.t", kDb));
}

// The damage: several transactions that update, delete and insert rows of t.
void damage(MysqlConnection& primary, std::vector<std::string>* gtids = nullptr) {
  const std::vector<std::string> statements = {
      fmt::format("UPDATE {}.t SET v = -v, s = 'oops', b = NULL WHERE id % 4 = 0", kDb),
      fmt::format("DELETE FROM {}.t WHERE id BETWEEN 300 AND 420", kDb),
      fmt::format("INSERT INTO {}.t VALUES (9001, 1, 'intruder', NULL, 1.5, x'00')", kDb),
      fmt::format("UPDATE {}.t SET n = n * 100, d = d + INTERVAL 1 DAY WHERE id < 50", kDb),
  };
  for (const std::string& sql : statements) {
    primary.query(sql);
    if (gtids) gtids->push_back(primary.scalar("SELECT @@session.last_gtid"));
  }
}

void archive(const fs::path& repo, const std::string& source, const std::string& first_file,
             const fs::path& log) {
  ToolResult tail =
      run_program(tool_binary("mzl-binlog-tail"),
                  {"--defaults-file", primary_server().defaults_file.string(), "--repo", repo.string(),
                   "--source", source, "--server-id", "7821", "--start-file", first_file},
                  log);
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);
}

ToolResult flashback(const fs::path& repo, std::vector<std::string> range, const fs::path& log,
                     bool sql = false) {
  std::vector<std::string> args{"--repo", repo.string(), "--flashback", "--tables", fmt::format("{}.t", kDb)};
  if (sql) {
    args.push_back("--sql");
  } else {
    args.insert(args.begin(), {"--defaults-file", primary_server().defaults_file.string()});
  }
  args.insert(args.end(), range.begin(), range.end());
  return run_program(tool_binary("mzl-pitr-restore"), args, log);
}

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
  return text;
}

TEST_CASE("mzl-pitr-restore --flashback --start-datetime undoes from that second on, not before") {
  const fs::path dir = sandbox_scratch_dir("flashback-range", "datetime");
  MysqlConnection primary = connect(primary_server());
  const std::string first_file = primary.query("SHOW MASTER STATUS").at(0).at(0);
  create_table(primary);
  // A change just before the start time, which must stay.
  primary.query(fmt::format("UPDATE {}.t SET s = 'kept' WHERE id = 8", kDb));
  snapshot_expected(primary);
  const TableState before = state_of(primary, "expected");

  // Every transaction from here on is stamped at or after `start`; the ones above, before it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto start = std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now());
  std::this_thread::sleep_until(start);
  damage(primary);
  REQUIRE(!(state_of(primary, "t") == before));
  archive(dir / "repo", "flash-dt", first_file, dir / "tail");

  ToolResult undo =
      flashback(dir / "repo", {"--start-datetime", utc_text(start), "--to-latest"}, dir / "undo");
  INFO(undo.err);
  REQUIRE(undo.exit_code == 0);
  CHECK(state_of(primary, "t") == before);
  CHECK(primary.scalar(fmt::format("SELECT s FROM {}.t WHERE id = 8", kDb)) == "kept");
  primary.query(fmt::format("DROP DATABASE {}", kDb));
}

TEST_CASE("mzl-pitr-restore --flashback --start-gtid to --stop-gtid undoes exactly those transactions") {
  const fs::path dir = sandbox_scratch_dir("flashback-range", "gtid");
  MysqlConnection primary = connect(primary_server());
  const std::string first_file = primary.query("SHOW MASTER STATUS").at(0).at(0);
  create_table(primary);
  primary.query(fmt::format("UPDATE {}.t SET s = 'before range' WHERE id = 9", kDb));
  snapshot_expected(primary);

  std::vector<std::string> gtids;
  damage(primary, &gtids);
  REQUIRE(gtids.size() == 4);
  // After the range: changes to rows the range did not touch; they stay, in t and in the expected copy.
  const std::string later =
      "UPDATE {}.{} SET v = v + 1000, s = 'after range' WHERE id IN (451, 453, 455, 499)";
  primary.query(fmt::format(fmt::runtime(later), kDb, "t"));
  primary.query(fmt::format(fmt::runtime(later), kDb, "expected"));
  const TableState expected = state_of(primary, "expected");
  archive(dir / "repo", "flash-gtid", first_file, dir / "tail");

  ToolResult undo =
      flashback(dir / "repo", {"--start-gtid", gtids.front(), "--stop-gtid", gtids.back()}, dir / "undo");
  INFO(undo.err);
  REQUIRE(undo.exit_code == 0);
  CHECK(state_of(primary, "t") == expected);
  primary.query(fmt::format("DROP DATABASE {}", kDb));
}

TEST_CASE("mzl-pitr-restore --flashback --sql run by the mariadb client restores the table") {
  const fs::path dir = sandbox_scratch_dir("flashback-range", "sql");
  MysqlConnection primary = connect(primary_server());
  const std::string first_file = primary.query("SHOW MASTER STATUS").at(0).at(0);
  create_table(primary);
  snapshot_expected(primary);
  const TableState before = state_of(primary, "expected");
  const auto start = primary.query("SHOW MASTER STATUS").at(0);
  damage(primary);
  const TableState damaged = state_of(primary, "t");
  REQUIRE(!(damaged == before));
  archive(dir / "repo", "flash-sql", first_file, dir / "tail");

  ToolResult sql = flashback(
      dir / "repo", {"--start-position", start.at(0) + ":" + start.at(1), "--to-latest"}, dir / "sql", true);
  INFO(sql.err);
  REQUIRE(sql.exit_code == 0);
  CHECK(state_of(primary, "t") == damaged);  // printing the undo changes nothing

  ToolResult client =
      run_program("/usr/bin/mariadb", {"--defaults-file=" + primary_server().defaults_file.string()},
                  dir / "client", {}, std::chrono::milliseconds(120000), dir / "sql.out");
  INFO(client.err);
  REQUIRE(client.exit_code == 0);
  CHECK(state_of(primary, "t") == before);
  primary.query(fmt::format("DROP DATABASE {}", kDb));
}

}  // namespace
}  // namespace mzl::test
