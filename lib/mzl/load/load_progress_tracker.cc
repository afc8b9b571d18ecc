#include "mzl/load/load_progress_tracker.h"

namespace mzl::load {

namespace {
constexpr std::chrono::milliseconds kReportInterval{100};
}

LoadProgressTracker::LoadProgressTracker(std::function<void(const LoadProgress&)> callback)
    : callback_(std::move(callback)) {}

double LoadProgressTracker::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void LoadProgressTracker::report_locked(bool force) {
  if (!callback_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_report_ < kReportInterval) return;
  last_report_ = now;
  progress_.seconds = std::chrono::duration<double>(now - start_).count();
  callback_(progress_);
}

void LoadProgressTracker::set_phase(std::string phase) {
  std::lock_guard lock(mutex_);
  progress_.phase = std::move(phase);
  report_locked(true);
}

void LoadProgressTracker::set_tables(uint64_t tables) {
  std::lock_guard lock(mutex_);
  progress_.tables_total = tables;
}

void LoadProgressTracker::add_files(uint64_t files, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  progress_.files_total += files;
  progress_.bytes_total += bytes;
}

void LoadProgressTracker::add_raw_bytes(uint64_t raw_bytes) {
  std::lock_guard lock(mutex_);
  progress_.raw_bytes += raw_bytes;
  report_locked(false);
}

void LoadProgressTracker::file_done(uint64_t bytes, uint64_t rows) {
  std::lock_guard lock(mutex_);
  ++progress_.files_done;
  progress_.bytes_done += bytes;
  progress_.rows += rows;
  report_locked(false);
}

LoadProgress LoadProgressTracker::current() const {
  std::lock_guard lock(mutex_);
  LoadProgress p = progress_;
  p.seconds = seconds();
  return p;
}

}  // namespace mzl::load
