#include "mzl/serve/archive_end.h"

#include <thread>

#include "mzl/archive/archive_state.h"

namespace mzl::serve {

void PublishedArchiveEnd::publish(const ArchiveEnd& end) {
  {
    std::lock_guard lock(mutex_);
    if (end == end_) return;
    end_ = end;
    ++version_;
  }
  changed_.notify_all();
}

Result<ArchiveEnd> PublishedArchiveEnd::end() {
  std::lock_guard lock(mutex_);
  return end_;
}

void PublishedArchiveEnd::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t seen = version_;
  changed_.wait_for(lock, timeout, [&] { return version_ != seen; });
}

Result<ArchiveEnd> StateFileArchiveEnd::end() {
  MZL_TRY(archive::ArchiveState state, archive::read_archive_state(path_));
  return ArchiveEnd{state.current_file, state.durable_position};
}

void StateFileArchiveEnd::wait(std::chrono::milliseconds timeout) {
  std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(200)));
}

}  // namespace mzl::serve
