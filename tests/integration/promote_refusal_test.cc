// mzl-promote refuses, with a clear message, and changes nothing (GTID positions, read_only and replication
// threads compared before and after), when: the primary is alive for its replicas though mzl-promote cannot
// reach it (a partition: here the primary refuses mzl-promote's login); no replica can be promoted (one with
// errant transactions in a domain of its own, the other broken: its SQL thread stopped with an error); and
// nothing can be reached (exit 3). A 3-server sandbox of the test's own.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <signal.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr unsigned kPortOffset = 80;

std::string address(unsigned port) {
  return fmt::format("127.0.0.1:{}", port);
}

// What must not change: per server its GTID positions, read_only and replication threads.
std::vector<std::string> look(const OwnSandbox& own, std::vector<int> servers) {
  std::vector<std::string> out;
  for (int i : servers) {
    MysqlConnection c(own.client_cnf(i));
    std::string s = c.scalar(
        "SELECT CONCAT(@@global.gtid_binlog_pos, '/', @@global.gtid_slave_pos, '/', "
        "@@global.read_only)");
    for (const auto& row : c.query("SHOW ALL SLAVES STATUS")) {
      s += "/" + row.at(3) + ":" + row.at(5) + "/" + row.at(12) + "/" + row.at(13);  // host, port, IO, SQL
    }
    out.push_back(s);
  }
  return out;
}

void wait_caught_up(const OwnSandbox& own, int replica) {
  const std::string position = MysqlConnection(own.client_cnf(1)).scalar("SELECT @@global.gtid_binlog_pos");
  REQUIRE(MysqlConnection(own.client_cnf(replica))
              .scalar(fmt::format("SELECT MASTER_GTID_WAIT('{}', 30)", position)) == "0");
}

ToolResult promote(const OwnSandbox& own, const std::string& log, std::vector<std::string> more) {
  std::vector<std::string> args{
      "--defaults-file",
      own.client_cnf(2).string(),
      "--servers",
      fmt::format("{},{},{}", address(own.port()), address(own.port() + 1), address(own.port() + 2)),
      "--repo",
      (own.dir() / "repo").string()};
  args.insert(args.end(), more.begin(), more.end());
  ToolResult r = run_program(tool_binary("mzl-promote"), args, own.dir() / log);
  UNSCOPED_INFO(log << ": exit " << r.exit_code << "\n" << r.out << r.err);
  return r;
}

TEST_CASE(
    "mzl-promote refuses a partitioned primary, a topology without a candidate, and nothing reachable, "
    "changing nothing") {
  OwnSandbox own("sandbox-promote-refusal", kPortOffset, 3);
  fs::create_directories(own.dir() / "repo");
  MysqlConnection primary(own.client_cnf(1));
  primary.query("CREATE DATABASE zl");
  primary.query("CREATE TABLE zl.t (id INT PRIMARY KEY)");
  primary.query("INSERT INTO zl.t VALUES (1)");
  wait_caught_up(own, 2);
  wait_caught_up(own, 3);

  SECTION("a primary its replicas still receive from is not failed over") {
    // mzl-promote cannot log in to the primary; the replicas' IO threads stay connected to it.
    primary.query("SET SESSION sql_log_bin = 0");
    primary.query("ALTER USER 'mzl'@'127.0.0.1' IDENTIFIED BY 'not-the-sandbox-password'");
    const auto before = look(own, {2, 3});
    ToolResult r = promote(own, "partitioned", {"--confirm-timeout", "0.5"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err,
               Catch::Contains("still receives from it") && Catch::Contains("alive behind a partition"));
    CHECK(look(own, {2, 3}) == before);
    primary.query("ALTER USER 'mzl'@'127.0.0.1' IDENTIFIED BY 'mzl-sandbox'");
  }

  SECTION("no candidate: one replica errant, the other broken") {
    {
      MysqlConnection errant(own.client_cnf(3));
      errant.query("SET SESSION gtid_domain_id = 99");
      errant.query("INSERT INTO zl.t VALUES (99)");
      MysqlConnection broken(own.client_cnf(2));
      broken.query("SET SESSION sql_log_bin = 0");
      broken.query("INSERT INTO zl.t VALUES (2)");
    }
    primary.query("INSERT INTO zl.t VALUES (2)");  // a duplicate key on replica 2: its SQL thread stops
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (MysqlConnection(own.client_cnf(2)).query("SHOW ALL SLAVES STATUS").at(0).at(13) != "No") {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE(::kill(own.server_pid(), SIGKILL) == 0);
    std::this_thread::sleep_for(500ms);
    const auto before = look(own, {2, 3});
    ToolResult r = promote(own, "no-candidate", {});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out,
               Catch::Contains(address(own.port() + 1) + ": broken: its SQL thread stopped with error 1062"));
    CHECK_THAT(r.out, Catch::Contains(address(own.port() + 2) + ": errant transactions 99-3-"));
    CHECK_THAT(r.err, Catch::Contains("no replica can be promoted"));
    CHECK(look(own, {2, 3}) == before);
    // The refusal is on record.
    CHECK(fs::is_directory(own.dir() / "repo" / "failovers"));
  }

  SECTION("a failing --hook-pre aborts the failover before anything changed") {
    REQUIRE(::kill(own.server_pid(), SIGKILL) == 0);
    std::this_thread::sleep_for(500ms);
    const auto before = look(own, {2, 3});
    ToolResult r =
        promote(own, "hook-pre-fails", {"--source", "none", "--hook-pre", "echo vip busy; exit 7"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("no archive of source 'none'"));
    ToolResult no_repo = run_program(
        tool_binary("mzl-promote"),
        {"--defaults-file", own.client_cnf(2).string(), "--servers",
         fmt::format("{},{},{}", address(own.port()), address(own.port() + 1), address(own.port() + 2)),
         "--hook-pre", "echo vip busy; exit 7"},
        own.dir() / "hook-pre-fails-no-repo");
    INFO(no_repo.out << no_repo.err);
    CHECK(no_repo.exit_code == 1);
    CHECK_THAT(no_repo.err, Catch::Contains("the command exited with status 7"));
    CHECK_THAT(no_repo.err, Catch::Contains("vip busy"));  // its output goes to standard error
    CHECK(look(own, {2, 3}) == before);
  }

  SECTION("nothing reachable is exit 3") {
    ToolResult r =
        run_program(tool_binary("mzl-promote"),
                    {"--defaults-file", own.client_cnf(2).string(), "--servers", "127.0.0.1:1,127.0.0.1:2"},
                    own.dir() / "unreachable");
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("no server could be reached"));
  }
}

}  // namespace
}  // namespace mzl::test
