#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace mzl::tool {

std::string format_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

ProgressBar::ProgressBar(std::string label)
    : label_(std::move(label)),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  finish();
}

void ProgressBar::update(uint64_t done, uint64_t total, std::string_view detail) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? done / seconds : 0;
  std::string line = label_ + " ";
  if (total > 0) {
    double fraction = std::min(1.0, static_cast<double>(done) / total);
    constexpr int kWidth = 24;
    int filled = static_cast<int>(fraction * kWidth);
    line += '[' + std::string(filled, '=') + (filled < kWidth ? ">" : "") +
            std::string(std::max(0, kWidth - filled - 1), ' ') + ']';
    line += fmt::format(" {:3.0f}%", fraction * 100);
  }
  line += fmt::format("  {}  {}/s", format_bytes(done), format_bytes(rate));
  if (total > 0 && rate > 0 && done < total) {
    auto eta = static_cast<long>((total - done) / rate);
    line += fmt::format("  ETA {}:{:02}", eta / 60, eta % 60);
  }
  if (!detail.empty()) line += fmt::format("  {}", detail);
  fmt::print(stderr, "\r\033[K{}", line);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (drawn_) fmt::print(stderr, "\r\033[K");
  drawn_ = false;
}

ProgressFollower::ProgressFollower(ProgressBar& bar, const ProgressCounter& counter) {
  if (!bar.enabled()) return;
  thread_ = std::thread([this, &bar, &counter] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; })) {
      const uint64_t total = counter.total.load(), done = counter.done.load();
      bar.update(total > 0 ? std::min(done, total) : done, total, "");
    }
  });
}

ProgressFollower::~ProgressFollower() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

}  // namespace mzl::tool
