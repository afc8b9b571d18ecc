#include "mzl/restore/pitr_restore.h"

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
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/restore/parallel_replay.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/json.h"

namespace mzl::restore {
namespace {

std::string archive_dir_of(const std::string& repo, const snapshot::Manifest& m) {
  return repo::source_dir(repo, m.server.source);
}

// The archive file holding `name` (plain or .lz4), if any.
std::optional<std::filesystem::path> archived_file(const std::string& archive_dir, const std::string& name) {
  for (const char* suffix : {"", ".lz4"}) {
    std::filesystem::path p = std::filesystem::path(archive_dir) / (name + suffix);
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return std::nullopt;
}

// The timestamp of the last transaction (GTID event) before `position` in `file`, or nullopt when none.
Result<std::optional<int64_t>> last_transaction_time(const std::filesystem::path& file, uint64_t position) {
  MZL_TRY(auto reader, codec::BinlogFileReader::open(file.string()));
  std::optional<int64_t> last;
  while (reader.offset() < position) {
    MZL_TRY(auto next, reader.next());
    if (!next) break;
    const uint8_t type = next->header.type_code;
    if (starts_transaction(type)) last = next->header.timestamp;
  }
  return last;
}

Result<bool> snapshot_fits(const PitrOptions& options, const snapshot::Manifest& m) {
  const ReplayStop& stop = options.stop;
  const std::string dir = archive_dir_of(options.repo, m);
  auto start = archived_file(dir, m.binlog.file);
  if (!start) return false;
  switch (stop.kind) {
    case ReplayStop::Kind::kLatest:
      return true;
    case ReplayStop::Kind::kDatetime: {
      MZL_TRY(auto last, last_transaction_time(*start, m.binlog.position));
      // None in this file: the GTID_LIST at its start follows the previous file's last transaction, which
      // is older than the file's own FORMAT_DESCRIPTION; that event's time bounds it.
      if (!last) {
        MZL_TRY(auto reader, codec::BinlogFileReader::open(start->string()));
        MZL_TRY(auto first, reader.next());
        if (first) last = first->header.timestamp;
      }
      return last && *last < stop.datetime;
    }
    case ReplayStop::Kind::kGtid: {
      auto target = gtid::MariaGtid::parse(stop.gtid);
      if (!target.ok()) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("choosing a snapshot for the MySQL GTID {} is not supported: name one with "
                                 "--snapshot",
                                 stop.gtid));
      }
      MZL_TRY(auto position, gtid::MariaGtidPosition::parse(m.binlog.gtid));
      auto mine = position.find(target->domain_id);
      return !mine || mine->seq_no < target->seq_no;
    }
    case ReplayStop::Kind::kPosition: {
      if (m.binlog.file == stop.file) return m.binlog.position <= stop.position;
      const auto here = archive::binlog_sequence_number(m.binlog.file);
      const auto there = archive::binlog_sequence_number(stop.file);
      return here && there && *here < *there;
    }
  }
  return false;
}

Status check_target(const PitrOptions& options, const PitrPlan& plan) {
  if (options.force) return ok_status();
  MZL_TRY(auto connection, net::ServerConnection::connect(options.load.target));
  MZL_TRY(auto replica, connection.query("SHOW SLAVE STATUS"));
  auto refuse = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument, why + "; --force restores anyway")
        .at_r(connection.server_name());
  };
  if (!replica.empty()) {
    return refuse("the target is a replica (SHOW SLAVE STATUS): the restore would fight its replication");
  }
  MZL_TRY(auto id, connection.scalar("SELECT @@server_id"));
  const snapshot::SnapshotServer& source = plan.snapshot.server;
  bool same = id && *id == std::to_string(source.server_id);
  if (!source.server_uuid.empty()) {
    MZL_TRY(auto uuid, connection.scalar("SELECT @@server_uuid"));
    same = uuid && *uuid == source.server_uuid;
  }
  if (same) {
    return refuse(
        fmt::format("the target has the identity of the snapshot's source (server_id {}{}): restoring "
                    "into the source itself is almost always a mistake",
                    source.server_id, source.server_uuid.empty() ? "" : ", " + source.server_uuid));
  }
  return ok_status();
}

CollationNames read_collations(net::ServerConnection& connection) {
  CollationNames names;
  auto rows =
      connection.query("SELECT ID, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLLATIONS");
  if (!rows.ok()) return names;  // USER_VAR strings are then refused when they occur
  for (const auto& row : *rows) {
    if (row.size() == 3 && row[0] && row[1] && row[2]) names[std::stoul(*row[0])] = {*row[1], *row[2]};
  }
  return names;
}

ReplayOptions replay_options(const PitrOptions& options, const PitrPlan& plan) {
  ReplayOptions r;
  r.archive_dir = plan.archive_dir;
  r.start_file = plan.snapshot.binlog.file;
  r.start_position = plan.snapshot.binlog.position;
  r.stop = options.stop;
  r.preserve_gtids = options.preserve_gtids && options.load.write_binlog;
  r.progress = options.replay_progress;
  r.filter.databases = options.load.databases;
  r.filter.tables = options.load.tables;
  r.filter.rename_databases = options.load.rename_databases;
  return r;
}

}  // namespace

