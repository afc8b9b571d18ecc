#pragma once
// The repository side of snapshots (man/mzl.7, SNAPSHOTS): REPO/snapshots/<id>/ is a complete snapshot,
// REPO/snapshots/.partial-<id>/ one being written (or left by a crash: removed by the next run or prune).
// A snapshot becomes complete in one rename, after every file and its manifest.json are durable, so a
// directory without the ".partial-" prefix always holds a whole snapshot.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "mzl/repo/directory_lock.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

// The layout (paths, id format and order) lives in repo/repository_layout.h; these names stay visible here
// for the callers that write snapshots.
using repo::is_snapshot_id;
using repo::kPartialPrefix;
using repo::partial_snapshot_dir;
using repo::snapshot_dir;
using repo::snapshot_id_for;
using repo::snapshots_dir;

// Creates REPO/snapshots/ (0700, with parents) when missing and a new REPO/snapshots/.partial-<id>/ (0700).
// When <id> is taken (complete or partial), tries <id>-2, <id>-3, ... and updates `id`. Returns the partial
// directory's path. kIo naming the directory.
Result<std::string> begin_snapshot(const std::string& repo, std::string& id);

// fsyncs every directory inside the partial directory (so the names of the data files are durable), writes
// manifest.json into it (atomic_write_file, which fsyncs it), renames it to REPO/snapshots/<id> and fsyncs
// REPO/snapshots. The caller has written and fsynced (DataFileWriter::finish) every other file.
// manifest.id must equal id (kInvalidArgument).
Status finish_snapshot(const std::string& repo, const std::string& id, const Manifest& manifest);

// The writer of a partial snapshot holds the lock of its directory (repo/directory_lock.h) for as long as it
// writes, so that a concurrent prune or a second snapshot run does not remove a snapshot being written.
using PartialSnapshotLock = repo::DirectoryLock;
// Locks `dir` (a partial snapshot directory); kIo naming it when it cannot be opened or locked.
Result<PartialSnapshotLock> lock_partial_snapshot(const std::string& dir);
// Whether another process holds the lock of `dir` now (a snapshot being written).
bool partial_snapshot_in_use(const std::string& dir);

// Removes every REPO/snapshots/.partial-*/ that no running writer holds (see PartialSnapshotLock)
// (recursively) and fsyncs REPO/snapshots. A missing REPO/snapshots is not an error.
Status remove_partial_snapshots(const std::string& repo);

// Removes the complete snapshot `id`: first renames it to .partial-<id>.removing (durably), so an
// interrupted removal never leaves a complete-looking, half-deleted snapshot, then deletes it. kNotFound
// when there is no such snapshot.
Status remove_snapshot(const std::string& repo, const std::string& id);

// The ids of the complete snapshots (directories named like an id that hold a manifest.json; never a partial
// one), sorted oldest first (repo::snapshot_id_before). A missing REPO/snapshots is an empty list.
Result<std::vector<std::string>> list_snapshot_ids(const std::string& repo);

// Reads and decodes <snapshot_dir>/manifest.json (kNotFound when missing, kCorrupt when bad).
Result<Manifest> read_manifest(const std::string& snapshot_dir);

}  // namespace mzl::snapshot
