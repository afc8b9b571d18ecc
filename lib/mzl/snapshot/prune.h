#pragma once
// `mzl-snapshot prune`: removes the snapshots a retention policy does not keep (retention.h), the leftovers
// of interrupted snapshots and prunes, and the archived binlog files no remaining snapshot needs for
// point-in-time recovery (man/mzl-snapshot.1, PRUNE). Planning only reads; apply_prune() removes exactly what
// the plan lists.
//
// Which binlogs a source keeps: for each REPO/binlogs/<source>/ the remaining snapshots taken from that
// server are those whose manifest names the source (server.source) or the same server (server_id and flavour
// equal, and server_uuid too when both have one). PITR from such a snapshot replays from its binlog.file
// onwards, so X = the lowest-numbered binlog.file among them is the first file needed, and only files
// numbered below X (same base name, compared by their numeric extension; plain or .lz4) are removed. Nothing
// is removed from a source no remaining snapshot matches, one whose state.json cannot be read, one whose
// files have another base name than X (the server's log-bin name changed: their order is unknown), and never
// the current file (state.json current_file). state.json itself is not modified: the archiver may be running,
// and it tolerates closed files that are gone.
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/snapshot/retention.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

struct SnapshotVerdict {
  std::string id;
  std::string started_at;  // from the manifest (UTC)
  bool keep = false;
  std::vector<std::string> reasons;  // "last", "hourly", "daily", "weekly", "monthly" (see retention.h)
  uint64_t bytes = 0;                // on disk, every file of the directory
};

// A file or directory to remove, relative to its directory, and its size on disk.
struct PrunedEntry {
  std::string name;
  uint64_t bytes = 0;
};

struct BinlogSourcePlan {
  std::string source;        // the directory name under REPO/binlogs/
  std::string current_file;  // state.json's current_file ("" when unknown)
  std::string
      first_needed;       // X, the first file a remaining snapshot needs; "" when none is (nothing removed)
  std::string needed_by;  // the id of the snapshot that needs first_needed
  std::string note;       // why nothing is removed, when that is so
  std::vector<PrunedEntry> removed;  // file names as on disk (".lz4" included), oldest first
  uint64_t kept_files = 0;
  uint64_t kept_bytes = 0;
};

struct PrunePlan {
  std::string repo;
  RetentionPolicy policy;
  std::vector<SnapshotVerdict> snapshots;  // every complete snapshot, newest first
  std::vector<PrunedEntry> leftovers;      // REPO/snapshots/.partial-* (interrupted snapshots and prunes)
  std::vector<BinlogSourcePlan> sources;   // every REPO/binlogs/<source>/, by name
  uint64_t freed_bytes = 0;                // removed snapshots + leftovers + binlog files

  uint64_t kept_snapshots() const;
  uint64_t removed_snapshots() const;
  uint64_t removed_binlogs() const;
};

// Reads every snapshot's manifest and every source's state.json and decides; removes nothing.
// Errors: kInvalidArgument (exit 2) for a policy with every rule 0 (it would delete every snapshot); kCorrupt
// for a snapshot whose manifest cannot be read or has no readable start time (nothing is pruned until the
// operator moves it away: its binlog needs are unknown); kIo when the repository cannot be listed.
Result<PrunePlan> plan_prune(const std::string& repo, const RetentionPolicy& policy);

// Removes what `plan` lists, in an order that is safe to interrupt: first the snapshots (each renamed to a
// ".partial-" name before it is deleted, so a crash never leaves a half-deleted snapshot that looks
// complete), then the leftovers, then each source's binlog files oldest first (a crash leaves the archive
// without a gap); every directory is fsynced. Entries already gone are not errors; the first failure stops it
// (kIo), and the next prune finishes the job.
Status apply_prune(const std::string& repo, const PrunePlan& plan);

// The plan for people (one line per snapshot, leftover, removed binlog file and source, and a total) or, with
// `json`, one JSON object (policy, snapshots, leftovers, binlogs, freed_bytes). Ends in a newline.
std::string describe_prune_plan(const PrunePlan& plan, bool json);

// "0 B", "512 B", "1.5 KiB", "12.3 MiB", "1.21 GiB": sizes as the text outputs show them.
std::string human_bytes(uint64_t bytes);

}  // namespace mzl::snapshot
