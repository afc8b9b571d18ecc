// Zero loss with semi-sync: mzl-binlog-tail --semi-sync is the only semi-synchronous replica of a primary
// (AFTER_SYNC, long timeout); client threads commit single-row transactions and record the GTID of every
// COMMIT that returned; the primary is SIGKILLed while they commit. Every recorded GTID must be in the
// archive.
//
// The primary is killed, so this test starts its own one-server sandbox (MZL_BINARY_DIR/sandbox-semisync,
// port MZL_SANDBOX_PORT+10) and stops it at the end, whatever happens; the shared sandbox is not touched.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <mysql.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sandbox.h"
#include "test_support.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kClients = 4;

// mzl-binlog-tail in archive mode as a child process; SIGKILLed on destruction if still running.
class TailProcess {
 public:
  TailProcess(const fs::path& cnf, const fs::path& repo, const fs::path& log) {
    const std::string tool = std::string(MZL_BINARY_DIR) + "/tools/mzl-binlog-tail";
    std::vector<std::string> args = {tool,           "--defaults-file=" + cnf.string(),
                                     "--repo",       repo.string(),
                                     "--server-id",  "4242",
                                     "--stop-never", "--semi-sync",
                                     "--heartbeat",  "500"};
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      FILE* out = std::freopen(log.c_str(), "w", stderr);
      (void)out;
      ::dup2(STDERR_FILENO, STDOUT_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::_Exit(127);
    }
  }
  ~TailProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  TailProcess(const TailProcess&) = delete;
  TailProcess& operator=(const TailProcess&) = delete;

  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      return false;
    }
    return true;
  }

  // SIGTERM, then waits up to `timeout` for the exit; returns the exit code (-1: killed or timed out).
  int terminate(std::chrono::seconds timeout) {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    if (running()) return -1;
    return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : -1;
  }

 private:
  pid_t pid_ = -1;
  int exit_status_ = 0;
};

std::string status_value(MysqlConnection& connection, const std::string& name) {
  const auto rows = connection.query(fmt::format("SHOW GLOBAL STATUS LIKE '{}'", name));
  REQUIRE(rows.size() == 1);
  return rows[0].at(1);
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

// One client: commits single-row transactions until told to stop or the server goes away; records the GTID of
// every INSERT whose (autocommit) COMMIT returned OK. No Catch2 assertions here (not thread-safe).
struct ClientResult {
  std::vector<std::string> gtids;
  uint64_t committed = 0;
  uint64_t missing_gtid = 0;
  std::string error;
};

void run_client(const fs::path& cnf, int id, const std::atomic<bool>& stop, ClientResult& result) {
  MYSQL* mysql = mysql_init(nullptr);
  mysql_options(mysql, MYSQL_READ_DEFAULT_FILE, cnf.c_str());
  if (mysql_real_connect(mysql, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr ||
      mysql_query(mysql, "SET SESSION session_track_system_variables='last_gtid'") != 0) {
    result.error = mysql_error(mysql);
    mysql_close(mysql);
    return;
  }
  for (uint64_t seq = 0; !stop.load(); ++seq) {
    const std::string sql =
        fmt::format("INSERT INTO mzl_semisync.t (client, seq, v) VALUES ({}, {}, REPEAT('z', 100))", id, seq);
    if (mysql_query(mysql, sql.c_str()) != 0) {
      result.error = fmt::format("{}: {}", mysql_errno(mysql), mysql_error(mysql));
      break;
    }
    ++result.committed;
    std::string gtid = tracked_last_gtid(mysql);
    if (gtid.empty()) {
      ++result.missing_gtid;
      continue;
    }
    result.gtids.push_back(std::move(gtid));
  }
  mysql_close(mysql);
}

std::string run_capture(const std::string& cmd, int* exit_code) {
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::set<std::string> archived_gtids(const std::string& json_lines) {
  std::set<std::string> gtids;
  std::istringstream in(json_lines);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"type\":\"MARIA_GTID\"") == std::string::npos) continue;
    const auto g = line.find("\"gtid\":\"");
    if (g == std::string::npos) continue;
    gtids.insert(line.substr(g + 8, line.find('"', g + 8) - (g + 8)));
  }
  return gtids;
}

