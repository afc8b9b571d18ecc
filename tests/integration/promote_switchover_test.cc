// mzl-promote --switchover under load: clients (an application account, without the privileges that write
// through read_only) commit single-row transactions to whichever server is writable, as behind a proxy, and
// log every commit that returned. The switchover hands the primary's role to a replica: every acknowledged
// commit is on the new primary, the old primary and the other replica replicate from it and end
// checksum-equal, and the write downtime is printed. A switchover to a server that is not a replica is
// refused and changes nothing.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <mysql.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kClients = 2;
constexpr unsigned kPortOffset = 70;

std::string address(unsigned port) {
  return fmt::format("127.0.0.1:{}", port);
}

struct Client {
  std::vector<uint64_t> acknowledged;
  std::atomic<uint64_t> committed{0};
  uint64_t reconnects = 0;
};

// Connects to the writable one of `cnfs` (nullptr when none is writable now).
MYSQL* connect_writable(const std::vector<fs::path>& cnfs) {
  for (const fs::path& cnf : cnfs) {
    MYSQL* mysql = mysql_init(nullptr);
    mysql_options(mysql, MYSQL_READ_DEFAULT_FILE, cnf.c_str());
    if (mysql_real_connect(mysql, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) != nullptr &&
        mysql_query(mysql, "SELECT @@global.read_only") == 0) {
      MYSQL_RES* result = mysql_store_result(mysql);
      MYSQL_ROW row = result ? mysql_fetch_row(result) : nullptr;
      const bool writable = row && row[0] && std::string(row[0]) == "0";
      if (result) mysql_free_result(result);
      if (writable) return mysql;
    }
    mysql_close(mysql);
  }
  return nullptr;
}

// Commits (client, seq) rows to the writable server until told to stop; a failed commit is retried (with the
// same seq) on whichever server is writable then. No Catch2 assertions here (not thread-safe).
void run_client(const std::vector<fs::path>& cnfs, int id, const std::atomic<bool>& stop, Client& result) {
  MYSQL* mysql = nullptr;
  uint64_t seq = 0;
  while (!stop.load()) {
    if (mysql == nullptr) {
      mysql = connect_writable(cnfs);
      if (mysql == nullptr) {
        std::this_thread::sleep_for(2ms);
        continue;
      }
      ++result.reconnects;
    }
    const std::string sql = fmt::format("INSERT IGNORE INTO zl.t (client, seq) VALUES ({}, {})", id, seq);
    if (mysql_query(mysql, sql.c_str()) != 0) {
      mysql_close(mysql);
      mysql = nullptr;
      continue;
    }
    result.acknowledged.push_back(seq++);
    result.committed.fetch_add(1);
  }
  if (mysql) mysql_close(mysql);
}

uint64_t total_committed(const std::vector<Client>& clients) {
  uint64_t n = 0;
  for (const auto& c : clients) n += c.committed.load();
  return n;
}

void wait_committed(const std::vector<Client>& clients, uint64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (total_committed(clients) < n) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(1ms);
  }
}

TEST_CASE(
    "mzl-promote --switchover under load loses nothing, repoints everyone and prints its write downtime") {
  OwnSandbox own("sandbox-promote-switchover", kPortOffset, 3);
  const unsigned port = own.port();
  const std::string servers = fmt::format("{},{},{}", address(port), address(port + 1), address(port + 2));
  const fs::path repo = own.dir() / "repo";
  fs::create_directories(repo);

  MysqlConnection primary(own.client_cnf(1));
  primary.query("CREATE DATABASE zl");
  primary.query(
      "CREATE TABLE zl.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT, seq BIGINT, "
      "UNIQUE KEY (client, seq))");
  primary.query("CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-password'");
  primary.query("GRANT SELECT, INSERT ON zl.* TO 'app'@'127.0.0.1'");
  std::vector<fs::path> app_cnfs;
  for (int i = 1; i <= 3; ++i) {
    const fs::path cnf = own.dir() / fmt::format("app-{}.cnf", i);
    std::ofstream(cnf) << fmt::format("[client]\nhost=127.0.0.1\nport={}\nuser=app\npassword=app-password\n",
                                      port + i - 1);
    app_cnfs.push_back(cnf);
  }

  // A switchover to a server that replicates from no one is refused, and changes nothing.
  ToolResult refused = run_program(tool_binary("mzl-promote"),
                                   {"--defaults-file", own.client_cnf(1).string(), "--servers", servers,
                                    "--switchover", "--candidate", address(port)},
                                   own.dir() / "switchover-refused");
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("is not a reachable replica"));
  CHECK(primary.scalar("SELECT @@global.read_only") == "0");

  std::atomic<bool> stop{false};
  std::vector<Client> clients(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back(run_client, std::cref(app_cnfs), i, std::cref(stop), std::ref(clients[i]));
  }
  wait_committed(clients, 300);
  ToolResult r = run_program(tool_binary("mzl-promote"),
                             {"--defaults-file", own.client_cnf(1).string(), "--servers", servers, "--repo",
                              repo.string(), "--switchover", "--candidate", address(port + 2)},
                             own.dir() / "switchover");
  INFO("switchover: exit " << r.exit_code << "\n" << r.out << r.err);
  const uint64_t at_switchover = total_committed(clients);
  wait_committed(clients, at_switchover + 300);  // the clients write to the new primary
  stop = true;
  for (auto& t : threads) t.join();
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("switchover: promoted"));
  CHECK_THAT(r.out, Catch::Contains("write downtime: "));
  CHECK_THAT(r.out, Catch::Contains("nothing acknowledged lost: yes"));

  MysqlConnection new_primary(own.client_cnf(3));
  CHECK(new_primary.scalar("SELECT @@global.read_only") == "0");
  CHECK(new_primary.query("SHOW ALL SLAVES STATUS").empty());
  const std::string position = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  const std::string checksum = new_primary.query("CHECKSUM TABLE zl.t").at(0).at(1);
  for (int i : {1, 2}) {
    MysqlConnection follower(own.client_cnf(i));
    INFO("server " << i);
    CHECK(follower.scalar("SELECT @@global.read_only") == "1");
    CHECK(follower.scalar(fmt::format("SELECT MASTER_GTID_WAIT('{}', 30)", position)) == "0");
    const auto channel = follower.query("SHOW ALL SLAVES STATUS");
    REQUIRE(channel.size() == 1);
    CHECK(channel[0].at(5) == std::to_string(port + 2));
    CHECK(follower.query("CHECKSUM TABLE zl.t").at(0).at(1) == checksum);
  }
  for (int i = 0; i < kClients; ++i) {
    INFO("client " << i << ": " << clients[i].acknowledged.size() << " acknowledged, "
                   << clients[i].reconnects << " connections");
    CHECK(clients[i].reconnects >= 2);  // it moved to the new primary
    const uint64_t held =
        std::stoull(new_primary.scalar(fmt::format("SELECT COUNT(*) FROM zl.t WHERE client = {}", i)));
    CHECK(held == clients[i].acknowledged.size());
  }
}

}  // namespace
}  // namespace mzl::test
