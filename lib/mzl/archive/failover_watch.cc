#include "mzl/archive/failover_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "mzl/repo/repository_layout.h"

namespace mzl::archive {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);

}  // namespace

FailoverWatch FailoverWatch::open(const std::string& repo) {
  FailoverWatch watch;
  watch.dir_ = repo::failovers_dir(repo);
  watch.fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch.fd_ < 0) {
    std::fprintf(stderr, "mzl-binlog-tail: cannot watch %s (%s); reading it every 100 ms instead\n",
                 watch.dir_.c_str(), std::strerror(errno));
  } else {
    watch.try_watch();
  }
  return watch;
}

bool FailoverWatch::try_watch() {
  if (::inotify_add_watch(fd_, dir_.c_str(), IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) >= 0) {
    watching_ = true;
    return true;
  }
  if (errno != ENOENT) {
    std::fprintf(stderr, "mzl-binlog-tail: cannot watch %s (%s); reading it every 100 ms instead\n",
                 dir_.c_str(), std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
  }
  return false;
}

FailoverWatch::FailoverWatch(FailoverWatch&& other) noexcept
    : dir_(std::move(other.dir_)),
      fd_(std::exchange(other.fd_, -1)),
      watching_(other.watching_),
      last_poll_(other.last_poll_) {}

FailoverWatch& FailoverWatch::operator=(FailoverWatch&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    dir_ = std::move(other.dir_);
    fd_ = std::exchange(other.fd_, -1);
    watching_ = other.watching_;
    last_poll_ = other.last_poll_;
  }
  return *this;
}

FailoverWatch::~FailoverWatch() {
  if (fd_ >= 0) ::close(fd_);
}

bool FailoverWatch::changed(bool before_ack) {
  if (fd_ < 0 || !watching_) {
    const auto now = std::chrono::steady_clock::now();
    if (!before_ack && now - last_poll_ < kPollInterval) return false;
    last_poll_ = now;
    // Without inotify: re-read. Once the directory appeared and is watched: what it holds is read once.
    return fd_ < 0 || try_watch();
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
