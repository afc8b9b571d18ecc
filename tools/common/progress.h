#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal (cron and pipes get nothing), at
// most ten times a second: "label [=======>      ]  45%  1.2 GiB  310 MiB/s  ETA 0:12  detail".
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "mzl/util/progress_counter.h"

namespace mzl::tool {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ~ProgressBar();  // erases the line when something was drawn

  bool enabled() const { return enabled_; }
  // done/total in bytes (total 0: unknown, no percentage or ETA); `detail` is appended (e.g. "3/8 tables").
  // Thread-safe; drawing is throttled.
  void update(uint64_t done, uint64_t total, std::string_view detail);
  void finish();

 private:
  std::string label_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

// Draws a ProgressCounter that a library call advances on `bar`, five times a second, from a thread of its
// own, until destroyed. Does nothing when the bar is not enabled.
class ProgressFollower {
 public:
  ProgressFollower(ProgressBar& bar, const ProgressCounter& counter);
  ~ProgressFollower();
  ProgressFollower(const ProgressFollower&) = delete;
  ProgressFollower& operator=(const ProgressFollower&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// "1.2 GiB", "310 MiB", "512 B".
std::string format_bytes(double bytes);

}  // namespace mzl::tool
