#pragma once
// The two lag alert rules of mzl-promote --watch (man/mzl-promote.1, WATCHING), per target (a replica, or the
// archiver): the lag is sampled once per check period and kept in two sliding windows
// (util/sliding_window.h).
//   average rule: the average over `average_window` (1 min) above `average_threshold` (5 s) at the end of
//     `average_periods` (3) consecutive periods -> an alert; it clears (reported once) at the first period
//     whose average is at or below the threshold again.
//   p99 rule: the p99 over `p99_window` (5 min) above `p99_threshold` (15 s) -> the diagnosis; it clears
//     when the p99 is at or below the threshold again (the slow window: up to 5 minutes after the lag went).
// Pure: times are passed in, so the rules are tested without waiting.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mzl/util/sliding_window.h"

namespace mzl::watch {

struct LagRules {
  std::chrono::seconds average_window{60};
  double average_threshold = 5;  // seconds
  unsigned average_periods = 3;
  std::chrono::seconds p99_window{300};
  double p99_threshold = 15;  // seconds
};

enum class LagRule { kAverage, kP99 };
const char* json_name(LagRule rule);  // "lag_average", "lag_p99"

// A rule that started or stopped holding for a target.
struct LagChange {
  LagRule rule = LagRule::kAverage;
  bool firing = true;  // false: cleared
  double value = 0;    // the average or the p99, seconds
  double threshold = 0;
};

// One target's lag history and the state of its two rules.
class LagTracker {
 public:
  using Clock = SlidingWindow::Clock;
  explicit LagTracker(const LagRules& rules);

  // One period's sample (nullopt: no figure this period, e.g. the server did not answer: the windows keep
  // what they have and the rules are judged on it). Returns the rules that changed state.
  std::vector<LagChange> record(Clock::time_point now, std::optional<double> lag_seconds);

  std::optional<double> last() const { return last_; }
  double average(Clock::time_point now) const { return average_.average(now); }
  double p99(Clock::time_point now) const { return p99_.quantile(now, 0.99); }
  bool firing(LagRule rule) const { return rule == LagRule::kAverage ? average_firing_ : p99_firing_; }

 private:
  LagRules rules_;
  SlidingWindow average_, p99_;
  std::optional<double> last_;
  unsigned periods_above_ = 0;
  bool average_firing_ = false;
  bool p99_firing_ = false;
};

}  // namespace mzl::watch
