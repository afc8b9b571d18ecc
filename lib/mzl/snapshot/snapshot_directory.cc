#include "mzl/snapshot/snapshot_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "mzl/util/durable_file.h"
#include "mzl/util/input_stream.h"

namespace mzl::snapshot {
namespace {

namespace fs = std::filesystem;

Error fs_error(const std::string& what, const std::string& path, const std::error_code& ec) {
  return io_error(what, path, ec.value());
}

bool exists_no_follow(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// fsyncs every directory under `root` (deepest first) and `root` itself, so that the names of the files
// written into it survive a power loss.
Status fsync_tree(const std::string& root) {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path().string());
  }
  if (ec) return fs_error("list", root, ec);
  std::sort(dirs.begin(), dirs.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& dir : dirs) MZL_CHECK(fsync_directory(dir));
  return fsync_directory(root);
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return fs_error("remove", path, ec);
  return ok_status();
}

}  // namespace

Result<std::string> begin_snapshot(const std::string& repo, std::string& id) {
  const std::string parent = snapshots_dir(repo);
  MZL_CHECK(create_private_directories(parent));
  for (int n = 1; n < 1000; ++n) {
    const std::string candidate = n == 1 ? id : fmt::format("{}-{}", id, n);
    if (exists_no_follow(snapshot_dir(repo, candidate))) continue;
    const std::string partial = partial_snapshot_dir(repo, candidate);
    if (::mkdir(partial.c_str(), kPrivateDirMode) != 0) {
      if (errno == EEXIST) continue;
      return io_error("mkdir", partial, errno);
    }
    MZL_CHECK(fsync_directory(parent));
    id = candidate;
    return partial;
  }
  return Error{ErrorCode::kIo, fmt::format("snapshot ids {} to {}-999 are all taken", id, id)}.at_r(parent);
}

Status finish_snapshot(const std::string& repo, const std::string& id, const Manifest& manifest) {
  if (manifest.id != id) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("the manifest's id \"{}\" is not the snapshot's id \"{}\"", manifest.id, id)};
  }
  const std::string partial = partial_snapshot_dir(repo, id);
  const std::string final_dir = snapshot_dir(repo, id);
  MZL_CHECK(fsync_tree(partial));
  const std::string json = encode_manifest(manifest);
  MZL_CHECK(atomic_write_file(
      repo::manifest_path(partial),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(json.data()), json.size())));
  if (exists_no_follow(final_dir)) {
    return Error{ErrorCode::kIo, "a snapshot with this id already exists"}.at_r(final_dir);
  }
  MZL_CHECK(real_file_system().rename(partial, final_dir));
  return fsync_directory(snapshots_dir(repo));
}

Result<PartialSnapshotLock> lock_partial_snapshot(const std::string& dir) {
  return repo::lock_directory(dir, "the mzl-snapshot run writing this snapshot");
}

bool partial_snapshot_in_use(const std::string& dir) {
  return repo::directory_locked(dir);
}

Status remove_partial_snapshots(const std::string& repo) {
  const std::string parent = snapshots_dir(repo);
  std::error_code ec;
  if (!fs::exists(parent, ec)) return ok_status();
  std::vector<std::string> partials;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kPartialPrefix, 0) == 0 && !partial_snapshot_in_use(it->path().string())) {
      partials.push_back(it->path().string());
    }
  }
  if (ec) return fs_error("list", parent, ec);
  if (partials.empty()) return ok_status();
  for (const auto& p : partials) MZL_CHECK(remove_tree(p));
  return fsync_directory(parent);
}

Status remove_snapshot(const std::string& repo, const std::string& id) {
  const std::string dir = snapshot_dir(repo, id);
  if (!is_snapshot_id(id) || !fs::is_directory(dir)) {
    return Error{ErrorCode::kNotFound, fmt::format("no snapshot \"{}\"", id)}.at_r(snapshots_dir(repo));
  }
  const std::string doomed = partial_snapshot_dir(repo, id + ".removing");
  MZL_CHECK(remove_tree(doomed));
  MZL_CHECK(real_file_system().rename(dir, doomed));
  MZL_CHECK(fsync_directory(snapshots_dir(repo)));
  MZL_CHECK(remove_tree(doomed));
  return fsync_directory(snapshots_dir(repo));
}

Result<std::vector<std::string>> list_snapshot_ids(const std::string& repo) {
  const std::string parent = snapshots_dir(repo);
  std::vector<std::string> ids;
  std::error_code ec;
  if (!fs::exists(parent, ec)) return ids;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!is_snapshot_id(name) || !it->is_directory(ec)) continue;
    if (!fs::is_regular_file(it->path() / kManifestFileName, ec)) continue;
    ids.push_back(name);
  }
  if (ec) return fs_error("list", parent, ec);
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return repo::snapshot_id_before(a, b); });
  return ids;
}

Result<Manifest> read_manifest(const std::string& snapshot_dir) {
  const std::string path = repo::manifest_path(snapshot_dir);
  MZL_TRY(auto in, open_plain_input(path));
  MZL_TRY(std::vector<uint8_t> bytes, read_all(*in));
  return decode_manifest(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path);
}

}  // namespace mzl::snapshot
