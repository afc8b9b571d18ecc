#include "mzl/pitr/served_replay.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "mzl/archive/archive_state.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/net/sql_text.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/serve/serve_listener.h"
#include "mzl/serve/serve_run.h"
#include "mzl/util/hex.h"

namespace mzl::pitr {

namespace {

constexpr const char* kUser = "mzl_pitr";

Result<std::string> scalar(net::ServerConnection& c, const std::string& sql) {
  MZL_TRY(auto value, c.scalar(sql));
  return value.value_or("");
}

// The replica's state, one field by name (SHOW SLAVE STATUS differs between versions).
Result<std::string> slave_status(net::ServerConnection& c, const std::string& field) {
  MZL_TRY(auto rows, c.query_named("SHOW SLAVE STATUS"));
  if (rows.empty()) return std::string();
  auto it = rows[0].find(field);
  return it == rows[0].end() ? std::string() : it->second.value_or("");
}

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

std::string served_replay_unsuitable(const PitrOptions& options, const PitrPlan& plan) {
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
  // The private serve: a loopback port, an account of this run only.
  MZL_TRY(serve::Scramble secret, serve::random_scramble());
  const std::string password = to_hex(secret);
  serve::ServeConfig config;
  config.archive_dir = plan.archive_dir;
  MZL_TRY(config.server, serve::served_server(options.repo, plan.snapshot.server.source));
  config.user = kUser;
  config.password = serve::native_password_hash(password);
  serve::StateFileArchiveEnd end(repo::archive_state_path(options.repo, plan.snapshot.server.source));
  MZL_TRY(auto listener, serve::ServeListener::open(HostPort{"127.0.0.1", 0}, std::move(config), end));
  listener->start();

  // A replica ignores a primary with its own server_id (a restore of the primary has it): another one
  // while it replicates.
  MZL_TRY(std::string old_server_id, scalar(target, "SELECT @@global.server_id"));
  MZL_TRY(std::string old_threads, scalar(target, "SELECT @@global.slave_parallel_threads"));
  // The snapshot load logged its own transactions under the target's GTIDs, ahead of the archive's in the
  // same domain: strict mode would refuse the replicated ones as out of order.
  MZL_TRY(std::string old_strict, scalar(target, "SELECT @@global.gtid_strict_mode"));
  const std::string temporary_id = std::to_string(4000000000u - plan.snapshot.server.server_id % 1000000);
  auto restore = [&]() {
    (void)target.execute("STOP SLAVE");
    (void)target.execute("RESET SLAVE ALL");
    (void)target.execute("SET GLOBAL slave_parallel_threads = " + old_threads);
    (void)target.execute("SET GLOBAL server_id = " + old_server_id);
    (void)target.execute("SET GLOBAL gtid_strict_mode = " + old_strict);
  };
  Status started = [&]() -> Status {
    MZL_CHECK(target.execute("SET GLOBAL server_id = " + temporary_id));
    MZL_CHECK(target.execute("SET GLOBAL gtid_strict_mode = 0"));
    MZL_CHECK(target.execute(
        fmt::format("SET GLOBAL slave_parallel_threads = {}", std::max(options.replay_threads, 1u))));
    MZL_CHECK(target.execute("SET GLOBAL gtid_slave_pos = " + net::quote_string(plan.snapshot.binlog.gtid)));
    MZL_CHECK(target.execute(fmt::format(
        "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER={}, MASTER_PASSWORD={}, "
        "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
        listener->port(), net::quote_string(kUser), net::quote_string(password))));
    return target.execute("START SLAVE UNTIL master_gtid_pos = " + net::quote_string(until));
  }();
  if (!started.ok()) {
    restore();
    return std::move(started).error();
  }
  // Waits until the replica has applied the range, reporting what it did on the way.
  Status waited = ok_status();
  while (true) {
    auto reached = scalar(target, fmt::format("SELECT MASTER_GTID_WAIT({}, 1)", net::quote_string(until)));
    if (!reached.ok()) {
      waited = std::move(reached).error();
      break;
    }
    if (*reached == "0") break;
    auto sql_error = slave_status(target, "Last_SQL_Error");
    auto io_error = slave_status(target, "Last_IO_Error");
    if (sql_error.ok() && !sql_error->empty()) {
      waited =
          Error(ErrorCode::kServer, "the target's applier stopped: " + *sql_error).at_r(target.server_name());
      break;
    }
    if (io_error.ok() && !io_error->empty() && io_error->find("1236") != std::string::npos) {
      waited = Error(ErrorCode::kServer, "the target could not read the served archive: " + *io_error)
                   .at_r(target.server_name());
      break;
    }
    if (options.replay_progress) {
      replay::ReplayProgress progress;
      auto at = scalar(target, "SELECT @@global.gtid_slave_pos");
      if (at.ok()) progress.file = *at;
      options.replay_progress(progress);
    }
  }
  restore();
  listener->stop();
  MZL_CHECK(waited);
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
