#pragma once
// mzl-promote's failover and switchover (man/mzl-promote.1): the checks, the plan, and its steps with
// rollback, ending in a record (repo/failover_record.h).
//
// Failover (the primary is unreachable, and every reachable replica has lost it too):
//   1. the candidate (topology/candidate.h) and every other replica stop their IO threads; the candidate
//      applies its relay log (--relay-timeout);
//   2. gap fill (gap_fill.h): what the archive in --repo holds and the candidate lacks is applied to it with
//      the original GTIDs; the verdict "nothing acknowledged lost" is checked: a candidate that still lacks
//      an archived transaction is not promoted;
//   3. the candidate forgets its replica configuration; every other replica is pointed at it with GTID
//      auto-positioning and must be seen replicating within --validate-timeout, else the repointing is
//      rolled back (each replica pointed back at the old primary, the candidate too);
//   4. the candidate is made writable; --fence-command runs (the old primary is unreachable: it cannot be
//      made read-only); --hook-post runs.
// Switchover (the primary alive and writable): --hook-pre; the primary is made read-only and its client
// sessions are ended; the candidate waits until it has applied everything the primary's binlog holds
// (--catch-up-timeout, else the primary is made writable again: rolled back); the candidate forgets its
// replica configuration, the old primary and the other replicas are pointed at it and validated; the
// candidate is made writable. The write downtime is from the primary read-only to the candidate writable.
//
// Nothing changes before every check passed and --hook-pre succeeded; --dry-run stops there and prints the
// plan. Refusals: no primary to be told, the primary alive (failover) or dead (switchover), a replica that
// still replicates from the primary, no candidate (errant, broken, --never, unreachable), an archive that
// cannot be read.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/failover/replication_statements.h"
#include "mzl/net/connection_options.h"
#include "mzl/repo/failover_record.h"
#include "mzl/topology/candidate.h"
#include "mzl/util/result.h"

namespace mzl::failover {

struct PromoteOptions {
  std::vector<topology::ServerAddress> servers;
  net::ConnectionOptions connection;  // for every server (host and port replaced)
  topology::CandidateRules rules;
  std::optional<topology::ServerAddress> candidate;  // switchover: --candidate
  std::string repo;                                  // "" : no gap fill, no record file
  std::string source;  // the archive to fill from ("" : the old primary's, by server_id)
  bool dry_run = false;
  std::string hook_pre, hook_post, fence_command;
  // The account a demoted primary replicates with (switchover, rejoin): --replication-user and its
  // password; unset, the connection's own user and password (as MaxScale's replication_user defaults).
  std::optional<std::string> replication_user, replication_password;
  std::chrono::milliseconds relay_timeout{30'000};
  std::chrono::milliseconds catch_up_timeout{30'000};
  std::chrono::milliseconds validate_timeout{10'000};
  std::chrono::milliseconds confirm_timeout{3'000};  // for replicas to notice that the primary is gone
  std::chrono::milliseconds hook_timeout{60'000};
  std::function<void(std::string_view)> log;  // one line per step, for standard error
  // mzl-promote --watch --lease (promotion_term.h): the term the failover acts under and the watcher's name.
  // Before anything changes, a server that records a newer term refuses it, and `authority` (etcd: the
  // lease is still ours) must succeed; the new primary records the term when it is writable.
  std::optional<uint64_t> term;
  std::string term_holder;
  std::function<Status()> authority;  // asked again just before the replicas are repointed
  // mzl-promote --watch: the server_ids last seen of the servers (one per --servers entry), so that a primary
  // the replicas name by another address is still told when it does not answer (topology.h).
  std::vector<std::optional<uint32_t>> remembered_server_ids;
};

struct PromotionResult {
  repo::FailoverRecord record;
  std::string record_path;     // REPO/failovers/<id>.json when written
  std::optional<Error> error;  // why it was refused, rolled back or failed; or a hook or fence that failed
};

PromotionResult run_failover(const PromoteOptions& options);
PromotionResult run_switchover(const PromoteOptions& options);

// --rejoin: a returned old primary becomes a replica of the new primary (the topology's, else the newest
// failover record's). It is made read-only and its client sessions ended first. Its transactions after the
// fork (the record's fork_position; without a record it must have none the new primary lacks) are saved to
// REPO/failovers/rejoin-<time>/ (extra_transactions.h) and, with `flashback`, undone; without it the rejoin
// is refused and the server stays read-only. Then its binary logs are reset to the fork (MariaDB
// gtid_slave_pos, MySQL gtid_purged) and it replicates from the new primary.
PromotionResult run_rejoin(const PromoteOptions& options, const topology::ServerAddress& rejoining,
                           bool flashback);

// The record as text for people (--json prints encode_failover_record()).
std::string describe_record(const repo::FailoverRecord& record);

}  // namespace mzl::failover
