#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal (cron and pipes get nothing), at
// most ten times a second: "label [=======>      ]  45%  1.2 GiB  310 MiB/s  ETA 0:12  detail".
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

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

// "1.2 GiB", "310 MiB", "512 B".
std::string format_bytes(double bytes);

}  // namespace mzl::tool
