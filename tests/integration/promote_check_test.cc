// mzl-promote --check and --dry-run as real processes against the sandbox (a primary and two GTID replicas):
// the healthy sandbox exits 0; a replica whose IO thread is stopped is named and exits 1 (the thread is
// restarted afterwards, also when the test fails); --dry-run picks the replica that has received more, even
// when it has applied no more than the other; an errant transaction (written on a replica in a domain of its
// own) is named, on a 3-server sandbox of the test's own so that the shared one stays clean; nothing
// reachable is exit 3.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

std::string address(unsigned port) {
  return fmt::format("127.0.0.1:{}", port);
}

std::string servers_list(unsigned first_port) {
  return fmt::format("{},{},{}", address(first_port), address(first_port + 1), address(first_port + 2));
}

fs::path log_prefix(const std::string& name) {
  const fs::path dir = fs::path(MZL_BINARY_DIR) / "promote-tests";
  fs::create_directories(dir);
  return dir / name;
}

ToolResult promote(const std::string& log, const fs::path& defaults_file, const std::string& servers,
                   std::vector<std::string> more) {
  std::vector<std::string> args{"--defaults-file", defaults_file.string(), "--servers", servers};
  args.insert(args.end(), more.begin(), more.end());
  ToolResult result = run_program(tool_binary("mzl-promote"), args, log_prefix(log));
  UNSCOPED_INFO("mzl-promote " << fmt::format("{}", fmt::join(args, " ")) << "\nexit " << result.exit_code
                               << "\nstdout:\n"
                               << result.out << "stderr:\n"
                               << result.err);
  return result;
}

ToolResult promote_shared(const std::string& log, std::vector<std::string> more) {
  return promote(log, primary_server().defaults_file, servers_list(primary_server().port), std::move(more));
}

// Runs `sql` on sandbox server i when the scope ends (also after a failed REQUIRE), so that the shared
// sandbox replicates again for the tests after this one.
class RestoreOnExit {
 public:
  RestoreOnExit(int server, std::string sql) : server_(server), sql_(std::move(sql)) {}
  ~RestoreOnExit() {
    std::string error;
    if (auto c = MysqlConnection::try_connect(sandbox_server(server_).defaults_file, &error))
      mysql_query(c->handle(), sql_.c_str());
  }
  RestoreOnExit(const RestoreOnExit&) = delete;
  RestoreOnExit& operator=(const RestoreOnExit&) = delete;

 private:
  int server_;
  std::string sql_;
};

// Replica i's Gtid_IO_Pos (SHOW SLAVE STATUS; there is no such system variable).
std::string received_position(MysqlConnection& replica) {
  REQUIRE(mysql_query(replica.handle(), "SHOW SLAVE STATUS") == 0);
  MYSQL_RES* result = mysql_store_result(replica.handle());
  REQUIRE(result != nullptr);
  std::string value;
  bool found = false;
  if (MYSQL_ROW row = mysql_fetch_row(result)) {
    MYSQL_FIELD* fields = mysql_fetch_fields(result);
    for (unsigned i = 0; i < mysql_num_fields(result); ++i) {
      if (std::string(fields[i].name) == "Gtid_IO_Pos" && row[i] != nullptr) {
        value = row[i];
        found = true;
      }
    }
  }
  mysql_free_result(result);
  REQUIRE(found);
  return value;
}

