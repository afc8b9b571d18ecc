#pragma once
// What mzl-verify prints (man/mzl-verify.1, OUTPUT): a report for people (one line per snapshot and per
// archive, each problem under it as "where:offset: what", the restore window per source, a last line with
// the verdict), or with --json one JSON object for runbooks; and the Prometheus textfile (--metrics-file)
// that a cron job leaves for node_exporter.
#include <chrono>
#include <string>

#include "mzl/util/result.h"
#include "mzl/verify/binlog_check.h"
#include "mzl/verify/repository_check.h"
#include "mzl/verify/snapshot_check.h"

namespace mzl::verify {

std::string describe_repository_report(const RepositoryReport& report, bool json);
std::string describe_snapshot_report(const SnapshotReport& report, bool json);
// `--binlog FILE...`: the files as one sequence, with the window of the archive alone.
std::string describe_binlog_report(const BinlogCheckReport& report, bool json);

// The outcome of one run, for the metrics file.
struct VerifyRun {
  std::chrono::system_clock::time_point finished;
  double seconds = 0;
  bool completed = false;  // false: the check itself failed (an Error), so nothing is known
  uint64_t problems = 0;
  const RepositoryReport* repository = nullptr;  // the windows come from here when set
};

// mzl_verify_last_run_timestamp_seconds, mzl_verify_duration_seconds, mzl_verify_success (1 when completed
// without problem), mzl_verify_problems, and per source mzl_verify_window_start/end_timestamp_seconds.
// Written atomically (kIo on failure).
Status write_verify_metrics(const std::string& path, const VerifyRun& run);

}  // namespace mzl::verify
