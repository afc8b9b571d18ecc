// mzl-pitr-restore run as a real process: sysbench writes to the sandbox primary while mzl-binlog-tail
// archives it and mzl-snapshot takes a snapshot; the test records every table's CHECKSUM TABLE and the GTID
// at several instants (after the load, after more writes, before a DELETE of half a table, at the end).
// Each instant, restored into a server of the test's own (fresh databases each time) by time, GTID, GTID
// before, binlog position, to the latest (parallel replay with 4 and 8 sessions, and serial), and through
// `--sql | mariadb`, compares equal table by table; the rows the DELETE removed come back. A copy under
// another name (--rename-database, also of one table with --tables) restores beside the live database, which
// stays as it was. A repository with
// a binlog file missing in the middle is refused.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <thread>

#include "mzl/archive/archive_state.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kDb = "mzl_pitr";
constexpr const char* kSource = "pitr-primary";
constexpr const char* kTables[] = {"sbtest1", "sbtest2", "notes", "wide"};  // wide: NULL until created

using Checksums = std::map<std::string, std::string>;

struct Instant {
  std::string gtid;  // @@gtid_binlog_pos of the primary
  Checksums checksums;
};

Checksums checksums_of(MysqlConnection& db, const std::string& database = kDb) {
  Checksums out;
  for (const char* table : kTables) {
    out[table] = db.query(fmt::format("CHECKSUM TABLE {}.{} EXTENDED", database, table)).at(0).at(1);
  }
  return out;
}

Instant instant_of(MysqlConnection& primary) {
  return Instant{primary.scalar("SELECT @@gtid_binlog_pos"), checksums_of(primary)};
}

void run_ok(const std::string& program, const std::vector<std::string>& args, const fs::path& log) {
  ToolResult r = run_program(program, args, log);
  INFO(program << " " << r.err);
  REQUIRE(r.exit_code == 0);
}

// Waits until the archive's state says it holds `gtid` (the primary's position after the last write).
void wait_archived(const fs::path& repo, const std::string& gtid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string held;
  while (std::chrono::steady_clock::now() < deadline) {
    const fs::path state_file = repo / "binlogs" / kSource / "state.json";
    auto state = archive::decode_archive_state(file_text(state_file), state_file.string());
    if (state.ok() && state->gtid_position == gtid) return;
    if (state.ok()) held = state->gtid_position;
    std::this_thread::sleep_for(milliseconds(100));
  }
  FAIL("the archive holds " << held << ", never " << gtid);
}

class PitrTarget {
 public:
  PitrTarget() : sandbox_("sandbox-pitr", 20) {
    MysqlConnection admin(sandbox_.client_cnf());
    admin.query("SET GLOBAL server_id = 7702");  // not the source's identity (both sandboxes start at 1)
  }
  // Empties the target's copy of the database, restores with `stop` and returns the result.
  ToolResult restore(const fs::path& repo, std::vector<std::string> stop, const fs::path& log) {
    MysqlConnection admin(sandbox_.client_cnf());
    admin.query(fmt::format("DROP DATABASE IF EXISTS {}", kDb));
    admin.query("DROP DATABASE IF EXISTS mzl_pitr_copy");
    admin.query("DROP DATABASE IF EXISTS mzl_pitr_part");
    std::vector<std::string> args{"--defaults-file", sandbox_.client_cnf().string(), "--repo", repo.string()};
    args.insert(args.end(), stop.begin(), stop.end());
    return run_program(tool_binary("mzl-pitr-restore"), args, log);
  }
  // Restores into the target as it is (nothing dropped first).
  ToolResult restore_beside(const fs::path& repo, std::vector<std::string> more, const fs::path& log) {
    std::vector<std::string> args{"--defaults-file", sandbox_.client_cnf().string(), "--repo", repo.string()};
    args.insert(args.end(), more.begin(), more.end());
    return run_program(tool_binary("mzl-pitr-restore"), args, log);
  }
  Checksums checksums(const std::string& database = kDb) {
    MysqlConnection db(sandbox_.client_cnf());
    return checksums_of(db, database);
  }
  std::string scalar(const std::string& sql) {
    MysqlConnection db(sandbox_.client_cnf());
    return db.scalar(sql);
  }
  fs::path client_cnf() const { return sandbox_.client_cnf(); }

 private:
  OwnSandbox sandbox_;
};

