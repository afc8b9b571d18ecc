// mzl-promote failover and rejoin against real servers, repeated: a 3-server sandbox of the test's own (a
// primary and two GTID replicas), the archiver mzl-binlog-tail --semi-sync as the primary's only
// semi-synchronous replica (AFTER_SYNC, long timeout), and clients that commit single-row transactions and
// log every commit that returned. Both replicas lag: their IO threads are stopped at different, random
// moments. Then the archiver is SIGKILLed (the clients' next commits are in the primary's binlog but never
// acknowledged: they wait for an ACK) and the primary is SIGKILLed with them waiting. mzl-promote --dry-run
// changes nothing; mzl-promote must pick the replica that received more, fill its gap from the archive,
// promote it and point the other at it: every acknowledged commit is on the new primary, the other replica
// ends checksum-equal, the record says "nothing acknowledged lost". The archiver, let go on, follows the
// record to the new primary by itself; mzl-verify --repo passes across the failover, and mzl-pitr-restore
// from a snapshot taken before it restores the new primary's table. The old primary is restarted: --check
// reports two writable servers; --rejoin refuses while it holds transactions the cluster lacks (and fences
// it); --rejoin --flashback saves and undoes them and makes it a replica of the new primary, checksum-equal.
//
// MZL_FAILOVER_ROUNDS (default 10) sets the number of rounds.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <mysql.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

