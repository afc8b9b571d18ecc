#pragma once
// What `mzl-verify` does for one invocation (man/mzl-verify.1), so that its main stays flags and exit code:
// pick the check the flags ask for (the whole repository, one snapshot, binlog files, a snapshot stream on
// standard input), render the report, and leave the metrics file.
#include <string>
#include <vector>

#include "mzl/util/result.h"
#include "mzl/verify/snapshot_check.h"

namespace mzl::verify {

struct VerifyRequest {
  std::string repo;                  // --repo: the whole repository, or the one snapshot below
  std::string snapshot_id;           // --snapshot ID (needs repo)
  std::vector<std::string> binlogs;  // --binlog FILE|DIR...: these files as one sequence
  std::string start_gtid;            // --start-gtid for --binlog: continuity from this GTID state
  bool stream = false;               // "-": a snapshot stream on standard input
  SnapshotCheckOptions snapshot_options;
  bool json = false;
  std::string metrics_file;  // "" = none
  // When set: its total is set to the bytes the check will read (0 for a stream) and its count follows the
  // check (snapshot_options.progress is set to it).
  ProgressCounter* progress = nullptr;
};

struct VerifyOutcome {
  std::string report;  // for stdout
  uint64_t problems = 0;
};

// Runs the check. kInvalidArgument when the request names no check or more than one; the checks' own
// errors otherwise (kNotFound, kIo, ...). The metrics file, when asked for, is written in every case (an
// error is a run that did not complete); failing to write it is kIo after the report was produced.
Result<VerifyOutcome> run_verify(const VerifyRequest& request);

}  // namespace mzl::verify
