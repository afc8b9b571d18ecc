#pragma once
// The operations the programs need from the place a repository lives (pgBackRest's storage/ is the model):
// list a directory, open a file for reading, create a file atomically, rename, remove, make names durable.
// LocalStorage (local_storage.h) is the local file system; an object-storage backend implements the same
// interface, so the programs and repository_layout.h do not change when one is added.
//
// Paths are the full names that repository_layout.h builds. Errors are values: kNotFound when a path is
// missing, kIo naming the path otherwise.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::repo {

struct StorageEntry {
  std::string name;           // the last component only
  bool is_directory = false;  // a directory or a symlink to one (an archive moved to another disk)
};

class Storage {
 public:
  virtual ~Storage() = default;
  // The entries of directory `dir`, sorted by name ("." and ".." left out). A missing directory is an
  // empty list (a repository without snapshots yet).
  virtual Result<std::vector<StorageEntry>> list(const std::string& dir) = 0;
  // Opens `path` for reading, front to back (no decompression). kNotFound when missing.
  virtual Result<std::unique_ptr<InputStream>> open_read(const std::string& path) = 0;
  // Makes `data` the content of `path` so that a reader (or a crash at any point) sees either the old
  // content or all of the new one, never a part: on the local file system, written to a temporary name,
  // fsynced, renamed over `path` and the directory fsynced. Durable when it returns.
  virtual Status create_atomically(const std::string& path, std::span<const uint8_t> data) = 0;
  // Renames `from` to `to` (a file or a directory); durable after sync_directory() of their directory.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // Removes a file or a whole directory; a missing one is not an error. Durable after sync_directory().
  virtual Status remove(const std::string& path) = 0;
  // Makes the names in `dir` (created, renamed, removed) durable.
  virtual Status sync_directory(const std::string& dir) = 0;
};

}  // namespace mzl::repo
