// The semi-sync ACK comes only after the fsync (DESIGN.md, "RPO 0"): mzl-binlog-tail --semi-sync is the only
// semi-synchronous replica of a primary (AFTER_SYNC, a timeout far longer than the test); its test hook
// MZL_TEST_STALL_BEFORE_FSYNC_MS holds every transaction it must acknowledge for a minute between receiving
// it and its fsync. A client commits; while the archiver holds the transaction it is SIGKILLed. The commit
// must still be waiting then (it has not returned, Rpl_semi_sync_master_yes_tx did not move): an archiver
// that acknowledged before the fsync would have let it return during the stall. A restarted archiver (no
// hook) archives the transaction, acknowledges it, and only then does the commit return.
//
// The primary's semi-sync settings are changed, so this test starts its own one-server sandbox
// (MZL_BINARY_DIR/sandbox-ack-order, port MZL_SANDBOX_PORT+30).
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <mysql.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

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

std::vector<std::string> tail_args(const fs::path& cnf, const fs::path& repo) {
  return {"--defaults-file=" + cnf.string(),
          "--repo",
          repo.string(),
          "--source",
          "primary",
          "--server-id",
          "4343",
          "--stop-never",
          "--semi-sync",
          "--heartbeat",
          "500"};
}

// Waits until the primary counts one semi-sync replica.
void wait_semi_sync_client(const fs::path& cnf, ToolProcess& tail) {
  const auto deadline = Clock::now() + 20s;
  while (global_status_number(cnf, "Rpl_semi_sync_master_clients") != 1 && Clock::now() < deadline) {
    INFO(tail.err());
    REQUIRE(tail.running());
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(global_status_number(cnf, "Rpl_semi_sync_master_clients") == 1);
}

// The last_gtid the server reported in the OK packet of the last statement (session tracking).
std::string tracked_last_gtid(MYSQL* mysql) {
  const char* data = nullptr;
  size_t length = 0;
  bool is_name = true;
  bool want = false;
  for (int rc = mysql_session_track_get_first(mysql, SESSION_TRACK_SYSTEM_VARIABLES, &data, &length); rc == 0;
       rc = mysql_session_track_get_next(mysql, SESSION_TRACK_SYSTEM_VARIABLES, &data, &length)) {
    const std::string item(data, length);
    if (!is_name && want) return item;
    want = is_name && item == "last_gtid";
    is_name = !is_name;
  }
  return "";
}

// One autocommit INSERT in a thread; `returned` is set once the server answered it (no Catch2 assertion in
// the thread).
struct Commit {
  std::atomic<bool> returned{false};
  std::string error;
  std::string gtid;
  std::thread thread;

  void start(const fs::path& cnf) {
    thread = std::thread([this, cnf] {
      MYSQL* mysql = mysql_init(nullptr);
      mysql_options(mysql, MYSQL_READ_DEFAULT_FILE, cnf.c_str());
      if (mysql_real_connect(mysql, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr ||
          mysql_query(mysql, "SET SESSION session_track_system_variables='last_gtid'") != 0 ||
          mysql_query(mysql, "INSERT INTO mzl_ack_order.t (v) VALUES ('held before its fsync')") != 0) {
        error = mysql_error(mysql);
      } else {
        gtid = tracked_last_gtid(mysql);
      }
      mysql_close(mysql);
      returned = true;
    });
  }
  ~Commit() {
    if (thread.joinable()) thread.join();
  }
};

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

TEST_CASE("mzl-binlog-tail --semi-sync: a transaction is not acknowledged before its fsync",
          "[tool][archive][semisync]") {
  OwnSandbox sandbox("sandbox-ack-order", 30);
  const fs::path cnf = sandbox.client_cnf();
  const fs::path repo = sandbox.dir() / "repo";
  fs::remove_all(repo);
  fs::create_directories(repo);
  {
    MysqlConnection admin(cnf);
    admin.query("CREATE DATABASE mzl_ack_order");
    admin.query("CREATE TABLE mzl_ack_order.t (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT)");
    admin.query("SET GLOBAL rpl_semi_sync_master_timeout = 600000");
    admin.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'");
    admin.query("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
    admin.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");
  }

  ToolProcess stalled(tail_binary(), tail_args(cnf, repo), sandbox.dir() / "stalled",
                      {fmt::format("{}=60000", kStallHook)});
  wait_semi_sync_client(cnf, stalled);
  const uint64_t yes_before = global_status_number(cnf, "Rpl_semi_sync_master_yes_tx");
  const uint64_t no_before = global_status_number(cnf, "Rpl_semi_sync_master_no_tx");

  Commit commit;
  commit.start(cnf);
  // The archiver has received the transaction and holds it before the fsync.
  INFO(stalled.err());
  REQUIRE(wait_until([&] { return stalled.err().find(kStallHook) != std::string::npos; }, 20000ms));
  // Time for an ACK sent before the fsync to reach the primary and release the commit.
  std::this_thread::sleep_for(2s);
  CHECK_FALSE(commit.returned);
  CHECK(global_status_number(cnf, "Rpl_semi_sync_master_yes_tx") == yes_before);
  CHECK(global_status_number(cnf, "Rpl_semi_sync_master_wait_sessions") == 1);

  stalled.signal(SIGKILL);
  const auto killed = stalled.wait_for(5000ms);
  REQUIRE(killed.has_value());
  CHECK((WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGKILL));
  // Killed before the fsync: the transaction was never acknowledged, the client still waits.
  std::this_thread::sleep_for(500ms);
  CHECK_FALSE(commit.returned);
  CHECK(global_status_number(cnf, "Rpl_semi_sync_master_yes_tx") == yes_before);

  // A restarted archiver makes it durable, acknowledges it, and the commit returns.
  ToolProcess tail(tail_binary(), tail_args(cnf, repo), sandbox.dir() / "restarted");
  INFO(tail.err());
  REQUIRE(wait_until([&] { return commit.returned.load(); }, 30000ms));
  commit.thread.join();
  INFO(commit.error);
  REQUIRE(commit.error.empty());
  REQUIRE(!commit.gtid.empty());
  CHECK(global_status_number(cnf, "Rpl_semi_sync_master_yes_tx") == yes_before + 1);
  CHECK(global_status_number(cnf, "Rpl_semi_sync_master_no_tx") == no_before);
  tail.signal(SIGTERM);
  const auto stopped = tail.wait_for(10000ms);
  REQUIRE(stopped.has_value());
  CHECK((WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0));

  // The acknowledged transaction is in the archive.
  const auto read = run_program(tail_binary(), {"--read", (repo / "binlogs" / "primary").string() + "/"},
                                sandbox.dir() / "read");
  INFO(read.err);
  REQUIRE(read.exit_code == 0);
  CHECK(read.out.find(fmt::format("\"gtid\":\"{}\"", commit.gtid)) != std::string::npos);
  CHECK(read.out.find("held before its fsync") != std::string::npos);
}

}  // namespace
}  // namespace mzl::test
