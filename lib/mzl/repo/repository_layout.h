#pragma once
// The one place that knows how a repository is laid out on disk (man/mzl.7, REPOSITORY LAYOUT):
//
//   REPO/binlogs/<source>/             the binlog archive of one source server (mzl-binlog-tail)
//   REPO/binlogs/<source>/state.json   where that archive stands (atomic_write_file)
//   REPO/binlogs/<source>/pruned_through  the newest binlog file mzl-snapshot prune removed (one line), so
//   that
//                                      mzl-verify tells files removed on purpose from lost ones
//   REPO/snapshots/<id>/               a complete snapshot, with its manifest.json
//   REPO/snapshots/.partial-<id>/      a snapshot being written (or left by a crash)
//   REPO/failovers/<id>.json           what one mzl-promote run did (failover/failover_record.h)
//   REPO/failovers/rejoin-<id>/        what a rejoined old primary had that the cluster lacks (SQL)
//
// Snapshot ids are "YYYYMMDDTHHMMSSZ" (UTC) optionally followed by "-<n>" when several start in the same
// second; they order by time, then by n ("<id>" < "<id>-2" < "<id>-10"). Every program builds its paths here,
// so a different layout or another storage (storage.h) changes this file and not the programs.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/repo/storage.h"
#include "mzl/util/result.h"

namespace mzl::repo {

inline constexpr std::string_view kBinlogsDirName = "binlogs";
inline constexpr std::string_view kSnapshotsDirName = "snapshots";
inline constexpr std::string_view kStateFileName = "state.json";
inline constexpr std::string_view kPrunedThroughFileName = "pruned_through";
inline constexpr std::string_view kFailoversDirName = "failovers";
inline constexpr std::string_view kManifestFileName = "manifest.json";
inline constexpr std::string_view kPartialPrefix = ".partial-";

std::string binlogs_dir(const std::string& repo);                            // REPO/binlogs
std::string source_dir(const std::string& repo, const std::string& source);  // REPO/binlogs/<source>
std::string archive_state_path(const std::string& repo,
                               const std::string& source);  // .../<source>/state.json
std::string pruned_through_path(const std::string& repo,
                                const std::string& source);                // .../<source>/pruned_through
std::string snapshots_dir(const std::string& repo);                        // REPO/snapshots
std::string snapshot_dir(const std::string& repo, const std::string& id);  // REPO/snapshots/<id>
std::string partial_snapshot_dir(const std::string& repo, const std::string& id);  // .../.partial-<id>
std::string failovers_dir(const std::string& repo);                                // REPO/failovers
std::string manifest_path(const std::string& snapshot_dir);                        // <dir>/manifest.json

// "YYYYMMDDTHHMMSSZ" (UTC) of `t`.
std::string snapshot_id_for(std::chrono::system_clock::time_point t);
// Whether `name` is a snapshot id: "YYYYMMDDTHHMMSSZ" optionally followed by "-<n>" (n >= 2 written without
// leading zeros, at most 9 digits).
bool is_snapshot_id(std::string_view name);
// The order of snapshot ids (oldest first); both must satisfy is_snapshot_id.
bool snapshot_id_before(std::string_view a, std::string_view b);

// Whether `repo` is a repository: a directory holding binlogs/ or snapshots/. Programs that only read a
// repository refuse any other directory (a mistyped --repo would otherwise look like an empty one).
bool is_repository(const std::string& repo);
// ok when is_repository(repo); kNotFound (exit 1) when `repo` does not exist; otherwise kInvalidArgument
// (exit 2, usage: a mistyped --repo such as /etc) saying that `repo` is not a repository, at `repo`. For the
// programs that only read one (list, prune, verify, restore, --status).
Status require_repository(const std::string& repo);
// Whether a program that creates a repository may write into `repo`: a repository, a missing directory or
// an empty one.
bool may_create_repository(const std::string& repo);

// The sources archived in `repo`: the names of the directories under REPO/binlogs/, sorted. A repository
// without binlogs/ has none.
Result<std::vector<std::string>> list_sources(Storage& storage, const std::string& repo);

}  // namespace mzl::repo
