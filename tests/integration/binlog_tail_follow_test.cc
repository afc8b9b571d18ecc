// The archive lives on across a failover (man/mzl-binlog-tail.1, FOLLOWING A FAILOVER). A sandbox of three
// servers of the test's own (MZL_BINARY_DIR/sandbox-tail-follow, ports MZL_SANDBOX_PORT+60..+62): server 1
// the primary with mzl-binlog-tail --semi-sync --stop-never as its only semi-synchronous replica, 2 and 3 its
// replicas. The promotion is made by hand, as mzl-promote makes it (server 2 cut loose and writable, server 3
// repointed to it), and announced by a failover record in the repository.
//
// While the archiver holds a transaction of the old primary before its fsync (the test hook
// MZL_TEST_STALL_BEFORE_FSYNC_MS), the record appears: that transaction must never be acknowledged (the
// commit returns only after the primary's semi-sync timeout, Rpl_semi_sync_master_yes_tx does not move), the
// archiver must go on with server 2 in the successor source db1.<record id>, whose link starts at the fork,
// and a SIGKILLed and restarted archiver must resume it. The history across the two sources must be the new
// primary's: every GTID once, in order, without a gap. mzl-verify --repo must pass across the failover, and
// mzl-pitr-restore from a snapshot of the old primary must restore, past the fork, the new primary's rows
// (into a one-server sandbox, port MZL_SANDBOX_PORT+63).
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <mysql.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <regex>
#include <string>
#include <thread>

#include "mzl/archive/archive_state.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/repo/failover_record.h"
#include "sandbox.h"
#include "tail_test_support.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kStallHook = "MZL_TEST_STALL_BEFORE_FSYNC_MS";
constexpr unsigned kSemiSyncTimeoutMs = 6000;

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

// One autocommit INSERT in a thread; `returned` once the server answered (no Catch2 assertion in the thread).
struct Commit {
  std::atomic<bool> returned{false};
  std::string error;
  std::thread thread;

