#pragma once
// mzl-promote --check: one health look at a topology, for a monitor or a runbook. Pure: the problems follow
// from the Topology alone. The report lists every server (role, writable, GTID position or set, each
// replica's threads, lag and errors) and every problem; problems are also what the tool prints on stderr.
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/topology/candidate.h"
#include "mzl/topology/topology.h"

namespace mzl::topology {

struct CheckOptions {
  uint64_t max_lag_seconds = 60;  // a replica further behind (Seconds_Behind_Master) is a problem
};

struct CheckProblem {
  std::string server;  // host:port, or "" for the topology as a whole
  std::string what;
};

// Problems: an unreachable server; no primary, or an unreachable or read-only one; not exactly one writable
// server; a replica not replicating from the primary's tree, with a stopped IO or SQL thread (with its last
// error), lagging more than max_lag_seconds, or with errant transactions.
std::vector<CheckProblem> check_health(const Topology& topology, const CheckOptions& options);

// The --check report: a table (and the problems) for people, or one JSON object (json = true).
std::string describe_check(const Topology& topology, const std::vector<CheckProblem>& problems, bool json);

// The --dry-run report: the topology and the candidate that would be promoted, and why; nothing is changed.
std::string describe_dry_run(const Topology& topology, const CandidateChoice& choice, bool json);

}  // namespace mzl::topology
