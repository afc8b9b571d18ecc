#pragma once
// A FileSystem (durable_file.h) that injects failures for tests: a disk-full (or any errno) on the Nth
// operation, or a simulated crash at the Nth operation after which nothing more reaches the disk.
//
// Operations are counted from 1 across the whole file system, in call order: open_append, append, sync,
// truncate, atomic_write_file, fsync_directory, rename, remove. A test first runs a workload with no plan to
// learn operations(), then reruns it once per N in 1..operations() to hit every boundary.
//
// Crash model: the crashing operation does not happen, except that a crashing append writes `torn_bytes`
// of its data first (a torn write) and a crashing atomic_write_file leaves a partial "<path>.tmp". Every
// later operation fails too. Bytes appended before the crash stay in the file (a process crash: they are in
// the page cache) unless `lose_unsynced` is set, in which case every file written through this object is
// cut back to the size it had at its last sync() (a power loss; directory entries are assumed durable).
#include <cerrno>
#include <cstdint>
#include <map>
#include <string>

#include "mzl/util/durable_file.h"

namespace mzl {

struct FaultPlan {
  uint64_t fail_at = 0;  // the Nth operation fails with fail_errno (0: never); the operations after it work
  int fail_errno = ENOSPC;
  uint64_t crash_at = 0;  // the Nth operation crashes (0: never)
  size_t torn_bytes = 0;  // bytes of a crashing append that still reach the file (capped at its size)
  bool lose_unsynced = false;
};

class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem& base = real_file_system(), FaultPlan plan = {})
      : base_(base), plan_(plan) {}

  Result<std::unique_ptr<AppendOnlyFile>> open_append(const std::string& path) override;
  Status atomic_write_file(const std::string& path, std::span<const uint8_t> data) override;
  Status fsync_directory(const std::string& dir) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;

  uint64_t operations() const { return operations_; }
  bool crashed() const { return crashed_; }

  // Internal to the files this object hands out.
  enum class Outcome { kProceed, kFail, kCrash, kDead };  // kDead: after the crash
  Outcome next_operation();
  Error failure(const std::string& what, const std::string& path) const;
  // The crash's error; the first call also applies the power loss (after a torn write was made).
  Error crash_error(const std::string& path);
  const FaultPlan& plan() const { return plan_; }
  void note_size(const std::string& path, uint64_t size, bool synced);

 private:
  void crash_now();

  FileSystem& base_;
  FaultPlan plan_;
  uint64_t operations_ = 0;
  bool crashed_ = false;
  bool power_lost_ = false;
  std::map<std::string, uint64_t> synced_size_;  // per file written through this object
};

}  // namespace mzl
