#pragma once
// Planning a point-in-time restore (man/mzl-pitr-restore.1): the start and stop points, the snapshot to start
// from and its archive, the safety checks on the target, and the --dry-run estimate. Running the plan is
// pitr_restore.h.
//
// The snapshot: --snapshot ID, or the newest one that lies before the stop point and whose binlog file is in
// the archive of its source (binlogs/<manifest source>/):
//  - kLatest: the newest.
//  - kDatetime: the newest whose last transaction (the last GTID event before its coordinates, read from
//    the archive) is stamped before the stop time.
//  - kGtid (MariaDB): the newest whose GTID position is below the stop GTID's sequence number in its domain
//    (a MySQL stop GTID needs --snapshot).
//  - kPosition: the newest whose coordinates are at or before FILE:POS.
// The history goes on across failovers: the successor sources of the snapshot's source (man/mzl.7, FAILOVER)
// are replayed after it, the old primary's files up to the fork and the new primary's after it.
// Safety, unless force: the target must not be a replica (SHOW SLAVE STATUS), and must not be the source
// itself (same server_id, and for MySQL the same server_uuid, as the snapshot's server); the snapshot loader
// refuses databases that already hold tables (snapshot_loader.h).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mzl/load/snapshot_loader.h"
#include "mzl/replay/replay_archive.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::pitr {

struct PitrOptions {
  std::string repo;
  std::string snapshot_id;  // empty: chosen as above
  replay::ReplayStop stop;
  load::LoadOptions
      load;  // target connection, threads, filters, write_binlog (the replay follows write_binlog too)
  // Replay each transaction under its original GTID (replay_sql.h). Off by default: the target's binlog
  // must then be behind the source in every domain replayed, or gtid_strict_mode refuses (error 1950), and
  // the snapshot load itself logs transactions under the target's GTIDs. Without write_binlog nothing is
  // logged and GTIDs are not set.
  bool preserve_gtids = false;
  // Sessions replaying at once (parallel_replay.h); 1, or preserve_gtids, replays serially in binlog order.
  unsigned replay_threads = 4;
  bool force = false;
  std::function<void(const replay::ReplayProgress&)> replay_progress;
  // kAuto (the default): the served replay (served_replay.h) where it can do the restore, else statements.
  enum class ReplayMode { kAuto, kServer, kStatements };
  ReplayMode replay_mode = ReplayMode::kAuto;
};

struct PitrPlan {
  snapshot::Manifest snapshot;
  std::string snapshot_dir;
  std::string archive_dir;  // REPO/binlogs/<source>
  // After failovers the archive continues in successor sources (archive/history_chain.h), replayed after it
  // (replay_archive.h). Not followed for a --stop-position, which names one server's file.
  std::vector<replay::ArchiveContinuation> continuations;
};

// Chooses the snapshot and the archive (no server is contacted). kNotFound when no snapshot fits, naming
// what the repository holds.
Result<PitrPlan> plan_pitr(const PitrOptions& options);

// The safety checks above (unless options.force): kInvalidArgument naming why and --force.
Status check_restore_target(const PitrOptions& options, const PitrPlan& plan);

// A start or stop point from the flags --<which>-datetime, --<which>-gtid, --<which>-position (FILE:POS) and
// (stop only) --to-latest: exactly one must be given, else kInvalidArgument naming the flags.
Result<replay::ReplayStop> parse_replay_point(const std::string& which, const std::string& datetime,
                                              const std::string& gtid, const std::string& position,
                                              bool latest);

// "YYYY-MM-DD HH:MM:SS" in the local time zone (TZ), as mariadb-binlog --stop-datetime reads it, or with a
// trailing "Z" / " UTC" in UTC: seconds since the epoch. kInvalidArgument otherwise.
Result<int64_t> parse_stop_datetime(const std::string& text);

// The plan of a --dry-run or --sql (the snapshot, the binlog range, transactions and bytes) with a rough
// estimate of the restore's time at the rates bench/pitr measured.
std::string describe_plan(const PitrPlan& plan, const replay::ReplayStats& replay);

}  // namespace mzl::pitr
