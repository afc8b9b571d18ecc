// mzl-verify tables run as a real process against the sandbox primary and its replica 2: identical servers
// compare equal (also while sysbench writes to the primary: the replica is brought to the primary's GTID, so
// lag is not a difference) and the replica keeps replicating afterwards; rows changed on the replica behind
// replication's back (sql_log_bin=0) are each named by primary key, in a 1,000,000-row table too; NULL vs ''
// is a difference; a table on one side only is named; a wrong password is exit 3.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kScratch = "verify-tables-tests";

std::string dsn(const SandboxServer& s) {
  return fmt::format("h={},P={}", s.host, s.port);
}

ToolResult compare(const fs::path& log, const std::string& databases, std::vector<std::string> more = {}) {
  std::vector<std::string> args{"tables",
                                "--defaults-file",
                                primary_server().defaults_file.string(),
                                "--source",
                                dsn(primary_server()),
                                "--target",
                                dsn(sandbox_server(2)),
                                "--databases",
                                databases};
  args.insert(args.end(), more.begin(), more.end());
  return run_program(tool_binary("mzl-verify"), args, log);
}

void create_data(MysqlConnection& db, int big_rows) {
  db.query("DROP DATABASE IF EXISTS vt");
  db.query("CREATE DATABASE vt");
  db.query("CREATE TABLE vt.big (id INT PRIMARY KEY, v VARCHAR(60), n INT NULL, b VARBINARY(8))");
  db.query(fmt::format(
      "INSERT INTO vt.big SELECT seq, CONCAT('row ', seq), IF(seq % 5 = 0, NULL, seq), UNHEX(HEX(seq)) "
      "FROM vt.seq_1_to_{}",
      big_rows));
  db.query("ANALYZE TABLE vt.big");
  db.query("CREATE TABLE vt.strkey (k VARCHAR(10) PRIMARY KEY, v VARCHAR(10) NULL) DEFAULT CHARSET=utf8mb4");
  db.query("INSERT INTO vt.strkey VALUES ('a', ''), ('b', NULL), ('c', 'x'), ('é', 'ü')");
  db.query("CREATE TABLE vt.nokey (a INT, b TEXT)");
  db.query("INSERT INTO vt.nokey VALUES (1, 'x'), (1, 'x'), (NULL, NULL)");
}

bool replica_running(int i) {
  auto db = connect(sandbox_server(i));
  const auto rows = db.query("SHOW SLAVE STATUS");
  // Slave_IO_Running and Slave_SQL_Running are the 11th and 12th columns of SHOW SLAVE STATUS.
  return !rows.empty() && rows[0].at(10) == "Yes" && rows[0].at(11) == "Yes";
}

TEST_CASE("mzl-verify tables: a replica compares equal, then every row changed behind replication is named") {
  const fs::path dir = sandbox_scratch_dir(kScratch, "replica");
  auto primary = connect(primary_server());
  create_data(primary, 1'000'000);
  primary.query("DROP DATABASE IF EXISTS vt_sb");
  wait_replica_caught_up(2, 120);

  ToolResult same = compare(dir / "same", "vt");
  INFO(same.out << same.err);
  REQUIRE(same.exit_code == 0);
  CHECK(same.out.find("3 tables") != std::string::npos);
  CHECK(same.out.find("identical") != std::string::npos);
  CHECK(replica_running(2));

  {
    auto replica = connect(sandbox_server(2));
    replica.query("SET SESSION sql_log_bin = 0");
    replica.query("UPDATE vt.big SET v = 'changed' WHERE id = 777777");
    replica.query("DELETE FROM vt.big WHERE id = 5");
    replica.query("INSERT INTO vt.strkey VALUES ('zz', 'new')");
    replica.query("UPDATE vt.strkey SET v = NULL WHERE k = 'a'");  // '' -> NULL
    replica.query("CREATE TABLE vt.extra (i INT PRIMARY KEY)");
  }
  ToolResult diff = compare(dir / "diff", "vt", {"--json"});
  INFO(diff.out << diff.err);
  CHECK(diff.exit_code == 1);
  CHECK(diff.out.find(R"({"table":"`vt`.`big`","key":"id=777777","what":"differs"})") != std::string::npos);
  CHECK(diff.out.find(R"({"table":"`vt`.`big`","key":"id=5","what":"only on the source"})") !=
        std::string::npos);
  CHECK(diff.out.find(R"({"table":"`vt`.`strkey`","key":"k='zz'","what":"only on the target"})") !=
        std::string::npos);
  CHECK(diff.out.find(R"({"table":"`vt`.`strkey`","key":"k='a'","what":"differs"})") != std::string::npos);
  CHECK(diff.out.find(R"("where":"`vt`.`extra`","offset":null,"what":"only on the target)") !=
        std::string::npos);
  // Only the chunks holding id 5 and 777777 of the big table differ (it is split into 10 by --chunk-rows).
  const std::string big_chunk = R"({"table":"`vt`.`big`")";
  size_t chunks = 0;
  for (size_t at = diff.out.find(big_chunk + R"(,"range")"); at != std::string::npos;
       at = diff.out.find(big_chunk + R"(,"range")", at + 1)) {
    ++chunks;
  }
  CHECK(chunks == 2);
  CHECK(replica_running(2));

  // Cleanup: the database goes away on both through replication; the replica-only table with it.
  primary.query("DROP DATABASE vt");
  wait_replica_caught_up(2, 120);
}

