#pragma once
// What one mzl-snapshot run tells node_exporter's textfile collector (--metrics-file), so that a snapshot
// that failed, or did not run at all, raises an alert: a cron job or a timer has nobody watching its output.
#include <chrono>
#include <string>

#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/take_snapshot.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

struct SnapshotRun {
  std::chrono::system_clock::time_point finished;
  double seconds = 0;
  const Manifest* manifest = nullptr;  // the snapshot taken; nullptr when the run failed
};

// Writes (atomically) mzl_snapshot_last_run_timestamp_seconds, _success, _duration_seconds,
// _last_success_timestamp_seconds (carried over from the file already at `path` when this run failed), and
// for a snapshot taken its _bytes, _files, _tables and _rows. kIo when the file cannot be written.
Status write_snapshot_metrics(const std::string& path, const SnapshotRun& run);

// take_snapshot() (take_snapshot.h), then, when `metrics_file` is not empty, its metrics, for a failed run
// too. A snapshot taken whose metrics cannot be written is an error (kIo): the alert would think it missing.
Result<Manifest> take_snapshot_recorded(const SnapshotOptions& options, const std::string& metrics_file);

}  // namespace mzl::snapshot
