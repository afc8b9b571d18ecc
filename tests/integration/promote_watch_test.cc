// mzl-promote --watch against real servers (man/mzl-promote.1, WATCHING): each test has a 3-server sandbox of
// its own (a primary and two GTID replicas).
//   - SIGKILL of the primary, with the archiver as its semi-synchronous replica and a client committing: the
//     watcher (--auto-failover) fails over within failcount x interval + 2 s, with every acknowledged commit
//     on the new primary; the new primary killed in its turn is not failed over (--cooldown), not even by a
//     watcher started again (the cooldown counts from the repository's newest record).
//   - The watcher's own route to the primary cut (a TCP proxy it reaches the primary through stops), the
//     replicas still receiving: no failover, an "unconfirmed" alert, cleared when the route is back.
//   - A replica whose SQL thread is stopped: the average lag rule fires after its periods and clears once
//     the thread runs again; the p99 rule runs the diagnosis command (windows shortened by the settings,
//     which come from an option file's [mzl-promote] group).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "tcp_proxy.h"
#include "tool_process.h"
#include "watch_test_support.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The watcher's command line: the sandbox's servers (or `servers`), short checks, and the given flags.
std::vector<std::string> watch_args(const OwnSandbox& own, const std::string& servers,
                                    std::vector<std::string> more) {
  std::vector<std::string> args{
      "--defaults-file", own.client_cnf(2).string(), "--servers", servers, "--watch", "--json"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE(
    "mzl-promote --watch --auto-failover: SIGKILL of the primary is failed over within failcount x interval "
    "+ 2 s with nothing acknowledged lost, and the cooldown holds") {
  OwnSandbox own("sandbox-promote-watch", 100, 3);
  const unsigned port = own.port();
  const std::string servers = fmt::format("{},{},{}", address(port), address(port + 1), address(port + 2));
  const fs::path repo = own.dir() / "repo", logs = own.dir() / "logs";
  fs::create_directories(repo);
  fs::create_directories(logs);

  MysqlConnection primary(own.client_cnf(1));
  primary.query("CREATE DATABASE zl");
  primary.query("CREATE TABLE zl.t (seq BIGINT PRIMARY KEY)");
  primary.query("SET GLOBAL rpl_semi_sync_master_timeout = 60000");
  primary.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'");
  primary.query("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
  primary.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");
  ToolProcess tail(tool_binary("mzl-binlog-tail"),
                   {"--defaults-file=" + own.client_cnf(1).string(), "--repo", repo.string(), "--source",
                    "p1", "--server-id", "4242", "--stop-never", "--semi-sync", "--heartbeat", "500"},
                   logs / "tail");
  REQUIRE(wait_until(
      [&] { return primary.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'")[0][1] == "1"; },
      20s));

  const unsigned failcount = 5;
  const auto interval = 200ms;
  ToolProcess watcher(tool_binary("mzl-promote"),
                      watch_args(own, servers,
                                 {"--auto-failover", "--interval", "200ms", "--failcount",
                                  std::to_string(failcount), "--cooldown", "10m", "--repo", repo.string(),
                                  "--metrics-file", (logs / "watch.prom").string()}),
                      logs / "watch");
  // Running: the first check saw the primary, and the replicas' lag (heartbeat) and the archive's are
  // measured.
  REQUIRE(wait_until(
      [&] {
        const std::string m = file_text(logs / "watch.prom");
        return m.find(fmt::format("mzl_watch_lag_seconds{{target=\"{}\"}}", address(port + 2))) !=
                   std::string::npos &&
               m.find("mzl_watch_lag_seconds{target=\"archive:p1\"}") != std::string::npos;
      },
      20s));
  INFO(watcher.out() << watcher.err());
  CHECK(watcher.out().find("\"kind\":\"primary\",\"state\":\"info\"") != std::string::npos);

  // A client commits; each commit that returns is acknowledged (the archiver has it on disk).
  std::atomic<bool> stop{false};
  std::vector<uint64_t> acknowledged;
  std::thread client([&] {
    std::string error;
    auto c = MysqlConnection::try_connect(own.client_cnf(1), &error);
    for (uint64_t seq = 1; c && !stop; ++seq) {
      if (mysql_query(c->handle(), fmt::format("INSERT INTO zl.t VALUES ({})", seq).c_str()) != 0) break;
      acknowledged.push_back(seq);
    }
  });
  std::this_thread::sleep_for(1s);
  const auto killed_at = Clock::now();
  REQUIRE(::kill(server_pid(own, 1), SIGKILL) == 0);
  stop = true;
  client.join();
  REQUIRE(acknowledged.size() > 10);

  const auto limit = interval * failcount + 2s;
  const bool failed_over = wait_until(
      [&] { return watcher.out().find("\"message\":\"promoted 127.0.0.1") != std::string::npos; }, 30s);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at);
  INFO("watcher: " << watcher.out() << watcher.err());
  REQUIRE(failed_over);
  CHECK(took <= limit + 100ms);  // the 50 ms polling of this test
  WARN("SIGKILL to failover done: " << took.count() << " ms (limit " << limit.count() << " ms)");
  CHECK(watcher.out().find("\"kind\":\"primary_lost\",\"state\":\"firing\"") != std::string::npos);
  CHECK(watcher.out().find("nothing acknowledged lost") != std::string::npos);

  // The new primary (the watcher's record names it) holds every acknowledged commit and takes writes.
  const int new_index =
      watcher.out().find(fmt::format("promoted {}", address(port + 1))) != std::string::npos ? 2 : 3;
  MysqlConnection promoted(own.client_cnf(new_index));
  CHECK(promoted.scalar("SELECT @@global.read_only") == "0");
  CHECK(std::stoull(promoted.scalar(fmt::format("SELECT COUNT(*) FROM zl.t WHERE seq <= {}",
                                                acknowledged.back()))) == acknowledged.size());
  promoted.query("INSERT INTO zl.t VALUES (1000000)");
  CHECK(wait_until(
      [&] {
        return file_text(logs / "watch.prom").find("mzl_watch_failovers_total 1\n") != std::string::npos;
      },
      5s));

  // The new primary dies too, within the cooldown: the watcher says so and does not fail over again.
  REQUIRE(::kill(server_pid(own, new_index), SIGKILL) == 0);
  CHECK(
      wait_until([&] { return watcher.out().find("\"kind\":\"failover_suppressed\"") != std::string::npos; },
                 limit + 5s));
  std::this_thread::sleep_for(1s);
  CHECK(count_of(watcher.out(), "\"message\":\"promoted ") == 1);
  CHECK(count_of(watcher.out(), "failing over: the primary") == 1);

  watcher.signal(SIGTERM);
  const auto status = watcher.wait_for(10s);
  REQUIRE(status.has_value());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK(watcher.err().find("1 failover(s)") != std::string::npos);

  // A watcher started again within the cooldown takes it from the repository's record: no second failover.
  ToolProcess again(tool_binary("mzl-promote"),
                    watch_args(own, servers,
                               {"--auto-failover", "--interval", "200ms", "--failcount",
                                std::to_string(failcount), "--cooldown", "10m", "--repo", repo.string()}),
                    logs / "watch-again");
  CHECK(wait_until([&] { return again.out().find("\"kind\":\"failover_suppressed\"") != std::string::npos; },
                   limit + 10s));
  INFO("again: " << again.out() << again.err());
  CHECK(again.out().find("failing over: the primary") == std::string::npos);
  again.signal(SIGTERM);
  CHECK(again.wait_for(10s).has_value());
}

TEST_CASE("mzl-promote --watch: a watcher that only loses its own route to the primary does not fail over") {
  OwnSandbox own("sandbox-promote-watch-route", 104, 3);
  const unsigned port = own.port();
  const unsigned proxy_port = port + 3;
  TcpProxy route(proxy_port, port);
  // The watcher reaches the primary through the proxy; the replicas name it by its own port (matched by
  // server_id, remembered while it answered).
  const std::string servers =
      fmt::format("{},{},{}", address(proxy_port), address(port + 1), address(port + 2));
  const fs::path logs = own.dir() / "logs";
  fs::create_directories(logs);
  ToolProcess watcher(
      tool_binary("mzl-promote"),
      watch_args(own, servers, {"--auto-failover", "--interval", "200ms", "--failcount", "3"}),
      logs / "watch");
  REQUIRE(wait_until(
      [&] { return watcher.out().find("\"kind\":\"primary\",\"state\":\"info\"") != std::string::npos; },
      20s));
  route.close();
  const bool alerted = wait_until(
      [&] {
        return watcher.out().find("\"kind\":\"primary_unconfirmed\",\"state\":\"firing\"") !=
               std::string::npos;
      },
      10s);
  INFO(watcher.out() << watcher.err());
  REQUIRE(alerted);
  CHECK(watcher.out().find("still receives from it") != std::string::npos);
  std::this_thread::sleep_for(2s);  // ten more checks
  CHECK(watcher.out().find("failing over: the primary") == std::string::npos);
  CHECK(watcher.out().find("\"primary_lost\"") == std::string::npos);
  CHECK(MysqlConnection(own.client_cnf(1)).scalar("SELECT @@global.read_only") == "0");
  CHECK(MysqlConnection(own.client_cnf(2)).scalar("SELECT @@global.read_only") == "1");
  CHECK(MysqlConnection(own.client_cnf(3)).scalar("SELECT @@global.read_only") == "1");
  route.listen();
  CHECK(wait_until(
      [&] { return watcher.out().find("\"kind\":\"primary\",\"state\":\"cleared\"") != std::string::npos; },
      10s));
  watcher.signal(SIGTERM);
  REQUIRE(watcher.wait_for(10s).has_value());
}

TEST_CASE(
    "mzl-promote --watch: lag rules on a replica whose SQL thread stops, the average alert fires after its "
    "periods and clears, the p99 runs the diagnosis") {
  OwnSandbox own("sandbox-promote-watch-lag", 108, 3);
  const unsigned port = own.port();
  const std::string servers = fmt::format("{},{},{}", address(port), address(port + 1), address(port + 2));
  const fs::path logs = own.dir() / "logs";
  fs::create_directories(logs);
  const std::string record =
      "echo \"$MZL_ALERT_KIND $MZL_ALERT_STATE $MZL_ALERT_TARGET $MZL_ALERT_VALUE\" >> ";
  // The settings come from the option file's [mzl-promote] group, as the systemd unit has them (flags without
  // a value included); the commands from the command line.
  const fs::path cnf = own.dir() / "watch.cnf";
  {
    std::ofstream out(cnf);
    out << file_text(own.client_cnf(2)) << "\n[mzl-promote]\nservers=" << servers
        << "\nwatch\njson\ninterval=250ms\nlag-average-window=2s\nlag-average-threshold=1\n"
           "lag-average-periods=3\nlag-p99-window=4s\nlag-p99-threshold=3\n";
  }
  ToolProcess watcher(
      tool_binary("mzl-promote"),
      {"--defaults-file", cnf.string(), "--alert-command", record + (logs / "alerts").string(),
       "--diagnose-command", record + (logs / "diagnoses").string()},
      logs / "watch");
  const std::string lagging = address(port + 2);
  REQUIRE(wait_until([&] { return watcher.out().find("\"kind\":\"primary\"") != std::string::npos; }, 20s));
  std::this_thread::sleep_for(1s);
  CHECK(file_text(logs / "alerts").empty());  // healthy: no lag alert

  MysqlConnection replica(own.client_cnf(3));
  replica.query("STOP SLAVE SQL_THREAD");
  const auto stopped_at = Clock::now();
  const bool average_fired = wait_until(
      [&] { return file_text(logs / "alerts").find("lag_average firing " + lagging) != std::string::npos; },
      20s);
  const auto fired_after = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stopped_at);
  INFO(watcher.out() << watcher.err());
  REQUIRE(average_fired);
  // The 2 s average of a lag growing 1 s per second passes 1 s after about 2 s; three periods of 250 ms more.
  CHECK(fired_after >= 1500ms);
  CHECK(wait_until(
      [&] { return file_text(logs / "diagnoses").find("lag_p99 firing " + lagging) != std::string::npos; },
      20s));
  CHECK(file_text(logs / "alerts").find(address(port + 1)) ==
        std::string::npos);  // the other replica is fine

  replica.query("START SLAVE SQL_THREAD");
  CHECK(wait_until(
      [&] { return file_text(logs / "alerts").find("lag_average cleared " + lagging) != std::string::npos; },
      20s));
  CHECK(wait_until(
      [&] { return watcher.out().find("\"kind\":\"lag_p99\",\"state\":\"cleared\"") != std::string::npos; },
      20s));
  CHECK(count_of(file_text(logs / "alerts"), "lag_average firing") == 1);
  watcher.signal(SIGTERM);
  REQUIRE(watcher.wait_for(10s).has_value());
}

}  // namespace mzl::test
