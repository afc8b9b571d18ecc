#include "mzl/pitr/served_replay.h"

#include <fmt/format.h>

#include "mzl/archive/archive_state.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/net/sql_text.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/serve/catch_up.h"

namespace mzl::pitr {

namespace {

// The GTID position to stop after: the stop GTID, the archive's end, or (a time or position) the last
// transaction the statement replay would apply, found by a dry run.
Result<std::string> until_position(const PitrOptions& options, const PitrPlan& plan) {
  if (options.stop.kind == replay::ReplayStop::Kind::kGtid && !options.stop.before_gtid)
    return options.stop.gtid;
  if (options.stop.kind == replay::ReplayStop::Kind::kLatest) {
    MZL_TRY(auto state,
            archive::read_archive_state(repo::archive_state_path(options.repo, plan.snapshot.server.source)));
    return state.gtid_position;
  }
  return std::string();  // found by the caller's dry run
}

}  // namespace

std::string served_replay_unsuitable(const PitrOptions& options, const PitrPlan& plan,
                                     net::ServerConnection& target) {
  if (plan.snapshot.server.flavour != "mariadb") return "the served replay is for MariaDB sources";
  if (!options.load.databases.empty() || !options.load.tables.empty() ||
      !options.load.rename_databases.empty())
    return "a partial or renamed restore replays statements";
  if (!plan.continuations.empty()) return "the history continues across a failover";
  if (options.stop.kind == replay::ReplayStop::Kind::kPosition) return "a stop position replays statements";
  if (options.stop.kind == replay::ReplayStop::Kind::kGtid && options.stop.before_gtid)
    return "a stop before a GTID replays statements";
  if (options.stop.kind == replay::ReplayStop::Kind::kDatetime) return "a stop time replays statements";
  if (options.stop.kind == replay::ReplayStop::Kind::kGtid && !gtid::MariaGtid::parse(options.stop.gtid).ok())
    return "the stop GTID is not one MariaDB GTID";
  auto start = gtid::MariaGtidPosition::parse(plan.snapshot.binlog.gtid);
  if (!start.ok() || start->to_string().find(',') != std::string::npos) return "several GTID domains";
  auto state =
      archive::read_archive_state(repo::archive_state_path(options.repo, plan.snapshot.server.source));
  if (!state.ok() || state->gtid_position.find(',') != std::string::npos) return "several GTID domains";
  auto replication = target.query_named("SHOW ALL SLAVES STATUS");
  if (!replication.ok())
    return "the target's replication status cannot be read: " + replication.error().message;
  if (!replication->empty()) return "the target is a replica (it has a replication configuration)";
  auto logs = target.scalar("SELECT @@global.log_slave_updates");
  const bool logs_replicated = logs.ok() && logs->has_value() && **logs == "1";
  if (options.load.write_binlog && !logs_replicated)
    return "the target runs without log_slave_updates: its applier would not write the restore to its binary "
           "log";
  if (!options.load.write_binlog && logs_replicated)
    return "--no-binlog, and the target runs with log_slave_updates: its applier would write the restore to "
           "its "
           "binary log";
  return "";
}

Result<replay::ReplayStats> served_replay(const PitrOptions& options, const PitrPlan& plan,
                                          net::ServerConnection& target) {
  replay::ReplayStats stats;
  MZL_TRY(std::string until, until_position(options, plan));
  if (until.empty()) return Error(ErrorCode::kInternal, "served replay without a stop GTID");
  if (until == plan.snapshot.binlog.gtid || until.empty()) {
    stats.stop_reached = true;
    return stats;  // nothing after the snapshot
  }
  serve::CatchUpOptions catch_up;
  catch_up.repo = options.repo;
  catch_up.source = plan.snapshot.server.source;
  catch_up.until = until;
  catch_up.start = plan.snapshot.binlog.gtid;
  catch_up.parallel_threads = std::max(options.replay_threads, 1u);
  // A restore of the primary has its server_id; the snapshot load logged its own transactions under the
  // target's GTIDs, ahead of the archive's in the same domain (strict mode would refuse the replicated ones).
  catch_up.set_aside_server_id = true;
  catch_up.set_aside_strict_mode = true;
  if (options.replay_progress) {
    catch_up.progress = [&](const std::string& at) {
      replay::ReplayProgress progress;
      progress.file = at;
      options.replay_progress(progress);
    };
  }
  MZL_CHECK(serve::catch_up_from_archive(target, catch_up));
  auto start = gtid::MariaGtidPosition::parse(plan.snapshot.binlog.gtid);
  auto last = gtid::MariaGtidPosition::parse(until);
  if (start.ok() && last.ok()) {
    const std::string text = last->to_string();
    stats.last_gtid = text;
    // One domain: the transactions are the sequence numbers in between.
    const auto dash = text.rfind('-');
    const auto first = start->to_string();
    const auto first_dash = first.rfind('-');
    if (dash != std::string::npos) {
      const uint64_t to = std::stoull(text.substr(dash + 1));
      const uint64_t from =
          first.empty() || first_dash == std::string::npos ? 0 : std::stoull(first.substr(first_dash + 1));
      stats.transactions = to > from ? to - from : 0;
    }
  }
  stats.stop_reached = true;
  return stats;
}

}  // namespace mzl::pitr
