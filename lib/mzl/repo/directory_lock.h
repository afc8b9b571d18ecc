#pragma once
// Exclusive locks on repository directories (man/mzl.7, LOCKS): the one writer of a directory holds an
// flock(2) on it for as long as it writes. The kernel releases the lock when the process ends in any way,
// SIGKILL included, so a crash never leaves a stale lock to clean up, and no lock file is added to the
// layout. Who locks what:
//   REPO/binlogs/<source>/            the archiver of that source (mzl-binlog-tail), for its whole run: a
//                                     second one (an overlapping cron run, a daemon and a manual run) would
//                                     append the same events again or repair a tail the first is writing;
//   REPO/snapshots/.partial-<id>/     the snapshot being written, so that prune and the next snapshot run
//                                     leave it alone.
#include <string>
#include <string_view>
#include <utility>

#include "mzl/util/result.h"

namespace mzl::repo {

// A held lock; move-only, released on destruction.
class DirectoryLock {
 public:
  DirectoryLock() = default;
  DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DirectoryLock& operator=(DirectoryLock&& other) noexcept;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock();

  bool held() const { return fd_ >= 0; }

 private:
  friend Result<DirectoryLock> lock_directory(const std::string& dir, std::string_view holder);
  explicit DirectoryLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Locks the existing directory `dir` without waiting. When another process holds it: kIo saying that
// `holder` (what holds such a lock, e.g. "another mzl-binlog-tail archiving this source") has it, at `dir`;
// kIo naming the system call when `dir` cannot be opened or locked otherwise.
Result<DirectoryLock> lock_directory(const std::string& dir, std::string_view holder);

// Whether another process holds the lock of `dir` now (false when `dir` does not exist).
bool directory_locked(const std::string& dir);

}  // namespace mzl::repo
