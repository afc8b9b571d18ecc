#pragma once
// Notices new failover records in REPO/failovers/ (repo/failover_record.h) without reading the directory at
// every event: an inotify watch on it, read without blocking. The archiver asks before every semi-sync ACK
// and between batches of events (tail_follow.h), so that it stops acknowledging the old primary as soon as a
// record that replaces it is there. Where inotify is not available (another kernel, no more watches), every
// call after 100 ms since the last "changed" answer says "changed" and the caller re-reads the records.
#include <chrono>
#include <string>

#include "mzl/util/result.h"

namespace mzl::archive {

class FailoverWatch {
 public:
  // Creates REPO/failovers/ (0700) when missing and watches it. kIo when the directory cannot be created.
  static Result<FailoverWatch> open(const std::string& repo);

  FailoverWatch(FailoverWatch&& other) noexcept;
  FailoverWatch& operator=(FailoverWatch&& other) noexcept;
  FailoverWatch(const FailoverWatch&) = delete;
  FailoverWatch& operator=(const FailoverWatch&) = delete;
  ~FailoverWatch();

  // True when something in the directory may have changed since the last call that said so (a name was
  // created, moved in, or written): the caller re-reads the records. Never blocks.
  bool changed();

 private:
  FailoverWatch() = default;
  int fd_ = -1;  // the inotify instance; -1: polling
  std::chrono::steady_clock::time_point last_poll_;
};

}  // namespace mzl::archive