// Waits until replica i has received the primary's gtid_binlog_pos.
void wait_received(int i, const std::string& position) {
  MysqlConnection replica(sandbox_server(i).defaults_file);
  std::string received;
  for (int tries = 0; tries < 300; ++tries) {
    received = received_position(replica);
    if (received == position) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("replica " << i << " received " << received << ", not " << position);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("mzl-promote --check: the healthy sandbox exits 0") {
  wait_replica_caught_up(2);
  wait_replica_caught_up(3);
  const unsigned port = primary_server().port;
  ToolResult r = promote_shared("check-healthy", {"--check"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "healthy"));
  CHECK(contains(r.out, address(port) + "        primary  yes"));
  CHECK(contains(r.out, address(port + 1) + "        replica  no       Yes"));
  CHECK(r.err.empty());
  ToolResult json = promote_shared("check-healthy-json", {"--check", "--json"});
  CHECK(json.exit_code == 0);
  CHECK(contains(json.out, "\"healthy\":true"));
  CHECK(contains(json.out, fmt::format("\"primary\":\"{}\"", address(port))));
  CHECK(contains(json.out, "\"problems\":[]"));
}

TEST_CASE("mzl-promote --check: a stopped replica IO thread is named and exits 1") {
  const unsigned port = primary_server().port;
  {
    RestoreOnExit restart(2, "START SLAVE IO_THREAD");
    connect(sandbox_server(2)).query("STOP SLAVE IO_THREAD");
    ToolResult r = promote_shared("check-io-stopped", {"--check"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, address(port + 1) + ": replication IO thread is stopped"));
    CHECK(contains(r.out, "1 problem(s)"));
    ToolResult json = promote_shared("check-io-stopped-json", {"--check", "--json"});
    CHECK(json.exit_code == 1);
    CHECK(contains(json.out, "\"healthy\":false"));
    CHECK(contains(json.out, "\"io_running\":\"No\""));
  }
  wait_replica_caught_up(2);
  CHECK(promote_shared("check-io-restarted", {"--check"}).exit_code == 0);
}

TEST_CASE("mzl-promote --dry-run: picks the replica that has received more, and changes nothing") {
  const unsigned port = primary_server().port;
  MysqlConnection primary = connect(primary_server());
  primary.query("CREATE DATABASE IF NOT EXISTS promote_dry_run");
  primary.query("CREATE TABLE IF NOT EXISTS promote_dry_run.t (id INT PRIMARY KEY AUTO_INCREMENT, v INT)");
  wait_replica_caught_up(2);
  wait_replica_caught_up(3);
  {
    RestoreOnExit restart_io(2, "START SLAVE IO_THREAD");
    RestoreOnExit restart_sql(3, "START SLAVE SQL_THREAD");
    // Both replicas stop at the same applied position; replica 3 goes on receiving, replica 2 does not.
    connect(sandbox_server(2)).query("STOP SLAVE IO_THREAD");
    connect(sandbox_server(3)).query("STOP SLAVE SQL_THREAD");
    for (int i = 0; i < 5; ++i) primary.query("INSERT INTO promote_dry_run.t (v) VALUES (1)");
    const std::string position = primary.scalar("SELECT @@global.gtid_binlog_pos");
    wait_received(3, position);
    const std::string applied2 = connect(sandbox_server(2)).scalar("SELECT @@global.gtid_slave_pos");
    const std::string applied3 = connect(sandbox_server(3)).scalar("SELECT @@global.gtid_slave_pos");
    REQUIRE(applied2 == applied3);  // by executed GTIDs alone they tie, and the order given would pick 2
    REQUIRE(applied3 != position);

    ToolResult r = promote_shared("dry-run", {"--dry-run"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "would promote: " + address(port + 2)));
    CHECK(contains(r.out, "the most complete data (every other candidate has less)"));
    CHECK(contains(r.out, "executed plus received: " + position));
    CHECK(contains(r.out, "nothing was changed"));
    ToolResult json = promote_shared("dry-run-json", {"--dry-run", "--json"});
    CHECK(json.exit_code == 0);
    CHECK(contains(json.out, fmt::format("\"new_primary\":{{\"address\":\"{}\"", address(port + 2))));
    CHECK(contains(json.out, "\"outcome\":\"dry_run\""));
    ToolResult never = promote_shared("dry-run-never", {"--dry-run", "--never", address(port + 2)});
    CHECK(never.exit_code == 0);
    CHECK(contains(never.out, "would promote: " + address(port + 1)));
    CHECK(contains(never.out, "excluded: " + address(port + 2) + ": --never"));

    // Nothing changed: the threads are as the test left them and the positions did not move.
    MysqlConnection replica3 = connect(sandbox_server(3));
    CHECK(replica3.scalar("SELECT @@global.gtid_slave_pos") == applied3);
    CHECK(replica3.scalar("SELECT @@global.read_only") == "1");
    CHECK(connect(sandbox_server(2)).scalar("SELECT @@global.gtid_slave_pos") == applied2);
  }
  wait_replica_caught_up(2);
  wait_replica_caught_up(3);
  primary.query("DROP DATABASE promote_dry_run");
  wait_replica_caught_up(2);
  wait_replica_caught_up(3);
  CHECK(promote_shared("dry-run-after", {"--check"}).exit_code == 0);
}

TEST_CASE("mzl-promote: an errant transaction on a replica is named (a sandbox of the test's own)") {
  OwnSandbox own("sandbox-promote-errant", 40, 3);
  const std::string servers = servers_list(own.port());
  REQUIRE(promote("errant-before", own.client_cnf(1), servers, {"--check"}).exit_code == 0);
  {
    MysqlConnection replica(own.client_cnf(3));
    replica.query("SET SESSION sql_log_bin = 1, gtid_domain_id = 99");
    replica.query("CREATE DATABASE errant_scratch");
    replica.query("CREATE TABLE errant_scratch.t (id INT PRIMARY KEY)");
    replica.query("INSERT INTO errant_scratch.t VALUES (1)");
    // A fresh sandbox has written nothing in domain 0 yet.
    REQUIRE(replica.scalar("SELECT @@global.gtid_binlog_pos") == "99-3-3");
  }
  ToolResult r = promote("errant-check", own.client_cnf(1), servers, {"--check"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, address(own.port() + 2) + ": errant transactions (not on the primary): 99-3-3"));
  ToolResult json = promote("errant-check-json", own.client_cnf(1), servers, {"--check", "--json"});
  CHECK(contains(json.out, "\"errant\":\"99-3-3\""));
  ToolResult dry = promote("errant-dry-run", own.client_cnf(1), servers, {"--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(contains(dry.out, "excluded: " + address(own.port() + 2) + ": errant transactions 99-3-3"));
  CHECK(contains(dry.out, "would promote: " + address(own.port() + 1)));
}

TEST_CASE("mzl-promote: nothing reachable is exit 3, a bad flag exit 2") {
  const fs::path defaults = primary_server().defaults_file;
  // Port 1 on the loopback: nothing listens there.
  ToolResult r = promote("unreachable", defaults, "127.0.0.1:1,127.0.0.1:2", {"--check"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "no server could be reached"));
  // Without --check or --dry-run it is a failover, refused while the primary answers.
  ToolResult alive = promote("refused-alive", defaults, servers_list(primary_server().port), {});
  CHECK(alive.exit_code == 1);
  CHECK(contains(alive.err, "is alive (it answered)"));
  CHECK(contains(alive.out, "failover: refused"));
  CHECK(promote("usage-bad-address", defaults, "127.0.0.1:x", {"--check"}).exit_code == 2);
  CHECK(promote("usage-host", defaults, servers_list(primary_server().port), {"--check", "-P", "3306"})
            .exit_code == 2);
}

}  // namespace mzl::test
