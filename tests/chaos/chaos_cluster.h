#pragma once
// The cluster the chaos test (chaos_test.cc) torments, as an operator runs it: a primary and two GTID
// replicas (a sandbox of the test's own), each reached only through a TCP proxy of its own (every program and
// every replica uses the proxies' addresses, so a proxy cut or stall is a network fault between everything
// and that server); the archiver mzl-binlog-tail --semi-sync as the primary's semi-synchronous replica
// (AFTER_SYNC, a one-hour timeout: a commit returns only once the archive has it), kept running by a
// supervisor as systemd's Restart=always would; the repository on a tmpfs of its own (so its disk can fill
// up); client threads that commit single-row transactions as an application user (no READ ONLY ADMIN) and log
// every commit that returned; and an empty scratch server for restores.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sandbox.h"
#include "tcp_proxy.h"
#include "tool_process.h"

namespace mzl::test::chaos {

inline constexpr int kServers = 3;
inline constexpr int kClients = 4;

// (client, seq): one acknowledged commit.
using Commit = std::pair<int, uint64_t>;

class Cluster {
 public:
  // Port offsets (from MZL_SANDBOX_PORT): servers 130..132, scratch 134, proxies 136..138.
  Cluster();
  ~Cluster();

  const std::filesystem::path& dir() const { return servers_.dir(); }
  const std::filesystem::path& repo() const { return repo_; }
  const std::filesystem::path& logs() const { return logs_; }
  TmpfsMount& repo_disk() { return *repo_disk_; }

  // Server i (1..3) through its proxy: "127.0.0.1:<proxy port>", an option file for user mzl.
  std::string address(int i) const;
  std::filesystem::path cnf(int i) const;
  std::string servers_flag() const;                // every server's address, comma-separated
  int index_of(const std::string& address) const;  // 0 when none
  TcpProxy& proxy(int i) { return *proxies_[i - 1]; }
  pid_t server_pid(int i) const;
  void start_server(int i) { servers_.start_server(i); }
  std::filesystem::path scratch_cnf() const { return scratch_.client_cnf(); }

  int primary() const { return primary_; }
  // After a failover: the clients write to `i`, which gets the semi-synchronous settings (as an operator's
  // post-promotion hook would set them).
  void set_primary(int i);
  // Sets the primary's semi-synchronous master variables (they do not survive a restart).
  void enable_semi_sync(int i);
  // Rpl_semi_sync_master_clients on the primary, -1 when it does not answer.
  int semi_sync_clients();

  // The archiver: killed (SIGKILL) on demand, started again by the supervisor after `restart_delay`.
  void kill_archiver(std::chrono::milliseconds restart_delay);
  // SIGTERM then a fresh start (an archiver that connected before the new primary had semi-sync on).
  void restart_archiver();
  int archiver_starts() const { return archiver_starts_; }

  // Clients: paused ones commit nothing (and hold no transaction open).
  void pause_clients(bool paused);
  std::vector<Commit> acknowledged() const;  // every commit acknowledged so far
  size_t acknowledged_count() const;

  // The highest domain-0 GTID sequence number in any source's state.json of the archive (0 when none).
  uint64_t archived_seq() const;

 private:
  void supervise();
  void run_client(int client);
  void start_archiver_locked();

  OwnSandbox servers_;
  OwnSandbox scratch_;
  std::vector<std::unique_ptr<TcpProxy>> proxies_;
  std::filesystem::path repo_, logs_;
  std::unique_ptr<TmpfsMount> repo_disk_;
  std::atomic<int> primary_{1};

  std::mutex archiver_mutex_;
  std::unique_ptr<ToolProcess> archiver_;
  std::chrono::steady_clock::time_point restart_at_{};
  int archiver_starts_ = 0;

  mutable std::mutex acknowledged_mutex_;
  std::vector<Commit> acknowledged_;
  std::atomic<bool> paused_{false};
  std::atomic<bool> stop_{false};
  std::thread supervisor_;
  std::vector<std::thread> clients_;
};

// The GTID sequence number of domain 0 in a MariaDB GTID position ("0-1-42,1-2-3" gives 42; 0 when absent).
uint64_t domain0_seq(const std::string& position);

}  // namespace mzl::test::chaos
