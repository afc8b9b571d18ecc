#pragma once
// What failover.cc and switchover.cc share: the servers' snapshots for the record, the hooks' environment,
// repointing replicas with validation and rollback, and ending a run (the record written).
#include <optional>
#include <string>
#include <vector>

#include "mzl/failover/promotion.h"
#include "mzl/failover/server_control.h"
#include "mzl/failover/step_log.h"
#include "mzl/topology/topology.h"
#include "mzl/util/shell_command.h"

namespace mzl::failover::detail {

std::vector<repo::ServerSnapshot> snapshot_servers(const topology::Topology& topology);

// The replicas' data as the record states it: MariaDB gtid_binlog_pos, MySQL gtid_executed.
std::string executed_text(const topology::ServerState& state);

// MZL_PROMOTE_KIND, MZL_OLD_PRIMARY(_HOST, _PORT), MZL_NEW_PRIMARY(_HOST, _PORT), MZL_REPLICAS (host:port,
// comma-separated): what --hook-pre, --hook-post and --fence-command are told.
Environment hook_environment(const repo::FailoverRecord& record, const std::vector<std::string>& replicas);

// Runs a hook command as a step (nothing when `command` is empty).
Status run_hook(StepLog& steps, const std::string& what, const std::string& command, const Environment& env,
                std::chrono::milliseconds timeout);

// One replica being pointed at a new source, and the source to put back when the repointing is rolled back.
struct Repointing {
  ControlledServer* server = nullptr;
  std::string channel;
  topology::ServerAddress previous_source;
  bool changed = false;  // the CHANGE MASTER was made
};
// The repointing of each connected follower (connect_all of `followers`), away from `previous_source`.
std::vector<Repointing> repointing_of(const topology::Topology& topology,
                                      const std::vector<size_t>& followers,
                                      std::vector<ControlledServer>& connected,
                                      const topology::ServerAddress& previous_source);

// The replicas of the primary other than the candidate, which will follow the candidate; broken ones are
// left alone (a step says so).
std::vector<size_t> followers_of(const topology::Topology& topology, size_t candidate, StepLog& steps);
std::vector<std::string> names_of(const topology::Topology& topology, const std::vector<size_t>& servers);

// Connects to each of `servers` (a refusal when one cannot be reached: nothing has changed yet).
Result<std::vector<ControlledServer>> connect_all(const topology::Topology& topology,
                                                  const std::vector<size_t>& servers,
                                                  const net::ConnectionOptions& connection);

// The account a demoted primary replicates with (--replication-user, else the connection's own).
ReplicationCredentials replication_credentials(const PromoteOptions& options);

// Stops each replica's channel, points it at `source` and starts it again.
Status repoint(StepLog& steps, std::vector<Repointing>& replicas, const topology::ServerAddress& source);
// Waits until every repointed replica's IO and SQL threads run (and its IO thread is connected), or one of
// them reports an error; kServer naming it, or the timeout.
Status validate_replicating(StepLog& steps, std::vector<Repointing>& replicas,
                            std::chrono::milliseconds timeout);
// Points every changed replica back at its previous source (best effort: each failure is a step).
void roll_back_repointing(StepLog& steps, std::vector<Repointing>& replicas);

// The lock on REPO/failovers/ for a run that changes servers (none without --repo); kIo when another
// mzl-promote holds it.
Result<std::optional<repo::DirectoryLock>> lock_repository(const PromoteOptions& options);

// Why a run was refused: kept as the error, the record's message, outcome kRefused.
Error refusal(std::string message);

// Ends the run: the outcome, the finishing time, the message; writes the record to REPO/failovers/ when a
// repository is given and this was no dry run (a failure to write it is the result's error if there was
// none).
PromotionResult& finish(PromotionResult& result, const PromoteOptions& options, repo::Outcome outcome,
                        std::optional<Error> error);

}  // namespace mzl::failover::detail
