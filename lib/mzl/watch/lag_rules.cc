#include "mzl/watch/lag_rules.h"

namespace mzl::watch {

const char* json_name(LagRule rule) {
  return rule == LagRule::kAverage ? "lag_average" : "lag_p99";
}

LagTracker::LagTracker(const LagRules& rules)
    : rules_(rules), average_(rules.average_window), p99_(rules.p99_window) {}

std::vector<LagChange> LagTracker::record(Clock::time_point now, std::optional<double> lag_seconds) {
  last_ = lag_seconds;
  if (lag_seconds) {
    average_.record(now, *lag_seconds);
    p99_.record(now, *lag_seconds);
  }
  std::vector<LagChange> changes;
  if (average_.count(now) > 0) {
    const double average = average_.average(now);
    if (average > rules_.average_threshold) {
      ++periods_above_;
      if (!average_firing_ && periods_above_ >= rules_.average_periods) {
        average_firing_ = true;
        changes.push_back({LagRule::kAverage, true, average, rules_.average_threshold});
      }
    } else {
      periods_above_ = 0;
      if (average_firing_) {
        average_firing_ = false;
        changes.push_back({LagRule::kAverage, false, average, rules_.average_threshold});
      }
    }
  }
  if (p99_.count(now) > 0) {
    const double p99 = p99_.quantile(now, 0.99);
    if (!p99_firing_ && p99 > rules_.p99_threshold) {
      p99_firing_ = true;
      changes.push_back({LagRule::kP99, true, p99, rules_.p99_threshold});
    } else if (p99_firing_ && p99 <= rules_.p99_threshold) {
      p99_firing_ = false;
      changes.push_back({LagRule::kP99, false, p99, rules_.p99_threshold});
    }
  }
  return changes;
}

}  // namespace mzl::watch
