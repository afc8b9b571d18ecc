#pragma once
// mzl-promote --watch (man/mzl-promote.1, WATCHING): check the topology every interval, keep the lag of every
// replica and of the archiver, raise and clear alerts, and, with --auto-failover, run the failover of
// promotion.h when the primary is lost (primary_watch.h), at most once per cooldown. With a lease
// (etcd://HOST:PORT/KEY) several watchers elect one actor: only the holder fails over, under its term.
// Runs until SIGTERM/SIGINT (util/stop_signal.h), which ends the current check and resigns the lease.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mzl/failover/promotion.h"
#include "mzl/util/result.h"
#include "mzl/watch/lag_rules.h"

namespace mzl::watch {

struct WatchOptions {
  // The servers, connection, repository, hooks and timeouts of the failover it runs (log: its step lines).
  failover::PromoteOptions promote;
  std::chrono::milliseconds interval{1'000};
  unsigned failcount = 5;
  bool auto_failover = false;
  std::chrono::milliseconds cooldown{600'000};
  std::string heartbeat_table = "mzl.heartbeat";  // "": no heartbeat, no replica lag
  LagRules lag;
  std::string alert_command, diagnose_command;
  std::string metrics_file;  // Prometheus textfile, rewritten after every check ("": none)
  bool json = false;
  std::string lease;  // etcd://HOST:PORT/KEY ("": one watcher, no election)
  std::chrono::seconds lease_ttl{10};
  std::string name;         // this watcher's name in the lease and the term row (default host:pid)
  uint64_t max_checks = 0;  // stop after this many checks (0: until a signal)
  std::function<void(std::string_view)> output;  // the event lines (standard output)
  std::function<void(std::string_view)> log;     // diagnostics (standard error)
};

struct WatchSummary {
  uint64_t checks = 0;
  uint64_t failovers = 0;  // promoted
};

// Runs until a stop signal or max_checks. Errors: a bad --heartbeat-table or --lease, etcd unreachable at
// the start (kNetwork). Servers that do not answer are events, not errors.
Result<WatchSummary> run_watch(const WatchOptions& options);

}  // namespace mzl::watch
