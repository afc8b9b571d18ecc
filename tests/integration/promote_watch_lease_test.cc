// mzl-promote --watch --lease against real servers and a real etcd (Debian's etcd-server, started by the
// test on loopback ports): two watchers share one lease.
//   - 20 repetitions: the primary of the moment is SIGKILLed; exactly one of the two watchers fails over
//     (the holder of the lease), never both; the killed server is restarted and rejoined as a replica before
//     the next round. The new primary records the holder's term (mzl.failover_term).
//   - A holder frozen (SIGSTOP) past the lease's TTL loses it: the other watcher wins a newer term and fails
//     over the primary killed meanwhile; the frozen one, woken, reports that it lost the lease and never
//     acts.
//   - Servers that record a newer term than the watcher's (another watcher acted since) refuse its failover.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "lease/etcd_fixture.h"
#include "mzl/lease/http_post.h"
#include "mzl/util/base64.h"
#include "sandbox.h"
#include "tool_process.h"
#include "watch_test_support.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::vector<std::string> watcher_args(const OwnSandbox& own, const std::string& servers,
                                      const std::string& lease, const std::string& name) {
  return {"--defaults-file",
          own.client_cnf(2).string(),
          "--servers",
          servers,
          "--watch",
          "--json",
          "--auto-failover",
          "--interval",
          "200ms",
          "--failcount",
          "3",
          "--cooldown",
          "0",
          "--lease",
          lease,
          "--lease-ttl",
          "2s",
          "--watcher-name",
          name,
          "--heartbeat-table",
          ""};
}

// The value of `key` in etcd ("" when it has none), read over the v3 JSON gateway.
std::string etcd_value(const EtcdServer& etcd, const std::string& key) {
  const std::string k(key);
  auto answer =
      http_post(etcd.address(), "/v3/kv/range",
                fmt::format(R"({{"key":"{}"}})",
                            base64_encode(Bytes(reinterpret_cast<const uint8_t*>(k.data()), k.size()))),
                5s);
  REQUIRE(answer.ok());
  const std::string marker = "\"value\":\"";
  const size_t at = answer->body.find(marker);
  if (at == std::string::npos) return "";
  const size_t end = answer->body.find('"', at + marker.size());
  return decode_base64(std::string_view(answer->body).substr(at + marker.size(), end - at - marker.size()))
      .value_or("<not base64>");
}

// The sandbox server (1..3) that is the writable primary now, by asking each.
int writable_server(const OwnSandbox& own) {
  for (int i = 1; i <= 3; ++i) {
    std::string error;
    auto c = MysqlConnection::try_connect(own.client_cnf(i), &error);
    if (c && c->scalar("SELECT @@global.read_only") == "0") return i;
  }
  return 0;
}

}  // namespace

