#include "mzl/pitr/pitr_restore.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/net/server_connection.h"
#include "mzl/pitr/served_replay.h"
#include "mzl/replay/parallel_replay.h"
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/json_report.h"

namespace mzl::pitr {
namespace {

replay::ReplayOptions replay_options(const PitrOptions& options, const PitrPlan& plan) {
  replay::ReplayOptions r;
  r.archive_dir = plan.archive_dir;
  r.start_file = plan.snapshot.binlog.file;
  r.start_position = plan.snapshot.binlog.position;
  r.stop = options.stop;
  r.continuations = plan.continuations;
  r.preserve_gtids = options.preserve_gtids && options.load.write_binlog;
  r.progress = options.replay_progress;
  r.filter.databases = options.load.databases;
  r.filter.tables = options.load.tables;
  r.filter.rename_databases = options.load.rename_databases;
  return r;
}

}  // namespace

Result<PitrResult> run_pitr(const PitrOptions& options) {
  PitrResult result;
  MZL_TRY(result.plan, plan_pitr(options));
  MZL_CHECK(check_restore_target(options, result.plan));
  MZL_TRY(result.load, load::load_snapshot_directory(result.plan.snapshot_dir, options.load));
  MZL_TRY(auto connection, net::ServerConnection::connect(options.load.target));
  if (!options.load.write_binlog) MZL_CHECK(connection.execute("SET SESSION sql_log_bin = 0"));
  replay::ReplayOptions replay = replay_options(options, result.plan);
  replay.collations = replay::read_collations(connection);
  const auto started = std::chrono::steady_clock::now();
  Result<replay::ReplayStats> replayed = replay::ReplayStats{};
  const std::string unsuitable = options.replay_mode == PitrOptions::ReplayMode::kStatements
                                     ? "--replay-mode statements"
                                     : served_replay_unsuitable(options, result.plan, connection);
  if (options.replay_mode == PitrOptions::ReplayMode::kServer && !unsuitable.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--replay-mode server cannot do this restore: " + unsuitable);
  }
  if (unsuitable.empty()) {
    replayed = served_replay(options, result.plan, connection);
    result.served = true;
    result.replay_threads = std::max(options.replay_threads, 1u);
  } else if (options.replay_threads > 1 && !replay.preserve_gtids) {
    replay::ParallelReplayOptions parallel;
    parallel.target = options.load.target;
    parallel.sessions = options.replay_threads;
    parallel.write_binlog = options.load.write_binlog;
    parallel.collations = replay.collations;
    parallel.filter = replay.filter;
    MZL_TRY(auto applier, replay::ParallelApplier::create(parallel));
    replayed = replay::replay_archive(replay, *applier);
    result.replay_threads = options.replay_threads;
    const replay::ParallelReplayStats parallel_stats = applier->stats();
    result.replayed_alone = parallel_stats.alone;
    result.replay_peak_in_flight = parallel_stats.peak_in_flight;
    result.replayed_after_conflict = parallel_stats.conflicts;
  } else {
    MZL_TRY(auto sink, replay::ServerStatementSink::create(connection));
    replayed = replay::replay_archive(replay, *sink);
  }
  if (!replayed.ok()) {
    Error e = std::move(replayed).error();
    if (e.message.find("(error 1950)") != std::string::npos) {
      e.message +=
          " (the target's binary log is already past this GTID in its domain: replay without "
          "--preserve-gtids, or into a server whose binlog is behind the source's)";
    }
    if (e.code == ErrorCode::kNotFound && replay.stop.kind == replay::ReplayStop::Kind::kGtid) {
      e.message += "; the target holds the snapshot and what the archive holds up to there (applied)";
    }
    return e;
  }
  result.replay = std::move(*replayed);
  result.replay_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

Result<replay::ReplayStats> write_replay_sql(const PitrOptions& options, OutputStream& out,
                                             PitrPlan* plan_out) {
  MZL_TRY(PitrPlan plan, plan_pitr(options));
  replay::TextStatementSink sink(out);
  MZL_TRY(replay::ReplayStats stats, replay::replay_archive(replay_options(options, plan), sink));
  MZL_CHECK(out.flush());
  if (plan_out) *plan_out = std::move(plan);
  return stats;
}

Result<replay::FlashbackStats> run_flashback(const std::string& repo, const std::string& source,
                                             replay::FlashbackOptions options,
                                             const net::ConnectionOptions& target, OutputStream* sql_out) {
  std::string name = source;
  const std::string binlogs = repo::binlogs_dir(repo);
  if (name.empty()) {
    MZL_TRY(std::vector<std::string> sources, repo::list_sources(repo::local_storage(), repo));
    if (sources.size() != 1) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("the repository archives {} sources: name one with --source", sources.size()))
          .at_r(binlogs);
    }
    name = sources.front();
  }
  options.archive_dir = repo::source_dir(repo, name);
  if (!std::filesystem::is_directory(options.archive_dir)) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("no archived source {}", name)).at_r(binlogs);
  }
  if (sql_out) {
    replay::TextStatementSink sink(*sql_out);
    return replay::flashback(options, sink);
  }
  MZL_TRY(auto connection, net::ServerConnection::connect(target));
  MZL_TRY(auto sink, replay::ServerStatementSink::create(connection));
  return replay::flashback(options, *sink);
}

