#pragma once
// mzl-pitr-restore (man/mzl-pitr-restore.1): restore a snapshot of the repository into a target server, then
// replay the source's binlog archive from the snapshot's exact coordinates to the stop point. The snapshot
// and the range are chosen by pitr_plan.h.
#include <cstdint>
#include <string>

#include "mzl/load/snapshot_loader.h"
#include "mzl/pitr/pitr_plan.h"
#include "mzl/replay/flashback.h"
#include "mzl/replay/replay_archive.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::pitr {

struct PitrResult {
  PitrPlan plan;
  load::LoadStats load;
  replay::ReplayStats replay;
  double replay_seconds = 0;
  unsigned replay_threads = 1;           // sessions the replay used
  uint64_t replayed_alone = 0;           // transactions that had to be applied alone (parallel replay)
  uint64_t replay_peak_in_flight = 0;    // most transactions applied at once (parallel replay)
  uint64_t replayed_after_conflict = 0;  // queued behind or waited for one sharing a row key (parallel)
  bool served = false;                   // replayed by the target's applier from the served archive
};

// Plans, checks the target (safety, above), loads the snapshot and replays the archive to the stop point.
// Errors: those of plan_pitr, load_snapshot_directory and replay_archive; kInvalidArgument for a refused
// target, naming why and --force.
Result<PitrResult> run_pitr(const PitrOptions& options);

// Only the replay, as SQL text on `out` (replay::TextStatementSink): `mzl-pitr-restore --sql | mariadb`.
Result<replay::ReplayStats> write_replay_sql(const PitrOptions& options, OutputStream& out,
                                             PitrPlan* plan = nullptr);

// --flashback: undoes options' range of the archive of `source` (empty: the repository's only source) on
// `target`, or writes the SQL to `sql_out` when it is given. The range is REPO/binlogs/<source>/'s.
// kInvalidArgument when the source is ambiguous or unknown.
Result<replay::FlashbackStats> run_flashback(const std::string& repo, const std::string& source,
                                             replay::FlashbackOptions options,
                                             const net::ConnectionOptions& target, OutputStream* sql_out);

// Text or JSON summary of a finished restore, for the tool's stdout.
std::string describe_pitr(const PitrResult& result, bool json);

}  // namespace mzl::pitr