TEST_CASE(
    "mzl-promote --watch --lease: two watchers sharing an etcd lease produce exactly one failover, 20 times "
    "in a row") {
  EtcdServer etcd;
  if (!etcd.running()) return;
  OwnSandbox own("sandbox-promote-watch-lease", 112, 3);
  const unsigned port = own.port();
  const std::string servers = fmt::format("{},{},{}", address(port), address(port + 1), address(port + 2));
  const fs::path repo = own.dir() / "repo", logs = own.dir() / "logs";
  fs::create_directories(repo);
  fs::create_directories(logs);
  const std::string lease = etcd.lease_url("mzl/test/watch");
  ToolProcess a(tool_binary("mzl-promote"), watcher_args(own, servers, lease, "watcher-a"), logs / "a");
  ToolProcess b(tool_binary("mzl-promote"), watcher_args(own, servers, lease, "watcher-b"), logs / "b");
  REQUIRE(wait_until([&] { return count_of(a.out() + b.out(), "\"kind\":\"lease\"") == 1; }, 20s));
  MysqlConnection(own.client_cnf(1)).query("CREATE DATABASE zl");

  const int rounds = 20;
  uint64_t last_term = 0;
  for (int round = 1; round <= rounds; ++round) {
    INFO("round " << round << "\nwatcher a: " << a.out() << a.err() << "\nwatcher b: " << b.out() << b.err());
    const int primary = writable_server(own);
    REQUIRE(primary != 0);
    MysqlConnection(own.client_cnf(primary))
        .query(fmt::format("CREATE TABLE IF NOT EXISTS zl.round{} (id INT PRIMARY KEY)", round));
    std::this_thread::sleep_for(300ms);  // the replicas have it
    REQUIRE(::kill(server_pid(own, primary), SIGKILL) == 0);
    const size_t before = static_cast<size_t>(round - 1);
    REQUIRE(wait_until([&] { return count_of(a.out() + b.out(), "\"message\":\"promoted ") > before; }, 20s));
    std::this_thread::sleep_for(1500ms);  // a second failover would come within this
    CHECK(count_of(a.out() + b.out(), "\"message\":\"promoted ") == before + 1);
    CHECK(count_of(a.out() + b.out(), "failing over: the primary") == before + 1);

    const int promoted = writable_server(own);
    REQUIRE(promoted != 0);
    REQUIRE(promoted != primary);
    MysqlConnection now_primary(own.client_cnf(promoted));
    const uint64_t term = std::stoull(now_primary.scalar("SELECT term FROM mzl.failover_term WHERE id = 1"));
    CHECK(term >= last_term);
    last_term = term;
    CHECK(
        now_primary.scalar(fmt::format("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                                       "'zl' AND table_name = 'round{}'",
                                       round)) == "1");

    // The killed server comes back and rejoins as a replica of the new primary.
    own.start_server(primary);
    ToolResult rejoin =
        run_program(tool_binary("mzl-promote"),
                    {"--defaults-file", own.client_cnf(2).string(), "--servers", servers, "--repo",
                     repo.string(), "--rejoin", address(port + static_cast<unsigned>(primary) - 1)},
                    logs / fmt::format("rejoin{}", round));
    INFO(rejoin.out << rejoin.err);
    REQUIRE(rejoin.exit_code == 0);
    REQUIRE(wait_until(
        [&] {
          return run_program(tool_binary("mzl-promote"),
                             {"--defaults-file", own.client_cnf(2).string(), "--servers", servers, "--check"},
                             logs / "check")
                     .exit_code == 0;
        },
        20s));
  }
  a.signal(SIGTERM);
  b.signal(SIGTERM);
  CHECK(a.wait_for(10s).has_value());
  CHECK(b.wait_for(10s).has_value());
}

