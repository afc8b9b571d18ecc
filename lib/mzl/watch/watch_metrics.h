#pragma once
// The Prometheus textfile of mzl-promote --watch --metrics-file (man/mzl-promote.1, METRICS): per server up,
// role, read_only, errant GTIDs; per lag target the lag now, its average and p99; failovers done, checks,
// the lease. Rewritten atomically after every check.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "mzl/topology/topology.h"
#include "mzl/util/result.h"
#include "mzl/watch/lag_rules.h"

namespace mzl::watch {

struct WatchFigures {
  const topology::Topology* topology = nullptr;
  const std::map<std::string, LagTracker>* lag = nullptr;  // by target
  LagTracker::Clock::time_point now;
  uint64_t checks = 0;
  uint64_t failovers = 0;
  std::optional<bool> lease_held;  // nullopt: no lease
  uint64_t term = 0;
};

std::string watch_metrics_text(const WatchFigures& figures);
// How many transactions an errant GTID list names (metric mzl_watch_errant_gtids).
uint64_t errant_gtid_count(const std::string& gtids);
Status write_watch_metrics(const std::string& path, const WatchFigures& figures);

}  // namespace mzl::watch
