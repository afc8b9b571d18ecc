// mzl-pitr-restore --flashback against the sandbox primary: a table is changed by a bad UPDATE and a bad
// DELETE (and another table by good writes in the same range); the flashback of that range, limited to the
// damaged table, brings the table back to its CHECKSUM TABLE before the mistakes and leaves the other table
// as it is. --sql prints the same undo as BINLOG statements for the mariadb client.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>

#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSource = "flashback-primary";

std::string checksum(MysqlConnection& db, const std::string& table) {
  return db.query("CHECKSUM TABLE " + table + " EXTENDED").at(0).at(1);
}

TEST_CASE("mzl-pitr-restore --flashback undoes a DELETE and an UPDATE exactly, only in the tables named") {
  const SandboxServer primary_info = primary_server();
  const fs::path dir = sandbox_scratch_dir("pitr-tests", "flashback");
  const fs::path repo = dir / "repo";
  MysqlConnection primary = connect(primary_info);
  primary.query("DROP DATABASE IF EXISTS mzl_flash");
  primary.query("CREATE DATABASE mzl_flash");
  const std::string first_file = primary.query("SHOW MASTER STATUS").at(0).at(0);
  primary.query(
      "CREATE TABLE mzl_flash.t (id INT PRIMARY KEY, v INT, s VARCHAR(20) CHARACTER SET utf8mb4, b BLOB, "
      "d DATETIME(6), n DECIMAL(10,2) NULL)");
  primary.query("CREATE TABLE mzl_flash.other (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20))");
  primary.query(
      "INSERT INTO mzl_flash.t SELECT seq, seq * 7, CONCAT('s', seq, 'é'), UNHEX(MD5(seq)), "
      "'2026-01-02 03:04:05.123456' + INTERVAL seq SECOND, IF(seq % 10 = 0, NULL, seq / 4) "
      "FROM test.seq_1_to_2000");
  const std::string before = checksum(primary, "mzl_flash.t");
  const auto start = primary.query("SHOW MASTER STATUS").at(0);

  // The mistakes, in several transactions and statements, with good writes to another table between them.
  primary.query("UPDATE mzl_flash.t SET v = v * 2, s = 'oops', b = NULL WHERE id % 3 = 0");
  primary.query("INSERT INTO mzl_flash.other (note) VALUES ('kept 1')");
  primary.query("DELETE FROM mzl_flash.t WHERE id > 1500");
  primary.query("START TRANSACTION");
  primary.query("UPDATE mzl_flash.t SET n = NULL WHERE id < 100");
  primary.query("INSERT INTO mzl_flash.t VALUES (5000, 1, 'new', NULL, NULL, NULL)");
  primary.query("INSERT INTO mzl_flash.other (note) VALUES ('kept 2')");
  primary.query("COMMIT");
  const std::string other = checksum(primary, "mzl_flash.other");
  REQUIRE(checksum(primary, "mzl_flash.t") != before);

  ToolResult tail =
      run_program(tool_binary("mzl-binlog-tail"),
                  {"--defaults-file", primary_info.defaults_file.string(), "--repo", repo.string(),
                   "--source", kSource, "--server-id", "7801", "--start-file", first_file},
                  dir / "tail");
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);

  const std::vector<std::string> range{"--repo",
                                       repo.string(),
                                       "--source",
                                       kSource,
                                       "--flashback",
                                       "--start-position",
                                       start.at(0) + ":" + start.at(1),
                                       "--to-latest",
                                       "--tables",
                                       "mzl_flash.t"};
  std::vector<std::string> sql_args = range;
  sql_args.push_back("--sql");
  ToolResult sql = run_program(tool_binary("mzl-pitr-restore"), sql_args, dir / "sql");
  INFO(sql.err);
  REQUIRE(sql.exit_code == 0);
  CHECK(sql.out.find("BINLOG '") != std::string::npos);
  CHECK(checksum(primary, "mzl_flash.t") != before);  // --sql changed nothing

  std::vector<std::string> apply_args{"--defaults-file", primary_info.defaults_file.string()};
  apply_args.insert(apply_args.end(), range.begin(), range.end());
  ToolResult undo = run_program(tool_binary("mzl-pitr-restore"), apply_args, dir / "undo");
  INFO(undo.err);
  REQUIRE(undo.exit_code == 0);
  CHECK(undo.out.find("3 transactions") != std::string::npos);
  CHECK(checksum(primary, "mzl_flash.t") == before);
  CHECK(checksum(primary, "mzl_flash.other") == other);
  CHECK(primary.scalar("SELECT COUNT(*) FROM mzl_flash.t") == "2000");

  // A statement in the range cannot be undone: refused, naming it, and nothing is changed.
  const auto ddl_start = primary.query("SHOW MASTER STATUS").at(0);
  primary.query("ALTER TABLE mzl_flash.other ADD COLUMN extra INT");
  REQUIRE(run_program(tool_binary("mzl-binlog-tail"),
                      {"--defaults-file", primary_info.defaults_file.string(), "--repo", repo.string(),
                       "--source", kSource, "--server-id", "7801"},
                      dir / "tail2")
              .exit_code == 0);
  std::vector<std::string> ddl_args{"--defaults-file",
                                    primary_info.defaults_file.string(),
                                    "--repo",
                                    repo.string(),
                                    "--source",
                                    kSource,
                                    "--flashback",
                                    "--start-position",
                                    ddl_start.at(0) + ":" + ddl_start.at(1),
                                    "--to-latest"};
  ToolResult refused = run_program(tool_binary("mzl-pitr-restore"), ddl_args, dir / "ddl");
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("ALTER TABLE") != std::string::npos);
  CHECK(checksum(primary, "mzl_flash.t") == before);
}

}  // namespace
}  // namespace mzl::test