TEST_CASE(
    "mzl-promote --watch --lease: a holder frozen past its lease's TTL loses it, the other fails over under "
    "a "
    "newer term, and the woken one does not act") {
  EtcdServer etcd;
  if (!etcd.running()) return;
  OwnSandbox own("sandbox-promote-watch-expiry", 116, 3);
  const unsigned port = own.port();
  const std::string servers = fmt::format("{},{},{}", address(port), address(port + 1), address(port + 2));
  const fs::path repo = own.dir() / "repo", logs = own.dir() / "logs";
  fs::create_directories(repo);
  fs::create_directories(logs);
  const std::string lease = etcd.lease_url("mzl/test/expiry");
  ToolProcess first(tool_binary("mzl-promote"), watcher_args(own, servers, lease, "first"), logs / "first");
  REQUIRE(wait_until([&] { return first.out().find("\"kind\":\"lease\"") != std::string::npos; }, 20s));
  ToolProcess second(tool_binary("mzl-promote"), watcher_args(own, servers, lease, "second"),
                     logs / "second");
  std::this_thread::sleep_for(1s);
  INFO("first: " << first.out() << first.err() << "\nsecond: " << second.out() << second.err());
  REQUIRE(second.out().find("\"kind\":\"lease\"") == std::string::npos);  // the first holds it

  first.signal(SIGSTOP);
  REQUIRE(::kill(server_pid(own, 1), SIGKILL) == 0);
  // The second wins once the first's lease expires (TTL 2 s), then fails over.
  REQUIRE(wait_until([&] { return second.out().find("\"message\":\"promoted ") != std::string::npos; }, 20s));
  CHECK(second.out().find("\"kind\":\"lease\"") != std::string::npos);

  first.signal(SIGCONT);
  CHECK(wait_until([&] { return first.out().find("\"kind\":\"lease_lost\"") != std::string::npos; }, 10s));
  std::this_thread::sleep_for(2s);
  CHECK(first.out().find("failing over: the primary") == std::string::npos);
  CHECK(count_of(first.out() + second.out(), "\"message\":\"promoted ") == 1);

  // The new primary records the second's term; a failover under the first's older term would be refused.
  const int promoted = writable_server(own);
  REQUIRE(promoted > 1);
  MysqlConnection now_primary(own.client_cnf(promoted));
  CHECK(now_primary.scalar("SELECT holder FROM mzl.failover_term WHERE id = 1") == "second");
  // The new primary's address is published in etcd, under the holder's term.
  const std::string published = etcd_value(etcd, "mzl/test/expiry/primary");
  CHECK_THAT(published, Catch::Contains(fmt::format("\"address\":\"{}\"", address(port + promoted - 1))));
  CHECK_THAT(published, Catch::Contains(fmt::format(
                            "\"term\":{}", now_primary.scalar("SELECT term FROM mzl.failover_term"))));
  first.signal(SIGTERM);
  second.signal(SIGTERM);
  CHECK(first.wait_for(10s).has_value());
  CHECK(second.wait_for(10s).has_value());
}

TEST_CASE(
    "mzl-promote --watch --lease: a failover under a term older than the one the servers record is refused") {
  EtcdServer etcd;
  if (!etcd.running()) return;
  OwnSandbox own("sandbox-promote-watch-term", 120, 3);
  const unsigned port = own.port();
  const std::string servers = fmt::format("{},{},{}", address(port), address(port + 1), address(port + 2));
  const fs::path logs = own.dir() / "logs";
  fs::create_directories(logs);
  // Another watcher (of another etcd) acted under term 999999: the servers hold it.
  MysqlConnection primary(own.client_cnf(1));
  primary.query("CREATE DATABASE mzl");
  primary.query(
      "CREATE TABLE mzl.failover_term (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, term BIGINT UNSIGNED NOT "
      "NULL, "
      "holder VARCHAR(255) NOT NULL, at DATETIME(6) NOT NULL)");
  primary.query("INSERT INTO mzl.failover_term VALUES (1, 999999, 'elsewhere', UTC_TIMESTAMP(6))");
  ToolProcess watcher(tool_binary("mzl-promote"),
                      watcher_args(own, servers, etcd.lease_url("mzl/test/term"), "stale"), logs / "watch");
  REQUIRE(wait_until([&] { return watcher.out().find("\"kind\":\"lease\"") != std::string::npos; }, 20s));
  REQUIRE(::kill(server_pid(own, 1), SIGKILL) == 0);
  const bool refused = wait_until(
      [&] { return watcher.out().find("records term 999999, newer than this watcher") != std::string::npos; },
      20s);
  INFO(watcher.out() << watcher.err());
  REQUIRE(refused);
  CHECK(watcher.out().find("\"message\":\"promoted ") == std::string::npos);
  CHECK(MysqlConnection(own.client_cnf(2)).scalar("SELECT @@global.read_only") == "1");
  CHECK(MysqlConnection(own.client_cnf(3)).scalar("SELECT @@global.read_only") == "1");
  // Nothing changed: the replicas still name the old primary (its port).
  CHECK(MysqlConnection(own.client_cnf(2)).query("SHOW SLAVE STATUS")[0][3] == std::to_string(port));
  watcher.signal(SIGTERM);
  CHECK(watcher.wait_for(10s).has_value());
}

}  // namespace mzl::test