// Waits (up to 30 s) until the archive's state.json holds the GTID position `position`.
bool wait_until_archived(const std::filesystem::path& state, const std::string& position) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (file_text(state).find(fmt::format("\"gtid_position\":\"{}\"", position)) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kClients = 2;
constexpr unsigned kPortOffset = 60;

std::string address(unsigned port) {
  return fmt::format("127.0.0.1:{}", port);
}

std::string status_value(MysqlConnection& connection, const std::string& name) {
  const auto rows = connection.query(fmt::format("SHOW GLOBAL STATUS LIKE '{}'", name));
  REQUIRE(rows.size() == 1);
  return rows[0].at(1);
}

// One client: autocommit single-row INSERTs until told to stop or the server goes away; `acknowledged` holds
// the seq of every INSERT whose COMMIT returned OK, and `committed` counts them (read by the test while it
// runs). No Catch2 assertions here (not thread-safe).
struct Client {
  std::vector<uint64_t> acknowledged;
  std::atomic<uint64_t> committed{0};
  std::string error;
};

void run_client(const fs::path& cnf, int id, const std::atomic<bool>& stop, Client& result) {
  MYSQL* mysql = mysql_init(nullptr);
  mysql_options(mysql, MYSQL_READ_DEFAULT_FILE, cnf.c_str());
  if (mysql_real_connect(mysql, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr) {
    result.error = mysql_error(mysql);
    mysql_close(mysql);
    return;
  }
  for (uint64_t seq = 0; !stop.load(); ++seq) {
    const std::string sql = fmt::format("INSERT INTO zl.t (client, seq) VALUES ({}, {})", id, seq);
    if (mysql_query(mysql, sql.c_str()) != 0) {
      result.error = fmt::format("{}: {}", mysql_errno(mysql), mysql_error(mysql));
      break;
    }
    result.acknowledged.push_back(seq);
    result.committed.fetch_add(1);
  }
  mysql_close(mysql);
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

struct ServerLook {
  std::string slave_pos, binlog_pos, read_only, io_running;
  bool operator==(const ServerLook&) const = default;
};

ServerLook look(const fs::path& cnf) {
  MysqlConnection c(cnf);
  ServerLook l;
  l.slave_pos = c.scalar("SELECT @@global.gtid_slave_pos");
  l.binlog_pos = c.scalar("SELECT @@global.gtid_binlog_pos");
  l.read_only = c.scalar("SELECT @@global.read_only");
  const auto rows = c.query("SHOW ALL SLAVES STATUS");
  l.io_running = rows.empty() ? "none" : rows[0].at(12);  // Slave_IO_Running (after the two added columns)
  return l;
}

void failover_round(int round, std::mt19937& random, const OwnSandbox& target) {
  const bool statements_gap_fill = round % 2 == 0;
  INFO("round " << round);
  OwnSandbox own("sandbox-promote-failover", kPortOffset, 3);
  const unsigned port = own.port();
  const std::string servers = fmt::format("{},{},{}", address(port), address(port + 1), address(port + 2));
  const fs::path repo = own.dir() / "repo";
  fs::create_directories(repo);
  const fs::path logs = own.dir() / "logs";
  fs::create_directories(logs);

  MysqlConnection primary(own.client_cnf(1));
  primary.query("CREATE DATABASE zl");
  primary.query(
      "CREATE TABLE zl.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT, seq BIGINT, "
      "UNIQUE KEY (client, seq))");
  // A snapshot of the old primary: the base of the restore across the failover below.
  ToolResult snapshot = run_program(tool_binary("mzl-snapshot"),
                                    {"--defaults-file", own.client_cnf(1).string(), "--repo", repo.string(),
                                     "--source", "p1", "--databases", "zl"},
                                    logs / "snapshot");
  INFO(snapshot.err);
  REQUIRE(snapshot.exit_code == 0);
  primary.query("SET GLOBAL rpl_semi_sync_master_timeout = 60000");
  primary.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'");
  primary.query("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
  primary.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");

  ToolProcess tail(tool_binary("mzl-binlog-tail"),
                   {"--defaults-file=" + own.client_cnf(1).string(), "--repo", repo.string(), "--source",
                    "p1", "--server-id", "4242", "--stop-never", "--semi-sync", "--heartbeat", "500"},
                   logs / "tail");
  const auto connect_deadline = std::chrono::steady_clock::now() + 20s;
  while (status_value(primary, "Rpl_semi_sync_master_clients") != "1") {
    REQUIRE(std::chrono::steady_clock::now() < connect_deadline);
    std::this_thread::sleep_for(20ms);
  }

  std::atomic<bool> stop{false};
  std::vector<Client> clients(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back(run_client, own.client_cnf(1), i, std::cref(stop), std::ref(clients[i]));
  }
  // Replica 2 stops receiving first, replica 3 later; the primary dies while the clients commit.
  std::uniform_int_distribution<uint64_t> first(100, 400), gap(100, 400), after(200, 600);
  const uint64_t stop2 = first(random), stop3 = stop2 + gap(random), kill_at = stop3 + after(random);
  wait_committed(clients, stop2);
  MysqlConnection(own.client_cnf(2)).query("STOP SLAVE IO_THREAD");
  wait_committed(clients, stop3);
  MysqlConnection(own.client_cnf(3)).query("STOP SLAVE IO_THREAD");
  wait_committed(clients, kill_at);
  // The archiver stops first: the clients' next commits reach the primary's binlog and wait for an ACK
  // that never comes; the primary dies with them waiting.
  tail.signal(SIGSTOP);
  std::this_thread::sleep_for(200ms);
  stop = true;
  REQUIRE(::kill(own.server_pid(), SIGKILL) == 0);
  for (auto& t : threads) t.join();
  uint64_t acknowledged = 0;
  for (const auto& c : clients) acknowledged += c.acknowledged.size();
  INFO("acknowledged commits: " << acknowledged << " (replica IO threads stopped after " << stop2 << " and "
                                << stop3 << ")");

  // --dry-run: the plan, and nothing changes on the replicas.
  const ServerLook before2 = look(own.client_cnf(2)), before3 = look(own.client_cnf(3));
  ToolResult dry = run_program(tool_binary("mzl-promote"),
                               {"--defaults-file", own.client_cnf(2).string(), "--servers", servers, "--repo",
                                repo.string(), "--dry-run"},
                               logs / "dry-run");
  INFO("dry run: " << dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("would promote: " + address(port + 2)));
  CHECK_THAT(dry.out, Catch::Contains("would apply"));
  CHECK(look(own.client_cnf(2)) == before2);
  CHECK(look(own.client_cnf(3)) == before3);
  CHECK_FALSE(fs::exists(repo / "failovers"));

  // The hooks and the fence command are told the old and the new primary.
  const auto hook = [&](const std::string& name) {
    return fmt::format("echo \"$MZL_PROMOTE_KIND $MZL_OLD_PRIMARY $MZL_NEW_PRIMARY_PORT $MZL_REPLICAS\" > {}",
                       (logs / name).string());
  };
  ToolResult r = run_program(
      tool_binary("mzl-promote"),
      {"--defaults-file", own.client_cnf(2).string(), "--servers", servers, "--repo", repo.string(), "--json",
       "--hook-pre", hook("pre"), "--hook-post", hook("post"), "--fence-command", hook("fence")},
      logs / "failover", {fmt::format("MZL_GAP_FILL_STATEMENTS={}", statements_gap_fill ? 1 : 0)});
  INFO("failover: exit " << r.exit_code << "\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // The sandbox's replicas log what they replicate: the gap is served to the candidate's own applier, unless
  // the statements path is forced (both paths are taken, in alternate rounds).
  CHECK_THAT(r.out, Catch::Contains(statements_gap_fill ? "already held; statements: MZL_GAP_FILL_STATEMENTS"
                                                        : "already held; served\""));
  CHECK_THAT(r.out, Catch::Contains("\"outcome\":\"promoted\""));
  CHECK_THAT(r.out, Catch::Contains(fmt::format("\"new_primary\":{{\"address\":\"{}\"", address(port + 2))));
  CHECK_THAT(r.out, Catch::Contains("\"nothing_acknowledged_lost\":true"));
  CHECK(fs::is_directory(repo / "failovers"));
  const std::string told = fmt::format("failover {} {} {}\n", address(port), port + 2, address(port + 1));
  CHECK(file_text(logs / "pre") == told);
  CHECK(file_text(logs / "post") == told);
  CHECK(file_text(logs / "fence") == told);

  // Every acknowledged commit is on the new primary, which takes writes.
  MysqlConnection new_primary(own.client_cnf(3));
  CHECK(new_primary.scalar("SELECT @@global.read_only") == "0");
  for (int i = 0; i < kClients; ++i) {
    const uint64_t rows =
        std::stoull(new_primary.scalar(fmt::format("SELECT COUNT(*) FROM zl.t WHERE client = {}", i)));
    const uint64_t max_seq = clients[i].acknowledged.empty() ? 0 : clients[i].acknowledged.back();
    const uint64_t held = std::stoull(new_primary.scalar(
        fmt::format("SELECT COUNT(*) FROM zl.t WHERE client = {} AND seq <= {}", i, max_seq)));
    INFO("client " << i << ": " << clients[i].acknowledged.size() << " acknowledged, " << rows << " rows");
    CHECK(held == clients[i].acknowledged.size());  // seqs are 0..n-1, each acknowledged one is there
  }
  new_primary.query("INSERT INTO zl.t (client, seq) VALUES (99, 0)");

  // The archiver goes on by itself: it follows the record to the new primary, in the successor source.
  tail.signal(SIGCONT);
  const auto id_at = r.out.find("\"id\":\"");
  REQUIRE(id_at != std::string::npos);
  const std::string successor = "p1." + r.out.substr(id_at + 6, r.out.find('"', id_at + 6) - (id_at + 6));
  const std::string new_position = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  const fs::path successor_state = repo / "binlogs" / successor / "state.json";
  const auto follow_deadline = std::chrono::steady_clock::now() + 30s;
  while (file_text(successor_state).find(fmt::format("\"gtid_position\":\"{}\"", new_position)) ==
         std::string::npos) {
    INFO("successor " << successor << ": " << file_text(successor_state) << file_text(logs / "tail.err"));
    REQUIRE(std::chrono::steady_clock::now() < follow_deadline);
    std::this_thread::sleep_for(50ms);
  }
  ToolResult verify = run_program(tool_binary("mzl-verify"), {"--repo", repo.string()}, logs / "verify");
  INFO("verify: " << verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.out, Catch::Contains("continues binlogs/p1 after GTID position"));
  MysqlConnection(target.client_cnf()).query("DROP DATABASE IF EXISTS zl");
  ToolResult restore =
      run_program(tool_binary("mzl-pitr-restore"),
                  {"--defaults-file", target.client_cnf().string(), "--repo", repo.string(), "--to-latest"},
                  logs / "restore");
  INFO("restore: " << restore.out << restore.err);
  CHECK(restore.exit_code == 0);
  CHECK(MysqlConnection(target.client_cnf()).query("CHECKSUM TABLE zl.t EXTENDED").at(0).at(1) ==
        new_primary.query("CHECKSUM TABLE zl.t EXTENDED").at(0).at(1));

  // The snapshot job runs on unchanged (--source p1), now against the new primary: the snapshot is recorded
  // under the successor source the archiver writes, and a restore from it replays the new primary's binlogs
  // from the snapshot's own coordinates (it once replayed them from the wrong file: duplicate keys).
  ToolResult snapshot_after = run_program(tool_binary("mzl-snapshot"),
                                          {"--defaults-file", own.client_cnf(3).string(), "--repo",
                                           repo.string(), "--source", "p1", "--databases", "zl", "--json"},
                                          logs / "snapshot-after");
  INFO("snapshot after the failover: " << snapshot_after.out << snapshot_after.err);
  REQUIRE(snapshot_after.exit_code == 0);
  const auto after_id_at = snapshot_after.out.find("\"id\":\"");
  REQUIRE(after_id_at != std::string::npos);
  const std::string after_id = snapshot_after.out.substr(
      after_id_at + 6, snapshot_after.out.find('"', after_id_at + 6) - after_id_at - 6);
  CHECK_THAT(file_text(repo / "snapshots" / after_id / "manifest.json"),
             Catch::Contains(fmt::format("\"source\":\"{}\"", successor)));
  new_primary.query("INSERT INTO zl.t (client, seq) VALUES (99, 1), (99, 2)");
  const std::string later = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  REQUIRE(wait_until_archived(successor_state, later));
  MysqlConnection(target.client_cnf()).query("DROP DATABASE IF EXISTS zl");
  ToolResult restore_after = run_program(tool_binary("mzl-pitr-restore"),
                                         {"--defaults-file", target.client_cnf().string(), "--repo",
                                          repo.string(), "--snapshot", after_id, "--to-latest"},
                                         logs / "restore-after");
  INFO("restore from the snapshot after the failover: " << restore_after.out << restore_after.err);
  CHECK(restore_after.exit_code == 0);
  CHECK(MysqlConnection(target.client_cnf()).query("CHECKSUM TABLE zl.t EXTENDED").at(0).at(1) ==
        new_primary.query("CHECKSUM TABLE zl.t EXTENDED").at(0).at(1));

  // The other replica follows it and ends checksum-equal.
  const std::string position = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  MysqlConnection follower(own.client_cnf(2));
  CHECK(follower.scalar(fmt::format("SELECT MASTER_GTID_WAIT('{}', 30)", position)) == "0");
  CHECK(follower.query("CHECKSUM TABLE zl.t").at(0).at(1) ==
        new_primary.query("CHECKSUM TABLE zl.t").at(0).at(1));
  CHECK(follower.scalar("SELECT @@global.read_only") == "1");
  const auto channel = follower.query("SHOW ALL SLAVES STATUS");
  REQUIRE(channel.size() == 1);
  CHECK(channel[0].at(3) == "127.0.0.1");  // Master_Host, Master_Port
  CHECK(channel[0].at(5) == std::to_string(port + 2));
  CHECK(new_primary.query("SHOW ALL SLAVES STATUS").empty());

  // The old primary comes back, writable, with the commits that waited for an ACK.
  own.start_server(1);
  MysqlConnection returned(own.client_cnf(1));
  REQUIRE(returned.scalar("SELECT @@global.read_only") == "0");
  // The new primary took three rows of its own since: (99, 0), (99, 1), (99, 2).
  const uint64_t extra_rows = std::stoull(returned.scalar("SELECT COUNT(*) FROM zl.t")) + 3 -
                              std::stoull(new_primary.scalar("SELECT COUNT(*) FROM zl.t"));
  INFO("rows the old primary has and the cluster lacks: " << extra_rows);
  ToolResult check =
      run_program(tool_binary("mzl-promote"),
                  {"--defaults-file", own.client_cnf(2).string(), "--servers", servers, "--check"},
                  logs / "check-two-writable");
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.err, Catch::Contains("writable"));

  const std::vector<std::string> rejoin_args{"--defaults-file", own.client_cnf(2).string(),
                                             "--servers",       servers,
                                             "--repo",          repo.string(),
                                             "--rejoin",        address(port)};
  if (extra_rows > 0) {
    ToolResult refused = run_program(tool_binary("mzl-promote"), rejoin_args, logs / "rejoin-refused");
    INFO("rejoin without --flashback: " << refused.out << refused.err);
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains(fmt::format("{} transaction(s) the cluster lacks", extra_rows)));
    // Fenced, though not rejoined (its client sessions were ended: a new one asks).
    CHECK(MysqlConnection(own.client_cnf(1)).scalar("SELECT @@global.read_only") == "1");
  }
  std::vector<std::string> flashback_args = rejoin_args;
  flashback_args.push_back("--flashback");
  ToolResult rejoined = run_program(tool_binary("mzl-promote"), flashback_args, logs / "rejoin");
  INFO("rejoin --flashback: " << rejoined.out << rejoined.err);
  REQUIRE(rejoined.exit_code == 0);
  CHECK_THAT(rejoined.out, Catch::Contains("rejoin: rejoined"));
  MysqlConnection old_primary(own.client_cnf(1));
  CHECK(old_primary.scalar("SELECT @@global.read_only") == "1");
  const std::string now = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  CHECK(old_primary.scalar(fmt::format("SELECT MASTER_GTID_WAIT('{}', 30)", now)) == "0");
  CHECK(old_primary.query("CHECKSUM TABLE zl.t").at(0).at(1) ==
        new_primary.query("CHECKSUM TABLE zl.t").at(0).at(1));
  if (extra_rows > 0) {
    bool saved = false;
    for (const auto& entry : fs::directory_iterator(repo / "failovers")) {
      if (entry.path().filename().string().starts_with("rejoin-") &&
          fs::file_size(entry.path() / "extra.sql") > 0)
        saved = true;
    }
    CHECK(saved);
  }
}

TEST_CASE(
    "mzl-promote failover: the replica that received more is promoted with its gap filled from the "
    "semi-sync archive, nothing acknowledged is lost, the other follows it (repeated)") {
  const char* rounds_text = std::getenv("MZL_FAILOVER_ROUNDS");
  const int rounds = rounds_text ? std::atoi(rounds_text) : 10;
  std::random_device seed;
  const unsigned s = seed();
  INFO("seed " << s);
  std::mt19937 random(s);
  // The target of the restores across the failover (its server_id is not the snapshot's).
  OwnSandbox target("sandbox-promote-failover-target", kPortOffset + 4);
  MysqlConnection(target.client_cnf()).query("SET GLOBAL server_id = 7704");
  for (int round = 1; round <= rounds; ++round) failover_round(round, random, target);
}

}  // namespace
}  // namespace mzl::test
