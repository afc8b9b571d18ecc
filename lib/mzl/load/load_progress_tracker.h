#pragma once
// The counters of one load, updated from every loading thread, and the throttled calls of
// LoadOptions::progress (at most every ~100 ms, and at each phase change; calls are serialised).
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "mzl/load/snapshot_loader.h"

namespace mzl::load {

class LoadProgressTracker {
 public:
  explicit LoadProgressTracker(std::function<void(const LoadProgress&)> callback);

  void set_phase(std::string phase);  // reports at once
  void set_tables(uint64_t tables);
  void add_files(uint64_t files, uint64_t bytes);  // data files to load (a stream: as they are seen)
  void add_raw_bytes(uint64_t raw_bytes);          // uncompressed bytes sent, while a file loads
  void file_done(uint64_t bytes, uint64_t rows);

  LoadProgress current() const;
  double seconds() const;

 private:
  void report_locked(bool force);

  std::function<void(const LoadProgress&)> callback_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_report_{};
  mutable std::mutex mutex_;
  LoadProgress progress_;
};

}  // namespace mzl::load