// The JSON of `mzl-pitr-restore --json` (man/mzl-pitr-restore.1), for util/json_report.h. A static member
// of this namespace, not of an unnamed one, for argument-dependent lookup.
static void visit_fields(auto& io, const PitrResult& r) {
  const replay::ReplayStats& s = r.replay;
  io.field("snapshot", r.plan.snapshot.id);
  io.field("snapshot_gtid", r.plan.snapshot.binlog.gtid);
  io.field("rows_loaded", r.load.rows);
  io.field("load_seconds", r.load.seconds);
  io.field("transactions_replayed", s.transactions);
  io.field("binlog_bytes_replayed", s.bytes);
  io.field("replay_seconds", r.replay_seconds);
  io.field("replay_threads", r.replay_threads);
  io.field("replay_mode", r.served ? "server" : "statements");
  io.field("transactions_replayed_alone", r.replayed_alone);
  io.field("replay_peak_in_flight", r.replay_peak_in_flight);
  io.field("transactions_replayed_after_conflict", r.replayed_after_conflict);
  io.field("last_gtid", s.last_gtid);
  io.field("last_timestamp", static_cast<uint64_t>(s.last_timestamp));
  io.field("end_file", s.end_file);
  io.field("end_position", s.end_position);
  io.field("stop_reached", s.stop_reached);
  io.field("rolled_back_partial_transaction", s.rolled_back);
  io.field("statements_skipped_by_filter", s.skipped_statements);
}

std::string describe_pitr(const PitrResult& r, bool json) {
  if (json) return json_line(r);
  const replay::ReplayStats& s = r.replay;
  return fmt::format(
             "restored snapshot {} ({} rows in {:.1f} s), consistent at {}:{} GTID {}\n"
             "replayed {} transactions in {:.1f} s {}; "
             "last GTID "
             "{}\n{}",
             r.plan.snapshot.id, r.load.rows, r.load.seconds, r.plan.snapshot.binlog.file,
             r.plan.snapshot.binlog.position,
             r.plan.snapshot.binlog.gtid.empty() ? "(none)" : r.plan.snapshot.binlog.gtid, s.transactions,
             r.replay_seconds,
             r.served
                 ? fmt::format("by the target's own applier ({} threads) from the archive served on loopback",
                               r.replay_threads)
                 : fmt::format("({} bytes of binlog) over {} session(s), up to {}:{}", s.bytes,
                               r.replay_threads, s.end_file, s.end_position),
             s.last_gtid.empty() ? "(none)" : s.last_gtid,
             s.rolled_back ? "the archive ends inside a transaction: that transaction was rolled back\n"
                           : "") +
         (s.skipped_statements == 0
              ? ""
              : fmt::format(
                    "warning: {} statement(s) skipped: their default database is not selected (or they "
                    "have none); statement-logged changes are chosen by it, not by what they touch\n",
                    s.skipped_statements));
}

}  // namespace mzl::pitr