TEST_CASE("semi-sync: every commit acknowledged before the primary was SIGKILLed is in the archive",
          "[semisync]") {
  OwnSandbox sandbox("sandbox-semisync", 10);
  const fs::path repo = sandbox.dir() / "repo";
  fs::remove_all(repo);
  fs::create_directories(repo);

  MysqlConnection admin(sandbox.client_cnf());
  admin.query("CREATE DATABASE mzl_semisync");
  admin.query(
      "CREATE TABLE mzl_semisync.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, client INT, seq BIGINT, v TEXT)");
  admin.query("SET GLOBAL rpl_semi_sync_master_timeout = 60000");
  admin.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'");
  admin.query("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
  admin.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");
  REQUIRE(admin.scalar("SELECT @@global.rpl_semi_sync_master_wait_point") == "AFTER_SYNC");

  TailProcess tail(sandbox.client_cnf(), repo, sandbox.dir() / "tail.log");
  // The archiver is connected as a semi-sync replica once the primary counts it.
  const auto connect_deadline = std::chrono::steady_clock::now() + 20s;
  while (status_value(admin, "Rpl_semi_sync_master_clients") != "1" &&
         std::chrono::steady_clock::now() < connect_deadline) {
    REQUIRE(tail.running());
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(status_value(admin, "Rpl_semi_sync_master_clients") == "1");
  const uint64_t yes_before = std::stoull(status_value(admin, "Rpl_semi_sync_master_yes_tx"));
  const uint64_t no_before = std::stoull(status_value(admin, "Rpl_semi_sync_master_no_tx"));

  std::atomic<bool> stop{false};
  std::vector<ClientResult> results(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back(run_client, sandbox.client_cnf(), i, std::cref(stop), std::ref(results[i]));
  }
  std::this_thread::sleep_for(3s);

  // While the clients commit: the primary waits for the archiver's ACKs, and gets them.
  const std::string semisync_status = status_value(admin, "Rpl_semi_sync_master_status");
  const uint64_t yes_after = std::stoull(status_value(admin, "Rpl_semi_sync_master_yes_tx"));
  const uint64_t no_after = std::stoull(status_value(admin, "Rpl_semi_sync_master_no_tx"));
  const std::string wait_sessions = status_value(admin, "Rpl_semi_sync_master_wait_sessions");

  const pid_t server = sandbox.server_pid();
  REQUIRE(server > 0);
  REQUIRE(::kill(server, SIGKILL) == 0);
  stop = true;
  for (auto& client : clients) client.join();

  const int tail_exit = tail.terminate(30s);

  std::vector<std::string> recorded;
  uint64_t committed = 0, missing = 0;
  int saw_server_gone = 0;  // a client whose last query came back before the kill may stop without error
  for (int i = 0; i < kClients; ++i) {
    UNSCOPED_INFO("client " << i << ": " << results[i].committed
                            << " commits, ended with: " << results[i].error);
    if (!results[i].error.empty()) ++saw_server_gone;
    committed += results[i].committed;
    missing += results[i].missing_gtid;
    recorded.insert(recorded.end(), results[i].gtids.begin(), results[i].gtids.end());
  }
  CHECK(saw_server_gone >= 1);
  INFO("commits " << committed << ", yes_tx " << yes_before << " -> " << yes_after << ", no_tx " << no_before
                  << " -> " << no_after << ", wait sessions " << wait_sessions);
  CHECK(semisync_status == "ON");
  CHECK(yes_after > yes_before);
  CHECK(no_after == no_before);  // no commit gave up waiting for the archiver
  CHECK(tail_exit == 0);
  REQUIRE(missing == 0);  // the server reported last_gtid for every commit
  REQUIRE(recorded.size() >= 50);

  // The archive, read back: one source directory, and every GTID a client was told is committed is in it.
  std::vector<fs::path> sources;
  for (const auto& entry : fs::directory_iterator(repo / "binlogs")) {
    if (entry.is_directory()) sources.push_back(entry.path());
  }
  REQUIRE(sources.size() == 1);
  int read_exit = -1;
  const std::string json = run_capture(
      fmt::format("'{}/tools/mzl-binlog-tail' --read '{}/' 2>&1", MZL_BINARY_DIR, sources[0].string()),
      &read_exit);
  INFO(json.substr(json.size() > 2000 ? json.size() - 2000 : 0));
  REQUIRE(read_exit == 0);
  const std::set<std::string> archived = archived_gtids(json);
  std::vector<std::string> lost;
  for (const auto& gtid : recorded) {
    if (archived.count(gtid) == 0) lost.push_back(gtid);
  }
  INFO("recorded " << recorded.size() << " acknowledged commits, archive holds " << archived.size()
                   << " GTIDs; lost: " << fmt::format("{}", fmt::join(lost, " ")));
  CHECK(lost.empty());
}

}  // namespace
}  // namespace mzl::test
