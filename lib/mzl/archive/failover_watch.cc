#include "mzl/archive/failover_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "mzl/repo/repository_layout.h"
#include "mzl/util/durable_file.h"

namespace mzl::archive {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);

}  // namespace

Result<FailoverWatch> FailoverWatch::open(const std::string& repo) {
  const std::string dir = repo::failovers_dir(repo);
  MZL_CHECK(create_private_directories(dir));
  FailoverWatch watch;
  watch.fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch.fd_ >= 0 &&
      ::inotify_add_watch(watch.fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
    std::fprintf(stderr, "mzl-binlog-tail: cannot watch %s (%s); reading it every 100 ms instead\n",
                 dir.c_str(), std::strerror(errno));
    ::close(watch.fd_);
    watch.fd_ = -1;
  }
  return watch;
}

FailoverWatch::FailoverWatch(FailoverWatch&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), last_poll_(other.last_poll_) {}

FailoverWatch& FailoverWatch::operator=(FailoverWatch&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    last_poll_ = other.last_poll_;
  }
  return *this;
}

FailoverWatch::~FailoverWatch() {
  if (fd_ >= 0) ::close(fd_);
}

bool FailoverWatch::changed() {
  if (fd_ < 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_poll_ < kPollInterval) return false;
    last_poll_ = now;
    return true;
  }
  // Drain every queued event: one re-read covers them all.
  alignas(struct inotify_event) char buffer[4096];
  bool any = false;
  while (true) {
    const ssize_t got = ::read(fd_, buffer, sizeof buffer);
    if (got > 0) {
      any = true;
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    // EAGAIN: nothing more queued. Any other error (an overflowed queue reads fine): re-read to be safe.
    if (got < 0 && errno != EAGAIN) any = true;
    return any;
  }
}

}  // namespace mzl::archive