Result<PitrPlan> plan_pitr(const PitrOptions& options) {
  MZL_TRY(std::vector<std::string> ids, snapshot::list_snapshot_ids(options.repo));
  if (!options.snapshot_id.empty()) {
    PitrPlan plan;
    plan.snapshot_dir = repo::snapshot_dir(options.repo, options.snapshot_id);
    MZL_TRY(plan.snapshot, snapshot::read_manifest(plan.snapshot_dir));
    if (plan.snapshot.binlog.file.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "the snapshot was taken from a server without a binary log: it cannot be rolled forward")
          .at_r(plan.snapshot_dir);
    }
    plan.archive_dir = archive_dir_of(options.repo, plan.snapshot);
    MZL_CHECK(archive_files_from(plan.archive_dir, plan.snapshot.binlog.file));
    return plan;
  }
  // Newest first (ids sort by time).
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    PitrPlan plan;
    plan.snapshot_dir = repo::snapshot_dir(options.repo, *it);
    MZL_TRY(plan.snapshot, snapshot::read_manifest(plan.snapshot_dir));
    if (plan.snapshot.binlog.file.empty()) continue;
    MZL_TRY(bool fits, snapshot_fits(options, plan.snapshot));
    if (!fits) continue;
    plan.archive_dir = archive_dir_of(options.repo, plan.snapshot);
    // A gap in the archive is found before anything is loaded.
    MZL_CHECK(archive_files_from(plan.archive_dir, plan.snapshot.binlog.file));
    return plan;
  }
  return Error(ErrorCode::kNotFound,
               fmt::format("none of the repository's {} snapshots lies before the stop point with its binlog "
                           "file in the archive (mzl-snapshot list shows them; --snapshot picks one)",
                           ids.size()))
      .at_r(options.repo);
}

Result<PitrResult> run_pitr(const PitrOptions& options) {
  PitrResult result;
  MZL_TRY(result.plan, plan_pitr(options));
  MZL_CHECK(check_target(options, result.plan));
  MZL_TRY(result.load, load_snapshot_directory(result.plan.snapshot_dir, options.load));
  MZL_TRY(auto connection, net::ServerConnection::connect(options.load.target));
  if (!options.load.write_binlog) MZL_CHECK(connection.execute("SET SESSION sql_log_bin = 0"));
  ReplayOptions replay = replay_options(options, result.plan);
  replay.collations = read_collations(connection);
  const auto started = std::chrono::steady_clock::now();
  Result<ReplayStats> replayed = ReplayStats{};
  if (options.replay_threads > 1 && !replay.preserve_gtids) {
    ParallelReplayOptions parallel;
    parallel.target = options.load.target;
    parallel.sessions = options.replay_threads;
    parallel.write_binlog = options.load.write_binlog;
    parallel.collations = replay.collations;
    parallel.filter = replay.filter;
    MZL_TRY(auto applier, ParallelApplier::create(parallel));
    replayed = replay_archive(replay, *applier);
    result.replay_threads = options.replay_threads;
    result.replayed_alone = applier->stats().alone;
  } else {
    MZL_TRY(auto sink, ServerStatementSink::create(connection));
    replayed = replay_archive(replay, *sink);
  }
  if (!replayed.ok()) {
    Error e = std::move(replayed).error();
    if (e.message.find("(error 1950)") != std::string::npos) {
      e.message +=
          " (the target's binary log is already past this GTID in its domain: replay without "
          "--preserve-gtids, or into a server whose binlog is behind the source's)";
    }
    return e;
  }
  result.replay = std::move(*replayed);
  result.replay_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

Result<ReplayStats> write_replay_sql(const PitrOptions& options, OutputStream& out, PitrPlan* plan_out) {
  MZL_TRY(PitrPlan plan, plan_pitr(options));
  TextStatementSink sink(out);
  MZL_TRY(ReplayStats stats, replay_archive(replay_options(options, plan), sink));
  MZL_CHECK(out.flush());
  if (plan_out) *plan_out = std::move(plan);
  return stats;
}

Result<FlashbackStats> run_flashback(const std::string& repo, const std::string& source,
                                     FlashbackOptions options, const net::ConnectionOptions& target,
                                     OutputStream* sql_out) {
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
    TextStatementSink sink(*sql_out);
    return flashback(options, sink);
  }
  MZL_TRY(auto connection, net::ServerConnection::connect(target));
  MZL_TRY(auto sink, ServerStatementSink::create(connection));
  return flashback(options, *sink);
}