TEST_CASE("mzl-verify tables: identical while sysbench writes to the primary, a wrong password is exit 3") {
  const fs::path dir = sandbox_scratch_dir(kScratch, "sysbench");
  auto primary = connect(primary_server());
  create_data(primary, 20'000);
  primary.query("DROP DATABASE IF EXISTS vt_sb");
  primary.query("CREATE DATABASE vt_sb");
  const auto p = primary_server();
  const std::string sysbench = fmt::format(
      "sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port={} --mysql-user={} "
      "--mysql-password={} --mysql-db=vt_sb --tables=4 --table-size=20000",
      p.port, kSandboxUser, kSandboxPassword);
  const std::string log = (dir / "sysbench.log").string();
  REQUIRE(std::system(fmt::format("{} prepare >'{}' 2>&1", sysbench, log).c_str()) == 0);
  wait_replica_caught_up(2, 120);
  int sysbench_status = -1;
  std::thread writer([&] {
    sysbench_status =
        std::system(fmt::format("{} --threads=2 --time=10 run >>'{}' 2>&1", sysbench, log).c_str());
  });
  std::vector<int> codes;
  std::string outputs;
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    ToolResult r = compare(dir / fmt::format("run{}", i), "vt,vt_sb",
                           i == 1 ? std::vector<std::string>{"--chunk-rows", "5000"}
                                  : std::vector<std::string>{"--chunk-rows", "5000", "--chunks-only"});
    codes.push_back(r.exit_code);
    outputs += r.out + r.err;
  }
  writer.join();
  INFO(outputs);
  REQUIRE(sysbench_status == 0);
  for (int code : codes) CHECK(code == 0);
  CHECK(outputs.find("7 tables, 7 equal by CHECKSUM TABLE") != std::string::npos);
  CHECK(outputs.find("7 tables, 0 equal by CHECKSUM TABLE, the others in 2") != std::string::npos);
  CHECK(replica_running(2));

  const fs::path wrong = dir / "wrong.cnf";
  { std::ofstream(wrong) << "[client]\nuser=mzl\npassword=not-the-password\n"; }
  fs::permissions(wrong, fs::perms::owner_read | fs::perms::owner_write);
  ToolResult denied =
      run_program(tool_binary("mzl-verify"),
                  {"tables", "--defaults-file", primary_server().defaults_file.string(), "--source",
                   dsn(primary_server()), "--target", dsn(sandbox_server(2)) + ",F=" + wrong.string()},
                  dir / "denied");
  INFO(denied.err);
  CHECK(denied.exit_code == 3);
  CHECK(denied.err.find(std::to_string(sandbox_server(2).port)) != std::string::npos);
  CHECK(replica_running(2));

  primary.query("DROP DATABASE vt");
  primary.query("DROP DATABASE vt_sb");
  wait_replica_caught_up(2, 120);
}

}  // namespace
}  // namespace mzl::test
