// mzl-pitr-restore: restore a snapshot into a server and replay the binlog archive to a point in time, a
// GTID or a binlog position (man/mzl-pitr-restore.1).
#include <fmt/format.h>

#include "cli.h"
#include "common_options.h"
#include "mzl/pitr/pitr_restore.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/stop_signal.h"
#include "progress.h"

namespace {

constexpr const char* kProgram = "mzl-pitr-restore";

struct Flags {
  std::string repo, snapshot;
  std::string stop_datetime, stop_gtid, stop_position;
  std::string start_datetime, start_gtid, start_position, source;
  bool flashback = false;
  bool to_latest = false, stop_before_gtid = false;
  unsigned threads = 2;
  unsigned replay_threads = 4;
  std::string replay_mode = "auto";
  std::vector<std::string> databases, tables, renames;
  bool no_binlog = false, preserve_gtids = false, force = false, sql = false, dry_run = false, json = false;
};

// --flashback's start: exactly one of --start-datetime, --start-gtid, --start-position.
mzl::Result<mzl::replay::ReplayStop> start_point(const Flags& flags) {
  return mzl::pitr::parse_replay_point("start", flags.start_datetime, flags.start_gtid, flags.start_position,
                                       false);
}

// Exactly one of --stop-datetime, --stop-gtid [--stop-before-gtid], --stop-position, --to-latest.
mzl::Result<mzl::replay::ReplayStop> stop_point(const Flags& flags) {
  using namespace mzl;
  if (flags.stop_before_gtid && flags.stop_gtid.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--stop-before-gtid goes with --stop-gtid");
  }
  MZL_TRY(auto stop, pitr::parse_replay_point("stop", flags.stop_datetime, flags.stop_gtid,
                                              flags.stop_position, flags.to_latest));
  stop.before_gtid = flags.stop_before_gtid;
  return stop;
}

mzl::Status flashback_command(const Flags& flags, const mzl::net::ConnectionOptions& target) {
  using namespace mzl;
  replay::FlashbackOptions options;
  MZL_TRY(options.start, start_point(flags));
  MZL_TRY(options.stop, stop_point(flags));
  options.databases = flags.databases;
  options.tables = flags.tables;
  std::unique_ptr<OutputStream> out;
  if (flags.sql) {
    MZL_TRY(out, open_output("-"));
  }
  MZL_TRY(auto stats, pitr::run_flashback(flags.repo, flags.source, options, target, out.get()));
  fmt::print(flags.sql ? stderr : stdout,
             "flashback{}: {} transactions ({} row events, {} rows) undone, from {} back to {}\n",
             flags.sql ? " (SQL on stdout)" : "", stats.transactions, stats.row_events, stats.rows,
             stats.last_gtid.empty() ? "-" : stats.last_gtid,
             stats.first_gtid.empty() ? "-" : stats.first_gtid);
  return ok_status();
}

mzl::Status restore_command(const Flags& flags, const mzl::net::ConnectionOptions& target) {
  using namespace mzl;
  MZL_CHECK(tool::require_repo_flag(flags.repo, "--repo DIR is required"));
  if (flags.flashback) return flashback_command(flags, target);
  pitr::PitrOptions options;
  options.repo = flags.repo;
  options.snapshot_id = flags.snapshot;
  MZL_TRY(options.stop, stop_point(flags));
  options.load.target = target;
  options.load.threads = flags.threads;
  options.replay_threads = flags.replay_threads;
  options.replay_mode = flags.replay_mode == "server"       ? mzl::pitr::PitrOptions::ReplayMode::kServer
                        : flags.replay_mode == "statements" ? mzl::pitr::PitrOptions::ReplayMode::kStatements
                                                            : mzl::pitr::PitrOptions::ReplayMode::kAuto;
  options.load.databases = flags.databases;
  options.load.tables = flags.tables;
  for (const std::string& r : flags.renames) {
    const size_t colon = r.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == r.size()) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("--rename-database '{}' is not OLD:NEW", r));
    }
    options.load.rename_databases.emplace_back(r.substr(0, colon), r.substr(colon + 1));
  }
  options.load.write_binlog = !flags.no_binlog;
  options.preserve_gtids = flags.preserve_gtids;
  options.force = flags.force;

  if (flags.sql || flags.dry_run) {
    auto out = open_output(flags.dry_run ? "/dev/null" : "-");
    if (!out.ok()) return std::move(out).error();
    pitr::PitrPlan plan;
    MZL_TRY(auto stats, pitr::write_replay_sql(options, **out, &plan));
    fmt::print(flags.sql ? stderr : stdout, "{}", pitr::describe_plan(plan, stats));
    return ok_status();
  }

  tool::ProgressBar bar("restore");
  if (bar.enabled()) {
    options.load.progress = [&bar](const load::LoadProgress& p) {
      bar.update(p.bytes_done, p.bytes_total,
                 fmt::format("{} {}/{} files", p.phase, p.files_done, p.files_total));
    };
    options.replay_progress = [&bar](const replay::ReplayProgress& p) {
      bar.update(p.bytes, 0, fmt::format("replay {} transactions  {}", p.transactions, p.file));
    };
  }
  MZL_TRY(auto result, pitr::run_pitr(options));
  bar.finish();
  fmt::print("{}", pitr::describe_pitr(result, flags.json));
  return ok_status();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Restore a snapshot of the repository into a server, then replay the archived binlog from the "
      "snapshot's\n"
      "exact coordinates to a time, a GTID or a binlog position (transaction-exact: never half a "
      "transaction).\n"
      "The newest snapshot before the stop point is used unless --snapshot names one; --sql prints the "
      "replay as\nSQL instead of applying it.",
      kProgram};
  mzl::tool::configure_app(app, kProgram);
  Flags flags;
  app.add_option("--repo", flags.repo, "Backup repository (snapshots/ and binlogs/<source>/)");
  app.add_option("--snapshot", flags.snapshot, "Restore this snapshot id instead of the newest that fits");
  auto* stop = app.add_option_group("Stop point (exactly one)");
  stop->add_option("--stop-datetime", flags.stop_datetime,
                   "Replay the transactions stamped before 'YYYY-MM-DD HH:MM:SS' (local time; Z for UTC)");
  stop->add_option("--stop-gtid", flags.stop_gtid, "Replay up to and including this GTID");
  stop->add_flag("--stop-before-gtid", flags.stop_before_gtid, "... but not that GTID's transaction");
  stop->add_option("--stop-position", flags.stop_position,
                   "FILE:POS: replay the transactions that start before it");
  stop->add_flag("--to-latest", flags.to_latest, "Replay everything archived");
  app.add_option("--threads", flags.threads, "Parallel connections loading the snapshot (default 2)")
      ->check(CLI::Range(1, 256));
  app.add_option("--replay-mode", flags.replay_mode,
                 "auto (default): server where it can, else statements; server: the target's own\n"
                 "applier from the archive served on a loopback port (MariaDB, whole restore, one\n"
                 "GTID domain, --to-latest or --stop-gtid); statements: BINLOG statements")
      ->check(CLI::IsMember({"auto", "server", "statements"}));
  app.add_option("--replay-threads", flags.replay_threads,
                 "Sessions replaying independent transactions at once (default 4; 1: serial, binlog order)")
      ->check(CLI::Range(1, 64));
  app.add_option("--databases", flags.databases, "Only these databases (restore and replay, or --flashback)")
      ->delimiter(',');
  app.add_option("--tables", flags.tables, "Only these db.table (restore and replay, or --flashback)")
      ->delimiter(',');
  auto* undo = app.add_option_group("Flashback: undo a range of the archive in place");
  undo->add_flag("--flashback", flags.flashback,
                 "Apply (or with --sql print) the inverse of the range's row changes, newest first");
  undo->add_option("--start-datetime", flags.start_datetime,
                   "The range starts with the first transaction stamped at or after this time");
  undo->add_option("--start-gtid", flags.start_gtid, "... with this transaction");
  undo->add_option("--start-position", flags.start_position,
                   "... with the first that starts at or after FILE:POS");
  undo->add_option("--source", flags.source, "The archived source (default: the repository's only one)");
  app.add_option("--rename-database", flags.renames,
                 "OLD:NEW: restore and replay database OLD as NEW (beside a live OLD)");
  app.add_flag("--no-binlog", flags.no_binlog,
               "Do not write the restore into the target's binary log (sql_log_bin=0; no replicas follow)");
  app.add_flag("--preserve-gtids", flags.preserve_gtids,
               "Log replayed transactions under their original GTIDs (the target's binlog must be behind)");
  app.add_flag("--force", flags.force, "Restore into a replica or into the snapshot's own source server");
  app.add_flag("--sql", flags.sql, "Write the replay as SQL to stdout (for | mariadb) instead of restoring");
  app.add_flag("--dry-run", flags.dry_run,
               "Print the plan (snapshot, binlog range, transactions), change nothing");
  app.add_flag("--json", flags.json, "Machine-readable summary on stdout");
  mzl::tool::CommonOptions common(kProgram);
  mzl::tool::add_common_flags(app, common);

  return mzl::tool::run(app, argc, argv, [&]() -> mzl::Status {
    using namespace mzl;
    MZL_CHECK(common.apply_option_files(app));
    MZL_TRY(auto target, common.connection_options());
    install_stop_handlers();
    return restore_command(flags, target);
  });
}