  void start(const fs::path& cnf, const std::string& sql) {
    thread = std::thread([this, cnf, sql] {
      MYSQL* mysql = mysql_init(nullptr);
      mysql_options(mysql, MYSQL_READ_DEFAULT_FILE, cnf.c_str());
      if (mysql_real_connect(mysql, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr ||
          mysql_query(mysql, sql.c_str()) != 0) {
        error = mysql_error(mysql);
      }
      mysql_close(mysql);
      returned = true;
    });
  }
  ~Commit() {
    if (thread.joinable()) thread.join();
  }
};

archive::ArchiveState read_state(const fs::path& repo, const std::string& source) {
  const fs::path path = repo / "binlogs" / source / "state.json";
  auto state = archive::decode_archive_state(file_text(path), path.string());
  INFO(path);
  REQUIRE(state.ok());
  return *state;
}

std::string state_gtid_position(const fs::path& repo, const std::string& source) {
  std::error_code ec;
  if (!fs::exists(repo / "binlogs" / source / "state.json", ec)) return "";
  auto state = archive::decode_archive_state(file_text(repo / "binlogs" / source / "state.json"), "state");
  return state.ok() ? state->gtid_position : "";
}

// The GTIDs of the archived files of `source`, in order (mzl-binlog-tail --read).
std::vector<gtid::MariaGtid> archived_gtids(const fs::path& repo, const std::string& source,
                                            const fs::path& log) {
  const auto read = run_program(tail_binary(), {"--read", (repo / "binlogs" / source).string() + "/"}, log);
  INFO(read.err);
  REQUIRE(read.exit_code == 0);
  std::vector<gtid::MariaGtid> out;
  static const std::regex gtid_field(R"re("gtid":"([0-9]+-[0-9]+-[0-9]+)")re");
  for (auto it = std::sregex_iterator(read.out.begin(), read.out.end(), gtid_field);
       it != std::sregex_iterator(); ++it) {
    auto parsed = gtid::MariaGtid::parse((*it)[1].str());
    REQUIRE(parsed.ok());
    out.push_back(*parsed);
  }
  return out;
}

void insert_rows(const fs::path& cnf, int rows, const std::string& what) {
  MysqlConnection connection(cnf);
  for (int i = 0; i < rows; ++i) {
    connection.query(fmt::format("INSERT INTO follow_test.t (v) VALUES ('{} {}')", what, i));
  }
}

void wait_semi_sync_clients(const fs::path& cnf, uint64_t clients, ToolProcess& tail) {
  INFO(tail.err());
  REQUIRE(wait_until(
      [&] {
        REQUIRE(tail.running());
        return global_status_number(cnf, "Rpl_semi_sync_master_clients") == clients;
      },
      20000ms));
}

TEST_CASE(
    "mzl-binlog-tail: a failover record stops the ACKs to the old primary and the archive goes on "
    "from the new one",
    "[tool][archive][semisync][failover]") {
  OwnSandbox sandbox("sandbox-tail-follow", 60, 3);
  const fs::path cnf1 = sandbox.client_cnf(1), cnf2 = sandbox.client_cnf(2), cnf3 = sandbox.client_cnf(3);
  const unsigned port1 = sandbox.port(), port2 = sandbox.port() + 1;
  const fs::path repo = sandbox.dir() / "repo";
  fs::remove_all(repo);
  fs::create_directories(repo);
  {
    MysqlConnection primary(cnf1);
    primary.query("CREATE DATABASE follow_test");
    primary.query("CREATE TABLE follow_test.t (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT)");
  }
  // A snapshot of the old primary, the base of the restores across the failover below.
  insert_rows(cnf1, 5, "before the snapshot");
  {
    const auto snapshot = run_program(tool_binary("mzl-snapshot"),
                                      {"--defaults-file", cnf1.string(), "--repo", repo.string(), "--source",
                                       "db1", "--databases", "follow_test"},
                                      sandbox.dir() / "snapshot");
    INFO(snapshot.err);
    REQUIRE(snapshot.exit_code == 0);
  }
  {
    MysqlConnection primary(cnf1);
    primary.query(fmt::format("SET GLOBAL rpl_semi_sync_master_timeout = {}", kSemiSyncTimeoutMs));
    primary.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'");
    primary.query("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
    primary.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");
  }
  const std::vector<std::string> args = {"--defaults-file=" + cnf1.string(),
                                         "--repo",
                                         repo.string(),
                                         "--source",
                                         "db1",
                                         "--server-id",
                                         "4646",
                                         "--stop-never",
                                         "--semi-sync",
                                         "--heartbeat",
                                         "500"};

  // The archiver acknowledges the old primary's commits while no record says otherwise.
  {
    ToolProcess tail(tail_binary(), args, sandbox.dir() / "tail-before");
    wait_semi_sync_clients(cnf1, 1, tail);
    const uint64_t yes = global_status_number(cnf1, "Rpl_semi_sync_master_yes_tx");
    insert_rows(cnf1, 10, "before the failover");
    CHECK(global_status_number(cnf1, "Rpl_semi_sync_master_yes_tx") == yes + 10);
    tail.signal(SIGTERM);
    const auto stopped = tail.wait_for(10000ms);
    REQUIRE(stopped.has_value());
    CHECK((WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0));
  }
  // A repository that saw no failover is left as it was.
  CHECK_FALSE(fs::exists(repo / "failovers"));

  // The promotion, by hand: both replicas have everything; 2 is cut loose and writable, 3 follows it.
  const std::string primary_position = MysqlConnection(cnf1).scalar("SELECT @@global.gtid_binlog_pos");
  for (const fs::path& cnf : {cnf2, cnf3}) {
    REQUIRE(MysqlConnection(cnf).scalar(fmt::format("SELECT MASTER_GTID_WAIT('{}', 60)", primary_position)) ==
            "0");
  }
  MysqlConnection new_primary(cnf2);
  new_primary.query("STOP SLAVE");
  new_primary.query("RESET SLAVE ALL");
  new_primary.query("SET GLOBAL read_only = 0");
  const std::string fork_position = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  REQUIRE(fork_position == primary_position);
  {
    MysqlConnection replica(cnf3);
    replica.query("STOP SLAVE");
    replica.query(
        fmt::format("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='{}', "
                    "MASTER_PASSWORD='{}', MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos",
                    port2, kSandboxUser, kSandboxPassword));
    replica.query("START SLAVE");
  }

  // The archiver is back on the old primary (still alive, as behind a partition), holding each transaction it
  // must acknowledge for 3 s before its fsync.
  ToolProcess held(tail_binary(), args, sandbox.dir() / "tail-held", {fmt::format("{}=3000", kStallHook)});
  wait_semi_sync_clients(cnf1, 1, held);
  const uint64_t yes = global_status_number(cnf1, "Rpl_semi_sync_master_yes_tx");
  const uint64_t no = global_status_number(cnf1, "Rpl_semi_sync_master_no_tx");
  const auto commit_started = Clock::now();
  Commit late;
  late.start(cnf1, "INSERT INTO follow_test.t (v) VALUES ('committed on the old primary after the fork')");
  {
    INFO(held.err());
    REQUIRE(wait_until([&] { return held.err().find(kStallHook) != std::string::npos; }, 20000ms));
  }
  repo::FailoverRecord record;
  record.kind = repo::RunKind::kFailover;
  record.outcome = repo::Outcome::kPromoted;
  record.old_primary = repo::ServerRef{fmt::format("127.0.0.1:{}", port1), 1};
  record.new_primary = repo::ServerRef{fmt::format("127.0.0.1:{}", port2), 2};
  record.fork_position = fork_position;
  REQUIRE(repo::write_failover_record(repo.string(), record).ok());
  const std::string successor = "db1." + record.id;

  // The held transaction is never acknowledged: the commit returns only when the semi-sync wait times out.
  REQUIRE(wait_until([&] { return late.returned.load(); }, 30000ms));
  late.thread.join();
  CHECK(late.error.empty());
  CHECK(Clock::now() - commit_started >= std::chrono::milliseconds(kSemiSyncTimeoutMs - 500));
  CHECK(global_status_number(cnf1, "Rpl_semi_sync_master_yes_tx") == yes);
  CHECK(global_status_number(cnf1, "Rpl_semi_sync_master_no_tx") == no + 1);
  CHECK(global_status_number(cnf1, "Rpl_semi_sync_master_clients") == 0);
  INFO(held.err());
  CHECK(held.err().find("failover record " + record.id) != std::string::npos);

  // The archive goes on from the new primary, in the successor source, linked at the fork.
  insert_rows(cnf2, 10, "on the new primary");
  std::string new_position = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  REQUIRE(wait_until([&] { return state_gtid_position(repo, successor) == new_position; }, 20000ms));
  const archive::ArchiveState linked = read_state(repo, successor);
  REQUIRE(linked.follows.has_value());
  CHECK(linked.follows->source == "db1");
  CHECK(linked.follows->record == record.id);
  CHECK(linked.follows->from_gtid_position == fork_position);
  CHECK(linked.server.server_id == 2);
  // The old source holds the transaction it never acknowledged, past the fork; it takes nothing more.
  const archive::ArchiveState old_state = read_state(repo, "db1");
  auto fork = gtid::MariaGtidPosition::parse(fork_position);
  REQUIRE(fork.ok());
  const gtid::MariaGtid fork_gtid = *fork->find(0);
  CHECK(old_state.gtid_position == fmt::format("0-1-{}", fork_gtid.seq_no + 1));

  // SIGKILLed and restarted with the same command line: it resumes the successor.
  held.signal(SIGKILL);
  REQUIRE(held.wait_for(5000ms).has_value());
  insert_rows(cnf2, 5, "while the archiver is down");
  ToolProcess restarted(tail_binary(), args, sandbox.dir() / "tail-restarted");
  new_position = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
  {
    INFO(restarted.err());
    REQUIRE(wait_until([&] { return state_gtid_position(repo, successor) == new_position; }, 20000ms));
    insert_rows(cnf2, 5, "after the restart");
    new_position = new_primary.scalar("SELECT @@global.gtid_binlog_pos");
    REQUIRE(wait_until([&] { return state_gtid_position(repo, successor) == new_position; }, 20000ms));
    CHECK(restarted.err().find("failover record " + record.id) != std::string::npos);
  }
  const auto status = run_program(tail_binary(), {"--status", "--repo", repo.string(), "--source", "db1"},
                                  sandbox.dir() / "status");
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("followed by:      " + successor) != std::string::npos);
  CHECK(status.out.find("source:           " + successor) != std::string::npos);
  restarted.signal(SIGTERM);
  const auto stopped = restarted.wait_for(10000ms);
  REQUIRE(stopped.has_value());
  CHECK((WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0));
  CHECK(read_state(repo, "db1") == old_state);

  // The history: the old source up to the fork, then the successor after it, is the new primary's: every
  // sequence number once, in order, from 1 to the new primary's last.
  const auto old_gtids = archived_gtids(repo, "db1", sandbox.dir() / "read-old");
  const auto new_gtids = archived_gtids(repo, successor, sandbox.dir() / "read-new");
  std::vector<gtid::MariaGtid> history;
  for (const auto& g : old_gtids)
    if (g.seq_no <= fork_gtid.seq_no) history.push_back(g);
  for (const auto& g : new_gtids)
    if (g.seq_no > fork_gtid.seq_no) history.push_back(g);
  auto last = gtid::MariaGtid::parse(new_position);
  REQUIRE(last.ok());
  REQUIRE(history.size() == last->seq_no);
  for (size_t i = 0; i < history.size(); ++i) {
    INFO(i);
    CHECK(history[i].domain_id == 0);
    CHECK(history[i].seq_no == i + 1);
    CHECK(history[i].server_id == (history[i].seq_no <= fork_gtid.seq_no ? 1u : 2u));
  }
  // The successor's first file is the new primary's whole file: it repeats the transactions before the fork
  // that it holds (the same GTIDs, copied from the old primary), and never the one past it.
  for (const auto& g : new_gtids) CHECK(!(g.server_id == 1 && g.seq_no > fork_gtid.seq_no));

  // mzl-verify follows the history across the failover: no hole at the successor's start, and the snapshot
  // of the old primary is the successor's restore base.
  const auto verify =
      run_program(tool_binary("mzl-verify"), {"--repo", repo.string()}, sandbox.dir() / "verify");
  INFO(verify.out);
  INFO(verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find(fmt::format("continues binlogs/db1 after GTID position {} (failover record {})",
                                    fork_position, record.id)) != std::string::npos);

  // A restore past the failover takes the old primary's files up to the fork and the new primary's after it.
  OwnSandbox target("sandbox-tail-follow-target", 63);
  MysqlConnection(target.client_cnf()).query("SET GLOBAL server_id = 7703");  // not the snapshot's server
  const auto restore = [&](std::vector<std::string> stop, const std::string& log) {
    MysqlConnection(target.client_cnf()).query("DROP DATABASE IF EXISTS follow_test");
    std::vector<std::string> args{"--defaults-file", target.client_cnf().string(), "--repo", repo.string()};
    args.insert(args.end(), stop.begin(), stop.end());
    const auto r = run_program(tool_binary("mzl-pitr-restore"), args, sandbox.dir() / log);
    INFO(r.err);
    CHECK(r.exit_code == 0);
  };
  const auto count = [](const fs::path& cnf, const std::string& where) {
    return MysqlConnection(cnf).scalar("SELECT COUNT(*) FROM follow_test.t WHERE " + where);
  };
  // To the fifth transaction of the new primary.
  restore({"--stop-gtid", fmt::format("0-2-{}", fork_gtid.seq_no + 5)}, "restore-gtid");
  CHECK(count(target.client_cnf(), "v LIKE 'on the new primary%'") == "5");
  CHECK(count(target.client_cnf(), "v LIKE 'before%'") == "15");
  CHECK(count(target.client_cnf(), "v LIKE 'committed on the old primary%'") == "0");
  // To the latest: the new primary's table, to the row.
  restore({"--to-latest"}, "restore-latest");
  CHECK(MysqlConnection(target.client_cnf()).query("CHECKSUM TABLE follow_test.t EXTENDED").at(0).at(1) ==
        new_primary.query("CHECKSUM TABLE follow_test.t EXTENDED").at(0).at(1));
  CHECK(count(target.client_cnf(), "1") == count(cnf2, "1"));
}

}  // namespace
}  // namespace mzl::test