// The last GTID of domain 0 in a position ("0-1-42" of "0-1-42,1-2-7").
std::string domain0(const std::string& position) {
  for (size_t start = 0; start < position.size();) {
    size_t end = position.find(',', start);
    if (end == std::string::npos) end = position.size();
    std::string one = position.substr(start, end - start);
    if (one.rfind("0-", 0) == 0) return one;
    start = end + 1;
  }
  FAIL("no domain 0 in " << position);
  return "";
}

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%SZ", &tm);
  return text;
}

TEST_CASE("mzl-pitr-restore: each recorded instant restores equal, by time, GTID, position and as SQL") {
  const SandboxServer primary_server_info = primary_server();
  const fs::path dir = sandbox_scratch_dir("pitr-tests", "instants");
  const fs::path repo = dir / "repo";
  MysqlConnection primary = connect(primary_server_info);
  primary.query(fmt::format("DROP DATABASE IF EXISTS {}", kDb));
  primary.query(fmt::format("CREATE DATABASE {}", kDb));
  primary.query(fmt::format("USE {}", kDb));  // this session's statements have a default database
  const std::string first_file = primary.query("SHOW MASTER STATUS").at(0).at(0);
  run_ok("/usr/bin/sysbench",
         sysbench_args(primary_server_info, kDb,
                       {"--tables=2", "--table-size=5000", "oltp_write_only", "prepare"}),
         dir / "prepare");
  primary.query(fmt::format(
      "CREATE TABLE {}.notes (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100) CHARACTER SET utf8mb4, "
      "at DATETIME(6) DEFAULT NOW(6), n DECIMAL(12,3))",
      kDb));

  ToolProcess tail(tool_binary("mzl-binlog-tail"),
                   {"--defaults-file", primary_server_info.defaults_file.string(), "--repo", repo.string(),
                    "--source", kSource, "--server-id", "7701", "--start-file", first_file, "--stop-never"},
                   dir / "tail");

  // Snapshot while sysbench writes.
  ToolProcess load("/usr/bin/sysbench",
                   sysbench_args(primary_server_info, kDb,
                                 {"--tables=2", "--table-size=5000", "--threads=2", "--time=4",
                                  "--report-interval=0", "oltp_write_only", "run"}),
                   dir / "sysbench");
  std::this_thread::sleep_for(milliseconds(1000));
  run_ok(tool_binary("mzl-snapshot"),
         snapshot_args(repo,
                       {"--source", kSource, "--databases", kDb, "--threads", "2", "--chunk-rows", "2000"}),
         dir / "snapshot");
  auto status = load.wait_for(milliseconds(60000));
  REQUIRE(status.has_value());
  REQUIRE(WEXITSTATUS(*status) == 0);

  // Statement-logged writes too: user variables, RAND(), LAST_INSERT_ID(), NOW(6), a temporary table.
  primary.query("SET SESSION binlog_format = 'STATEMENT'");
  primary.query("SET NAMES utf8mb4");
  primary.query("SET @note = 'größer ☃' COLLATE utf8mb4_unicode_ci, @n = CAST(1234.567 AS DECIMAL(12,3))");
  primary.query(fmt::format("INSERT INTO {}.notes (note, n) VALUES (@note, @n)", kDb));
  primary.query(
      fmt::format("INSERT INTO {}.notes (note, n) VALUES (CONCAT('r', FLOOR(RAND() * 1e6)), "
                  "LAST_INSERT_ID())",
                  kDb));
  primary.query(fmt::format("CREATE TEMPORARY TABLE {}.scratch (v INT)", kDb));
  primary.query(fmt::format("INSERT INTO {}.scratch VALUES (7), (8)", kDb));
  primary.query(
      fmt::format("INSERT INTO {0}.notes (note, n) SELECT 'from scratch', v FROM {0}.scratch", kDb));
  primary.query(fmt::format("DROP TEMPORARY TABLE {}.scratch", kDb));
  primary.query("SET SESSION binlog_format = 'ROW'");
  const Instant a = instant_of(primary);

  // Every transaction after `stop_time` is stamped at or after it; every one before, before it.
  std::this_thread::sleep_for(milliseconds(1100));
  const auto stop_time = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  primary.query("FLUSH BINARY LOGS");  // the archive spans several files
  run_ok("/usr/bin/sysbench",
         sysbench_args(primary_server_info, kDb,
                       {"--tables=2", "--table-size=5000", "--threads=1", "--events=200", "--time=0",
                        "--report-interval=0", "oltp_write_only", "run"}),
         dir / "sysbench-b");
  primary.query("FLUSH BINARY LOGS");
  primary.query(fmt::format("UPDATE {}.notes SET note = CONCAT(note, '!') WHERE id % 2 = 1", kDb));
  // Row statements larger than one BINLOG statement carries (4 MiB of events): cut inside the statement.
  primary.query(fmt::format("CREATE TABLE {}.wide (id INT PRIMARY KEY, pad CHAR(100))", kDb));
  primary.query(
      fmt::format("INSERT INTO {}.wide SELECT seq, REPEAT('x', 100) FROM test.seq_1_to_60000", kDb));
  primary.query(fmt::format("UPDATE {}.wide SET pad = REPEAT('y', 100) WHERE id % 3 = 0", kDb));
  const Instant b = instant_of(primary);

  // A statement-logged write without a default database: a filtered replay cannot attribute it.
  primary.query(fmt::format("CREATE TABLE {}.loose (id INT PRIMARY KEY)", kDb));
  {
    MysqlConnection no_database = connect(primary_server_info);
    no_database.query("SET SESSION binlog_format = 'STATEMENT'");
    no_database.query(fmt::format("INSERT INTO {}.loose VALUES (1)", kDb));
  }

  // The mistake, then more writes.
  const auto before_delete = primary.query("SHOW MASTER STATUS").at(0);
  const std::string rows_before = primary.scalar(fmt::format("SELECT COUNT(*) FROM {}.sbtest1", kDb));
  primary.query(fmt::format("DELETE FROM {}.sbtest1 WHERE id % 2 = 0", kDb));
  const std::string delete_gtid = domain0(primary.scalar("SELECT @@gtid_binlog_pos"));
  primary.query(fmt::format("INSERT INTO {}.notes (note) VALUES ('after the mistake')", kDb));
  const Instant c = instant_of(primary);
  REQUIRE(b.checksums != c.checksums);
  REQUIRE(a.checksums != b.checksums);

  wait_archived(repo, c.gtid);
  tail.signal(SIGTERM);
  REQUIRE(tail.wait_for(milliseconds(30000)).has_value());

  PitrTarget target;
  struct Case {
    std::string name;
    std::vector<std::string> args;
    const Instant* expected;
  };
  const std::vector<Case> cases{
      {"datetime", {"--stop-datetime", utc_text(stop_time)}, &a},
      {"gtid", {"--stop-gtid", domain0(b.gtid)}, &b},
      {"before-delete", {"--stop-gtid", delete_gtid, "--stop-before-gtid"}, &b},
      {"position", {"--stop-position", before_delete.at(0) + ":" + before_delete.at(1)}, &b},
      {"latest", {"--to-latest", "--threads", "3"}, &c},  // served where it applies (--replay-mode auto)
      // The statement replay: parallel (4 sessions by default) and serial give the same data.
      {"latest-statements", {"--to-latest", "--replay-mode", "statements"}, &c},
      {"latest-serial", {"--to-latest", "--replay-threads", "1", "--replay-mode", "statements"}, &c},
      {"latest-8-sessions", {"--to-latest", "--replay-threads", "8", "--replay-mode", "statements"}, &c},
  };
  for (const Case& test : cases) {
    INFO("restore by " << test.name);
    ToolResult r = target.restore(repo, test.args, dir / ("restore-" + test.name));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(target.checksums() == test.expected->checksums);
  }
  // Stopped just before the DELETE, the deleted rows are back.
  REQUIRE(target.restore(repo, {"--stop-gtid", delete_gtid, "--stop-before-gtid"}, dir / "undo").exit_code ==
          0);
  CHECK(target.scalar(fmt::format("SELECT COUNT(*) FROM {}.sbtest1", kDb)) == rows_before);

  // --dry-run: the plan, nothing changed.
  ToolResult plan =
      run_program(tool_binary("mzl-pitr-restore"),
                  {"--repo", repo.string(), "--dry-run", "--stop-gtid", domain0(b.gtid)}, dir / "plan");
  INFO(plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(plan.out.find("plan: snapshot") != std::string::npos);
  CHECK(plan.out.find("last GTID " + domain0(b.gtid)) != std::string::npos);
  CHECK(plan.out.find("estimated") != std::string::npos);
  // A stop GTID past the archive's end is refused, naming where the archive ends; a dry run applies nothing
  // and does not claim to.
  ToolResult past =
      run_program(tool_binary("mzl-pitr-restore"),
                  {"--repo", repo.string(), "--dry-run", "--stop-gtid", "0-1-999999999"}, dir / "plan-past");
  INFO(past.err);
  CHECK(past.exit_code != 0);
  CHECK(past.err.find(
            "GTID 0-1-999999999 is not in the archive after the start point (its transactions end at") !=
        std::string::npos);
  CHECK(past.err.find("replayed") == std::string::npos);
  CHECK(past.err.find("applied") == std::string::npos);

  // --sql: the snapshot alone (stopped at its own coordinates), then the replay through the mariadb client.
  auto snapshot_id = snapshot::list_snapshot_ids(repo.string());
  REQUIRE(snapshot_id.ok());
  auto manifest = snapshot::read_manifest(snapshot::snapshot_dir(repo.string(), snapshot_id->back()));
  REQUIRE(manifest.ok());
  const std::string at_snapshot = manifest->binlog.file + ":" + std::to_string(manifest->binlog.position);
  REQUIRE(target.restore(repo, {"--stop-position", at_snapshot}, dir / "snapshot-only").exit_code == 0);
  ToolResult sql =
      run_program(tool_binary("mzl-pitr-restore"),
                  {"--repo", repo.string(), "--sql", "--stop-gtid", domain0(b.gtid)}, dir / "sql");
  INFO(sql.err);
  REQUIRE(sql.exit_code == 0);
  ToolResult client = run_program("/usr/bin/mariadb", {"--defaults-file=" + target.client_cnf().string()},
                                  dir / "client", {}, milliseconds(120000), dir / "sql.out");
  INFO(client.err);
  REQUIRE(client.exit_code == 0);
  CHECK(target.checksums() == b.checksums);

  // Beside the live database (now at instant B), a renamed copy at the latest instant; the live one is not
  // touched. The statement without a default database is skipped, with a warning (man page: partial
  // restores).
  ToolResult copy = target.restore_beside(
      repo, {"--rename-database", std::string(kDb) + ":mzl_pitr_copy", "--to-latest", "--json"},
      dir / "copy");
  INFO(copy.err);
  REQUIRE(copy.exit_code == 0);
  CHECK(target.checksums() == b.checksums);
  const Checksums copied = target.checksums("mzl_pitr_copy");
  CHECK(copied == c.checksums);
  CHECK(copy.out.find("\"statements_skipped_by_filter\":1}") != std::string::npos);
  CHECK(target.scalar("SELECT COUNT(*) FROM mzl_pitr_copy.loose") == "0");
  // One table, renamed: only it is restored and replayed.
  ToolResult part = target.restore_beside(repo,
                                          {"--tables", std::string(kDb) + ".sbtest2", "--rename-database",
                                           std::string(kDb) + ":mzl_pitr_part", "--to-latest"},
                                          dir / "part");
  INFO(part.err);
  REQUIRE(part.exit_code == 0);
  CHECK(target.scalar("SELECT GROUP_CONCAT(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                      "'mzl_pitr_part'") == "sbtest2");
  CHECK(target.checksums("mzl_pitr_part").at("sbtest2") == c.checksums.at("sbtest2"));
  CHECK(target.checksums() == b.checksums);

  // A binlog file missing in the middle of the archive: refused, naming the gap, before anything is loaded.
  const fs::path damaged = dir / "damaged";
  fs::copy(repo, damaged, fs::copy_options::recursive);
  const auto number = std::stoul(manifest->binlog.file.substr(manifest->binlog.file.rfind('.') + 1)) + 1;
  const std::string middle =
      fmt::format("{}.{:06}", manifest->binlog.file.substr(0, manifest->binlog.file.rfind('.')), number);
  REQUIRE(fs::remove(damaged / "binlogs" / kSource / middle));
  ToolResult gap = target.restore(damaged, {"--to-latest"}, dir / "gap");
  CHECK(gap.exit_code == 1);
  CHECK(gap.err.find(middle) != std::string::npos);
  CHECK(gap.err.find("gap") != std::string::npos);
  CHECK(target.scalar(fmt::format("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{}'",
                                  kDb)) == "0");
}

}  // namespace
}  // namespace mzl::test
