#include "chaos_cluster.h"

#include "watch_test_support.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <mysql.h>

#include <signal.h>

#include <fstream>

namespace mzl::test::chaos {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr unsigned kServersOffset = 130, kScratchOffset = 134, kProxyOffset = 136;
constexpr const char* kAppUser = "chaos_app";
constexpr const char* kAppPassword = "chaos-app";

unsigned base_port() {
  const char* port = std::getenv("MZL_SANDBOX_PORT");
  REQUIRE(port != nullptr);
  return static_cast<unsigned>(std::stoul(port));
}

}  // namespace

uint64_t domain0_seq(const std::string& position) {
  size_t at = 0;
  while (at < position.size()) {
    const size_t end = std::min(position.find(',', at), position.size());
    const std::string gtid = position.substr(at, end - at);
    const size_t first = gtid.find('-'), last = gtid.rfind('-');
    if (first != std::string::npos && last != first && gtid.substr(0, first) == "0") {
      return std::stoull(gtid.substr(last + 1));
    }
    at = end + 1;
  }
  return 0;
}

Cluster::Cluster()
    : servers_("sandbox-chaos", kServersOffset, kServers), scratch_("sandbox-chaos-scratch", kScratchOffset) {
  logs_ = dir() / "logs";
  // Beside the sandbox, not in it: a mount left by a run killed before its destructors ran must not stop the
  // sandbox's fresh start (TmpfsMount takes a stale mount down itself).
  repo_ = fs::path(MZL_BINARY_DIR) / "chaos-repo";
  fs::create_directories(logs_);
  repo_disk_ = std::make_unique<TmpfsMount>(repo_, "1g");
  for (int i = 1; i <= kServers; ++i) {
    const unsigned proxy_port = base_port() + kProxyOffset + static_cast<unsigned>(i) - 1;
    proxies_.push_back(
        std::make_unique<TcpProxy>(proxy_port, servers_.port() + static_cast<unsigned>(i) - 1));
    std::ofstream(cnf(i)) << fmt::format("[client]\nhost=127.0.0.1\nport={}\nuser={}\npassword={}\n",
                                         proxy_port, kSandboxUser, kSandboxPassword);
  }
  // The replicas reach the primary through its proxy, as everything else does.
  for (int i = 2; i <= kServers; ++i) {
    MysqlConnection replica(servers_.client_cnf(i));
    replica.query("STOP SLAVE");
    replica.query(
        fmt::format("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}", base_port() + kProxyOffset));
    replica.query("START SLAVE");
  }
  // The scratch sandbox's server_id is 1, like the primary's: a restore target of its own has its own id.
  MysqlConnection(scratch_cnf()).query("SET GLOBAL server_id = 9");
  MysqlConnection primary(cnf(1));
  primary.query("CREATE DATABASE zl");
  primary.query(
      "CREATE TABLE zl.t (client INT NOT NULL, seq BIGINT NOT NULL, at DATETIME(6) NOT NULL, "
      "PRIMARY KEY (client, seq))");
  primary.query(fmt::format("CREATE USER {}@'%' IDENTIFIED BY '{}'", kAppUser, kAppPassword));
  primary.query(fmt::format("GRANT SELECT, INSERT ON zl.* TO {}@'%'", kAppUser));
  enable_semi_sync(1);
  {
    std::lock_guard lock(archiver_mutex_);
    start_archiver_locked();
  }
  supervisor_ = std::thread([this] { supervise(); });
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (semi_sync_clients() != 1) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);
  }
  for (int c = 0; c < kClients; ++c) clients_.emplace_back([this, c] { run_client(c); });
}

Cluster::~Cluster() {
  stop_ = true;
  for (auto& t : clients_) t.join();
  supervisor_.join();
  std::lock_guard lock(archiver_mutex_);
  if (archiver_ && archiver_->running()) {
    archiver_->signal(SIGTERM);
    archiver_->wait_for(10s);
  }
  archiver_.reset();
  for (auto& p : proxies_) p->close();
}

std::string Cluster::address(int i) const {
  return fmt::format("127.0.0.1:{}", base_port() + kProxyOffset + static_cast<unsigned>(i) - 1);
}

fs::path Cluster::cnf(int i) const {
  return dir() / fmt::format("proxied-{}.cnf", i);
}

std::string Cluster::servers_flag() const {
  return fmt::format("{},{},{}", address(1), address(2), address(3));
}

int Cluster::index_of(const std::string& text) const {
  for (int i = 1; i <= kServers; ++i) {
    if (address(i) == text) return i;
  }
  return 0;
}

pid_t Cluster::server_pid(int i) const {
  return test::server_pid(servers_, i);
}