Result<ReplayStop> parse_replay_point(const std::string& which, const std::string& datetime,
                                      const std::string& gtid, const std::string& position, bool latest) {
  ReplayStop point;
  if (!datetime.empty() + !gtid.empty() + !position.empty() + latest != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("give exactly one of --{0}-datetime, --{0}-gtid, --{0}-position{1}", which,
                             which == "stop" ? " or --to-latest" : ""));
  }
  if (!datetime.empty()) {
    point.kind = ReplayStop::Kind::kDatetime;
    MZL_TRY(point.datetime, parse_stop_datetime(datetime));
  } else if (!gtid.empty()) {
    point.kind = ReplayStop::Kind::kGtid;
    point.gtid = gtid;
  } else if (!position.empty()) {
    point.kind = ReplayStop::Kind::kPosition;
    const size_t colon = position.rfind(':');
    const std::string offset = colon == std::string::npos ? "" : position.substr(colon + 1);
    if (colon == 0 || offset.empty() || offset.size() > 18 ||
        offset.find_first_not_of("0123456789") != std::string::npos) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("--{}-position '{}' is not FILE:POSITION (e.g. mariadb-bin.000042:1234)",
                               which, position));
    }
    point.file = position.substr(0, colon);
    point.position = std::stoull(offset);
  }
  return point;
}

Result<int64_t> parse_stop_datetime(const std::string& text) {
  std::tm tm{};
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6) {
    used = -1;
  }
  const std::string rest = used < 0 ? "" : text.substr(static_cast<size_t>(used));
  if (used < 0 || (rest != "" && rest != "Z" && rest != " UTC") || tm.tm_mon < 1 || tm.tm_mon > 12 ||
      tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("'{}' is not a time 'YYYY-MM-DD HH:MM:SS' (local time; a trailing Z or ' UTC' for UTC)",
                    text));
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  const time_t t = rest.empty() ? std::mktime(&tm) : timegm(&tm);
  return static_cast<int64_t>(t);
}

std::string describe_plan(const PitrPlan& plan, const ReplayStats& replay) {
  // bench/pitr on a 2-core machine: 1.5 GB of snapshot rows loaded in 35 s with 2 threads, 548 MB of
  // sysbench binlog replayed in 104 s with 4 sessions. Rough: the target's disks and CPUs decide.
  constexpr double kLoadBytesPerSecond = 45e6, kReplayBytesPerSecond = 5e6;
  uint64_t raw = 0;
  for (const auto& table : plan.snapshot.tables) {
    for (const auto& file : table.files) raw += file.raw_bytes;
  }
  return fmt::format(
      "plan: snapshot {} ({} bytes of rows, consistent at {}:{} GTID {}), then {} transactions ({} bytes of "
      "binlog from {}) up to {}:{}, last GTID {}; estimated {:.0f} s to load and {:.0f} s to replay\n",
      plan.snapshot.id, raw, plan.snapshot.binlog.file, plan.snapshot.binlog.position,
      plan.snapshot.binlog.gtid.empty() ? "(none)" : plan.snapshot.binlog.gtid, replay.transactions,
      replay.bytes, plan.archive_dir, replay.end_file, replay.end_position,
      replay.last_gtid.empty() ? "(none)" : replay.last_gtid, static_cast<double>(raw) / kLoadBytesPerSecond,
      static_cast<double>(replay.bytes) / kReplayBytesPerSecond);
}

std::string describe_pitr(const PitrResult& r, bool json) {
  const ReplayStats& s = r.replay;
  if (json) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("snapshot", r.plan.snapshot.id);
    w.field("snapshot_gtid", r.plan.snapshot.binlog.gtid);
    w.field("rows_loaded", r.load.rows);
    w.field("load_seconds", r.load.seconds);
    w.field("transactions_replayed", s.transactions);
    w.field("binlog_bytes_replayed", s.bytes);
    w.field("replay_seconds", r.replay_seconds);
    w.field("replay_threads", static_cast<uint64_t>(r.replay_threads));
    w.field("transactions_replayed_alone", r.replayed_alone);
    w.field("last_gtid", s.last_gtid);
    w.field("last_timestamp", static_cast<uint64_t>(s.last_timestamp));
    w.field("end_file", s.end_file);
    w.field("end_position", s.end_position);
    w.field("stop_reached", s.stop_reached);
    w.field("rolled_back_partial_transaction", s.rolled_back);
    w.field("statements_skipped_by_filter", s.skipped_statements);
    w.end_object();
    return out + "\n";
  }
  return fmt::format(
             "restored snapshot {} ({} rows in {:.1f} s), consistent at {}:{} GTID {}\n"
             "replayed {} transactions ({} bytes of binlog) in {:.1f} s over {} session(s), up to {}:{}; "
             "last GTID "
             "{}\n{}",
             r.plan.snapshot.id, r.load.rows, r.load.seconds, r.plan.snapshot.binlog.file,
             r.plan.snapshot.binlog.position,
             r.plan.snapshot.binlog.gtid.empty() ? "(none)" : r.plan.snapshot.binlog.gtid, s.transactions,
             s.bytes, r.replay_seconds, r.replay_threads, s.end_file, s.end_position,
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

}  // namespace mzl::restore
