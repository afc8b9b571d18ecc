#pragma once
// `mzl-verify --repo DIR`: the whole repository (man/mzl.7, REPOSITORY) at once: every snapshot
// (snapshot_check.h), then the binlog archive of every source (binlog_check.h), each checked for GTID
// continuity from the oldest intact snapshot taken from that source, and the point-in-time-recovery window
// per source: from that snapshot's consistent point to the last complete transaction before the first
// problem in the archive.
//
// A successor source (archived after a failover, man/mzl.7 FAILOVER) continues its predecessor's history: its
// GTID continuity is counted from its link's from_gtid_position (a hole at the start of its files is a hole
// across the failover), the predecessor's archive must reach that position, and without a snapshot of its own
// it is restorable from its predecessor's oldest intact snapshot.
//
// Sources are the directories under REPO/binlogs/ and the `source` names in the snapshots' manifests (a
// snapshot whose server has no archive can only be restored to its own point; that is said in the window,
// not reported as a problem).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mzl/archive/archive_state.h"
#include "mzl/util/result.h"
#include "mzl/verify/binlog_check.h"
#include "mzl/verify/snapshot_check.h"

namespace mzl::verify {

struct RepositoryCheckOptions {
  SnapshotCheckOptions snapshots;
  size_t binlog_buffer_size = 4 * 1024 * 1024;
};

// Where a point-in-time restore of one source can start: the oldest snapshot of it that verified intact.
struct RestoreBase {
  std::string snapshot_id;
  std::string started_at;  // manifest, "2026-11-22T04:00:00.123Z"
  std::string gtid;        // the GTID the snapshot's data is consistent with
};

struct SourceReport {
  std::string source;                          // directory name under REPO/binlogs/
  std::optional<RestoreBase> base;             // none: no intact snapshot of this source
  std::optional<BinlogCheckReport> archive;    // none: REPO/binlogs/<source>/ does not exist
  std::optional<archive::SourceLink> follows;  // a successor source: the history it continues
  bool ok() const { return !archive || archive->ok(); }
};

struct RepositoryReport {
  std::string repo;
  RepositorySnapshotsReport snapshots;
  std::vector<SourceReport> sources;  // by name
  uint64_t problem_count() const;
  bool ok() const { return problem_count() == 0; }
};

// Errors stop the check: kIo when the repository (or a directory in it) cannot be read, kNotFound when
// `repo` does not exist. Everything wrong inside it is a Problem in the report.
Result<RepositoryReport> check_repository(const std::string& repo,
                                          const RepositoryCheckOptions& options = {});

// One end of a restore window: a time (seconds since the epoch, UTC), the GTID there, and the snapshot when
// the point is a snapshot's.
struct WindowPoint {
  int64_t unix_time = 0;
  std::string gtid;
  std::string snapshot_id;
};

// From when to when one source can be restored: both ends set when anything can (from == to when only the
// snapshot's own point can), with `note` saying why the window is shorter than the archive when it is.
struct RestoreWindow {
  std::optional<WindowPoint> from, to;
  std::string note;
};
RestoreWindow restore_window(const SourceReport& source);

// The window of one source, for people: "restorable from 2026-11-22 04:00:00 UTC (0-1-100; snapshot
// 20261122T040000Z) to 2026-11-22 09:12:44 UTC (0-1-5120)", or why nothing or only the snapshot's own point
// can be restored.
std::string describe_window(const SourceReport& source);

}  // namespace mzl::verify
