// Planning a point-in-time restore: which snapshot, which archive, whether the target may be written, and
// what the replay will cover (pitr_plan.h). Nothing here loads or replays.
#include "mzl/pitr/pitr_plan.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "mzl/archive/archive_reader.h"
#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/history_chain.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/net/server_connection.h"
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/parse_number.h"

namespace mzl::pitr {
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

// The timestamp of the last transaction that starts (its GTID event) before `position` in `file`, or
// nullopt when none. The file may be the one being written: what lies past its last complete event is past
// `position` too (a snapshot's coordinates are durable).
Result<std::optional<int64_t>> last_transaction_time(const std::filesystem::path& file, uint64_t position) {
  archive::ArchiveReader reader({file}, {.last_file_may_be_partial = true});
  std::optional<int64_t> last;
  while (true) {
    MZL_TRY(const archive::ArchiveEvent* event, reader.next());
    if (event == nullptr || event->raw.offset >= position) break;
    if (event->starts_transaction) last = event->raw.header.timestamp;
  }
  return last;
}

// The timestamp of the file's first event (its FORMAT_DESCRIPTION), or nullopt when it has none.
Result<std::optional<int64_t>> first_event_time(const std::filesystem::path& file) {
  archive::ArchiveReader reader({file});
  MZL_TRY(const archive::ArchiveEvent* first, reader.next());
  if (first == nullptr) return std::optional<int64_t>();
  return std::optional<int64_t>(first->raw.header.timestamp);
}

Result<bool> snapshot_fits(const PitrOptions& options, const snapshot::Manifest& m) {
  const replay::ReplayStop& stop = options.stop;
  const std::string dir = archive_dir_of(options.repo, m);
  auto start = archived_file(dir, m.binlog.file);
  if (!start) return false;
  switch (stop.kind) {
    case replay::ReplayStop::Kind::kLatest:
      return true;
    case replay::ReplayStop::Kind::kDatetime: {
      MZL_TRY(auto last, last_transaction_time(*start, m.binlog.position));
      // None in this file: the GTID_LIST at its start follows the previous file's last transaction, which
      // is older than the file's own FORMAT_DESCRIPTION; that event's time bounds it.
      if (!last) {
        MZL_TRY(last, first_event_time(*start));
      }
      return last && *last < stop.datetime;
    }
    case replay::ReplayStop::Kind::kGtid: {
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
    case replay::ReplayStop::Kind::kPosition: {
      if (m.binlog.file == stop.file) return m.binlog.position <= stop.position;
      const auto here = archive::binlog_sequence_number(m.binlog.file);
      const auto there = archive::binlog_sequence_number(stop.file);
      return here && there && *here < *there;
    }
  }
  return false;
}

// The successor sources of the plan's archive, unless the stop is a file position (one server's file).
Status add_continuations(const PitrOptions& options, PitrPlan& plan) {
  if (options.stop.kind == replay::ReplayStop::Kind::kPosition) return ok_status();
  MZL_TRY(std::vector<archive::Successor> successors,
          archive::successors_of(options.repo, plan.snapshot.server.source));
  for (const archive::Successor& successor : successors) {
    plan.continuations.push_back(replay::ArchiveContinuation{repo::source_dir(options.repo, successor.source),
                                                             successor.link.from_gtid_position});
  }
  return ok_status();
}

}  // namespace

Status check_restore_target(const PitrOptions& options, const PitrPlan& plan) {
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
    MZL_CHECK(archive::archive_files_from(plan.archive_dir, plan.snapshot.binlog.file));
    MZL_CHECK(add_continuations(options, plan));
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
    MZL_CHECK(archive::archive_files_from(plan.archive_dir, plan.snapshot.binlog.file));
    MZL_CHECK(add_continuations(options, plan));
    return plan;
  }
  return Error(ErrorCode::kNotFound,
               fmt::format("none of the repository's {} snapshots lies before the stop point with its binlog "
                           "file in the archive (mzl-snapshot list shows them; --snapshot picks one)",
                           ids.size()))
      .at_r(options.repo);
}

Result<replay::ReplayStop> parse_replay_point(const std::string& which, const std::string& datetime,
                                              const std::string& gtid, const std::string& position,
                                              bool latest) {
  replay::ReplayStop point;
  if (!datetime.empty() + !gtid.empty() + !position.empty() + latest != 1) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("give exactly one of --{0}-datetime, --{0}-gtid, --{0}-position{1}", which,
                             which == "stop" ? " or --to-latest" : ""));
  }
  if (!datetime.empty()) {
    point.kind = replay::ReplayStop::Kind::kDatetime;
    MZL_TRY(point.datetime, parse_stop_datetime(datetime));
  } else if (!gtid.empty()) {
    point.kind = replay::ReplayStop::Kind::kGtid;
    point.gtid = gtid;
  } else if (!position.empty()) {
    point.kind = replay::ReplayStop::Kind::kPosition;
    const size_t colon = position.rfind(':');
    const std::string offset = colon == std::string::npos ? "" : position.substr(colon + 1);
    if (colon == 0 || offset.empty() || offset.size() > 18 ||
        offset.find_first_not_of("0123456789") != std::string::npos) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("--{}-position '{}' is not FILE:POSITION (e.g. mariadb-bin.000042:1234)",
                               which, position));
    }
    point.file = position.substr(0, colon);
    MZL_TRY(point.position, parse_uint(offset, "a stop position"));
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

std::string describe_plan(const PitrPlan& plan, const replay::ReplayStats& replay) {
  // bench/pitr on a 2-core machine: 1.5 GB of snapshot rows loaded in 35 s with 2 threads, 548 MB of
  // sysbench binlog replayed in 104 s with 4 sessions. Rough: the target's disks and CPUs decide.
  constexpr double kLoadBytesPerSecond = 45e6, kReplayBytesPerSecond = 5e6;
  uint64_t raw = 0;
  for (const auto& table : plan.snapshot.tables) {
    for (const auto& file : table.files) raw += file.raw_bytes;
  }
  std::string from = plan.archive_dir;
  for (const replay::ArchiveContinuation& next : plan.continuations) {
    from +=
        fmt::format(" up to GTID position {}, then {} after it", next.from_gtid_position, next.archive_dir);
  }
  return fmt::format(
      "plan: snapshot {} ({} bytes of rows, consistent at {}:{} GTID {}), then {} transactions ({} bytes of "
      "binlog from {}) up to {}:{}, last GTID {}; estimated {:.0f} s to load and {:.0f} s to replay\n",
      plan.snapshot.id, raw, plan.snapshot.binlog.file, plan.snapshot.binlog.position,
      plan.snapshot.binlog.gtid.empty() ? "(none)" : plan.snapshot.binlog.gtid, replay.transactions,
      replay.bytes, from, replay.end_file, replay.end_position,
      replay.last_gtid.empty() ? "(none)" : replay.last_gtid, static_cast<double>(raw) / kLoadBytesPerSecond,
      static_cast<double>(replay.bytes) / kReplayBytesPerSecond);
}

}  // namespace mzl::pitr