void Cluster::enable_semi_sync(int i) {
  MysqlConnection server(cnf(i));
  server.query("SET GLOBAL rpl_semi_sync_master_timeout = 3600000");
  server.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'");
  server.query("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
  server.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");
}

void Cluster::set_primary(int i) {
  enable_semi_sync(i);
  primary_ = i;
}

int Cluster::semi_sync_clients() {
  std::string error;
  auto c = MysqlConnection::try_connect(cnf(primary_), &error);
  if (!c) return -1;
  if (mysql_query(c->handle(), "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'") != 0) return -1;
  MYSQL_RES* result = mysql_store_result(c->handle());
  if (result == nullptr) return -1;
  MYSQL_ROW row = mysql_fetch_row(result);
  const int clients = row && row[1] ? std::atoi(row[1]) : -1;
  mysql_free_result(result);
  return clients;
}

void Cluster::start_archiver_locked() {
  ++archiver_starts_;
  archiver_ = std::make_unique<ToolProcess>(
      tool_binary("mzl-binlog-tail"),
      std::vector<std::string>{"--defaults-file=" + cnf(1).string(), "--repo", repo_.string(), "--source",
                               "chaos", "--server-id", "4242", "--stop-never", "--semi-sync", "--heartbeat",
                               "500"},
      logs_ / fmt::format("archiver-{}", archiver_starts_));
}

// Restart=always: an archiver that ended (killed, or stopped by a full disk) is started again.
void Cluster::supervise() {
  while (!stop_) {
    {
      std::lock_guard lock(archiver_mutex_);
      if (archiver_ && archiver_->running()) archiver_->wait_for(0ms);
      if ((!archiver_ || !archiver_->running()) && std::chrono::steady_clock::now() >= restart_at_) {
        start_archiver_locked();
        restart_at_ = std::chrono::steady_clock::now() + 500ms;  // RestartSec
      }
    }
    std::this_thread::sleep_for(50ms);
  }
}

void Cluster::kill_archiver(std::chrono::milliseconds restart_delay) {
  std::lock_guard lock(archiver_mutex_);
  restart_at_ = std::chrono::steady_clock::now() + restart_delay;
  if (archiver_ && archiver_->running()) {
    archiver_->signal(SIGKILL);
    archiver_->wait_for(5s);
  }
}

void Cluster::restart_archiver() {
  std::lock_guard lock(archiver_mutex_);
  if (archiver_ && archiver_->running()) {
    archiver_->signal(SIGTERM);
    if (!archiver_->wait_for(10s)) archiver_->signal(SIGKILL);
    archiver_->wait_for(5s);
  }
  start_archiver_locked();
}

void Cluster::pause_clients(bool paused) {
  paused_ = paused;
}

std::vector<Commit> Cluster::acknowledged() const {
  std::lock_guard lock(acknowledged_mutex_);
  return acknowledged_;
}

size_t Cluster::acknowledged_count() const {
  std::lock_guard lock(acknowledged_mutex_);
  return acknowledged_.size();
}

uint64_t Cluster::archived_seq() const {
  uint64_t highest = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(repo_ / "binlogs", ec)) {
    const std::string state = file_text(entry.path() / "state.json");
    const auto at = state.find("\"gtid_position\":\"");
    if (at == std::string::npos) continue;
    const auto begin = at + 17;
    highest = std::max(highest, domain0_seq(state.substr(begin, state.find('"', begin) - begin)));
  }
  return highest;
}

// Commits (client, seq) one row at a time to the current primary; a commit that returned OK is acknowledged.
// A failed one (the primary died, the route was cut) may or may not have committed: it is not counted, and
// the next commit takes the next seq (no retry of a seq that may exist).
void Cluster::run_client(int client) {
  MYSQL* mysql = nullptr;
  int connected_to = 0;
  uint64_t seq = 0;
  const auto disconnect = [&] {
    if (mysql) mysql_close(mysql);
    mysql = nullptr;
  };
  while (!stop_) {
    if (paused_ || (mysql && connected_to != primary_)) {
      disconnect();
      std::this_thread::sleep_for(20ms);
      continue;
    }
    if (!mysql) {
      connected_to = primary_;
      mysql = mysql_init(nullptr);
      const unsigned connect_timeout = 2, io_timeout = 120;
      mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
      mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
      mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
      const unsigned port = base_port() + kProxyOffset + static_cast<unsigned>(connected_to) - 1;
      if (!mysql_real_connect(mysql, "127.0.0.1", kAppUser, kAppPassword, nullptr, port, nullptr, 0)) {
        disconnect();
        std::this_thread::sleep_for(100ms);
        continue;
      }
    }
    const uint64_t mine = seq++;
    const std::string insert = fmt::format("INSERT INTO zl.t VALUES ({}, {}, NOW(6))", client, mine);
    if (mysql_query(mysql, insert.c_str()) != 0) {
      disconnect();
      std::this_thread::sleep_for(50ms);
      continue;
    }
    {
      std::lock_guard lock(acknowledged_mutex_);
      acknowledged_.emplace_back(client, mine);
    }
    std::this_thread::sleep_for(20ms);  // a steady load that keeps each round's checks short
  }
  disconnect();
}

}  // namespace mzl::test::chaos
