#pragma once
// Notices new failover records in REPO/failovers/ (repo/failover_record.h) without reading the directory at
// every event: an inotify watch on it, read without blocking. The archiver asks before every semi-sync ACK
// and between batches of events (tail_follow.h), so that it stops acknowledging the old primary as soon as a
// record that replaces it is there. The directory is not created here (mzl-promote creates it with its first
// record; a repository that never saw a failover stays as it was): until it exists, each call 100 ms after
// the last try tries to watch it, and says "changed" once it does, so that a record written before the watch
// is read. Where inotify is not available (another kernel, no more watches), every call 100 ms after the last
// "changed" answer says "changed" and the caller re-reads the records.
#include <chrono>
#include <string>

#include "mzl/util/result.h"

namespace mzl::archive {

class FailoverWatch {
 public:
  // Watches REPO/failovers/, or waits for it to appear (above).
  static FailoverWatch open(const std::string& repo);

  FailoverWatch(FailoverWatch&& other) noexcept;
  FailoverWatch& operator=(FailoverWatch&& other) noexcept;
  FailoverWatch(const FailoverWatch&) = delete;
  FailoverWatch& operator=(const FailoverWatch&) = delete;
  ~FailoverWatch();

  // True when something in the directory may have changed since the last call that said so (a name was
  // created, moved in, or written): the caller re-reads the records. Never blocks.
  // `before_ack`: an ACK follows a false answer, so nothing is put off: the directory not yet watched is
  // tried now, and without inotify the answer is true.
  bool changed(bool before_ack = false);

 private:
  FailoverWatch() = default;
  // Adds the watch on dir_ (false while the directory does not exist).
  bool try_watch();

  std::string dir_;
  int fd_ = -1;  // the inotify instance; -1: polling
  bool watching_ = false;
  std::chrono::steady_clock::time_point last_poll_;
};

}  // namespace mzl::archive
