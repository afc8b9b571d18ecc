#include "mzl/verify/verify_command.h"

#include <chrono>
#include <filesystem>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/util/input_stream.h"
#include "mzl/verify/binlog_check.h"
#include "mzl/verify/repository_check.h"
#include "mzl/verify/verify_report.h"

namespace mzl::verify {

namespace {

Status validate(const VerifyRequest& r) {
  const int pieces = (r.snapshot_id.empty() ? 0 : 1) + (r.binlogs.empty() ? 0 : 1) + (r.stream ? 1 : 0);
  if (pieces > 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "give one of --snapshot ID, --binlog FILE... or - (a snapshot stream on stdin) at a time");
  }
  if (!r.snapshot_id.empty() && r.repo.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--snapshot ID needs --repo DIR");
  }
  if (pieces == 0 && r.repo.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "nothing to verify: give --repo DIR (every snapshot and binlog archive), --snapshot ID, "
                 "--binlog FILE... or - (a snapshot stream on stdin)");
  }
  if (!r.start_gtid.empty() && r.binlogs.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "--start-gtid is for --binlog (with --repo the oldest snapshot's GTID is used)");
  }
  return ok_status();
}

struct Checked {
  VerifyOutcome outcome;
  std::optional<RepositoryReport> repository;
};

// The bytes of the regular files under `paths` (files or directories): what a check of them will read.
uint64_t bytes_under(const std::vector<std::filesystem::path>& paths) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& path : paths) {
    if (std::filesystem::is_regular_file(path, ec)) {
      total += std::filesystem::file_size(path, ec);
      continue;
    }
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) total += it->file_size(ec);
    }
  }
  return total;
}

Result<Checked> check(VerifyRequest r) {
  Checked out;
  if (r.progress) {
    r.snapshot_options.progress = r.progress;
    std::vector<std::filesystem::path> read;
    if (!r.snapshot_id.empty()) {
      read.push_back(std::filesystem::path(r.repo) / "snapshots" / r.snapshot_id);
    } else if (!r.binlogs.empty()) {
      read.assign(r.binlogs.begin(), r.binlogs.end());
    } else if (!r.stream) {
      read = {std::filesystem::path(r.repo) / "snapshots", std::filesystem::path(r.repo) / "binlogs"};
    }
    r.progress->total = bytes_under(read);
  }
  if (!r.snapshot_id.empty()) {
    MZL_TRY(auto report, check_snapshot_directory(r.repo, r.snapshot_id, r.snapshot_options));
    out.outcome = {describe_snapshot_report(report, r.json), report.problems.size()};
  } else if (r.stream) {
    MZL_TRY(auto in, open_plain_input("-"));
    MZL_TRY(auto report, check_snapshot_stream(*in, r.snapshot_options));
    out.outcome = {describe_snapshot_report(report, r.json), report.problems.size()};
  } else if (!r.binlogs.empty()) {
    MZL_TRY(auto paths, archive::expand_binlog_paths(r.binlogs));
    BinlogCheckOptions options;
    options.start_gtid = r.start_gtid;
    options.progress = r.progress;
    MZL_TRY(auto report, check_binlog_files(paths, options));
    out.outcome = {describe_binlog_report(report, r.json), report.problems.size()};
  } else {
    RepositoryCheckOptions options;
    options.snapshots = r.snapshot_options;
    MZL_TRY(auto report, check_repository(r.repo, options));
    out.outcome = {describe_repository_report(report, r.json), report.problem_count()};
    out.repository = std::move(report);
  }
  return out;
}

}  // namespace

Result<VerifyOutcome> run_verify(const VerifyRequest& request) {
  MZL_CHECK(validate(request));
  const auto started = std::chrono::steady_clock::now();
  Result<Checked> checked = check(request);
  if (!request.metrics_file.empty()) {
    VerifyRun run;
    run.finished = std::chrono::system_clock::now();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    run.completed = checked.ok();
    if (checked.ok()) {
      run.problems = checked->outcome.problems;
      if (checked->repository) run.repository = &*checked->repository;
    }
    Status written = write_verify_metrics(request.metrics_file, run);
    if (checked.ok() && !written.ok()) return std::move(written).error();
  }
  if (!checked.ok()) return std::move(checked).error();
  return std::move(checked)->outcome;
}

}  // namespace mzl::verify
