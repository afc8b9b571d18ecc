#include "mzl/snapshot/snapshot_metrics.h"

#include <fstream>

#include "mzl/util/parse_number.h"
#include "mzl/util/prometheus_textfile.h"

namespace mzl::snapshot {

namespace {

constexpr std::string_view kLastSuccess = "mzl_snapshot_last_success_timestamp_seconds";

// The last success an earlier run recorded in `path` (0 when none): a failed run must not forget it, or an
// alert on its age would see a backup that never succeeded.
long long previous_success(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > kLastSuccess.size() && line.starts_with(kLastSuccess) &&
        line[kLastSuccess.size()] == ' ') {
      auto value = parse_uint(line.substr(kLastSuccess.size() + 1), "timestamp");
      if (value.ok()) return static_cast<long long>(*value);
    }
  }
  return 0;
}

}  // namespace

Status write_snapshot_metrics(const std::string& path, const SnapshotRun& run) {
  const long long finished =
      std::chrono::duration_cast<std::chrono::seconds>(run.finished.time_since_epoch()).count();
  PrometheusTextfile out;
  out.metric("mzl_snapshot_last_run_timestamp_seconds", "gauge", "Unix time the last mzl-snapshot run ended",
             "", finished);
  out.metric("mzl_snapshot_success", "gauge",
             "1 when the last run took a complete snapshot, 0 when it failed", "", run.manifest ? 1 : 0);
  out.metric("mzl_snapshot_duration_seconds", "gauge", "How long the last run took", "", run.seconds);
  out.metric(kLastSuccess, "gauge", "Unix time the last complete snapshot was taken (0: never)", "",
             run.manifest ? finished : previous_success(path));
  if (run.manifest) {
    uint64_t bytes = 0, rows = 0;
    for (const SnapshotFile& f : run.manifest->files) bytes += f.size;
    for (const TableEntry& t : run.manifest->tables) rows += t.rows;
    const std::string labels = prometheus_label("id", run.manifest->id);
    out.metric("mzl_snapshot_bytes", "gauge", "Bytes on disk of the last snapshot (compressed)", labels,
               bytes);
    out.metric("mzl_snapshot_files", "gauge", "Files of the last snapshot", labels,
               run.manifest->files.size());
    out.metric("mzl_snapshot_tables", "gauge", "Tables in the last snapshot", labels,
               run.manifest->tables.size());
    out.metric("mzl_snapshot_rows", "gauge", "Rows in the last snapshot", labels, rows);
  }
  return out.write(path);
}

Result<Manifest> take_snapshot_recorded(const SnapshotOptions& options, const std::string& metrics_file) {
  const auto started = std::chrono::steady_clock::now();
  Result<Manifest> taken = take_snapshot(options);
  if (metrics_file.empty()) return taken;
  SnapshotRun run;
  run.finished = std::chrono::system_clock::now();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (taken.ok()) run.manifest = &*taken;
  Status written = write_snapshot_metrics(metrics_file, run);
  if (taken.ok() && !written.ok()) return std::move(written).error();
  return taken;
}

}  // namespace mzl::snapshot
