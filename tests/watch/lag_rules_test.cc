// The lag alert rules of mzl-promote --watch (watch/lag_rules.h) on a hand-made clock.
#include <catch2/catch.hpp>

#include "mzl/watch/lag_rules.h"

using namespace mzl::watch;
using Clock = LagTracker::Clock;
using namespace std::chrono_literals;

namespace {

LagRules short_rules() {
  LagRules rules;
  rules.average_window = 10s;
  rules.average_threshold = 5;
  rules.average_periods = 3;
  rules.p99_window = 30s;
  rules.p99_threshold = 15;
  return rules;
}

}  // namespace

TEST_CASE("lag rules: the average rule fires after 3 periods above, once, and clears once") {
  LagTracker tracker(short_rules());
  Clock::time_point t{1000s};
  for (int i = 0; i < 10; ++i, t += 1s) CHECK(tracker.record(t, 0.1).empty());
  // The lag jumps to 20 s: the 10 s average rises above 5 s after a few samples; it must then stay above for
  // three periods in a row before the alert.
  std::vector<int> fired_at;
  for (int i = 0; i < 10; ++i, t += 1s) {
    for (const LagChange& c : tracker.record(t, 20)) {
      if (c.rule == LagRule::kAverage) {
        CHECK(c.firing);
        CHECK(c.value > 5);
        CHECK(c.threshold == 5);
        fired_at.push_back(i);
      }
    }
  }
  // Average over the last 10 s after sample i (i+1 samples of 20, the rest 0.1): above 5 from i = 2 on
  // (3 x 20 + 7 x 0.1 = 60.7 / 10); the third period in a row above is i = 4.
  REQUIRE(fired_at == std::vector<int>{4});
  CHECK(tracker.firing(LagRule::kAverage));
  // Back to 0: the average falls at or below 5 s once 8 of the 10 samples are 0 (2 x 20 / 10 = 4): clears
  // once.
  std::vector<int> cleared_at;
  for (int i = 0; i < 12; ++i, t += 1s) {
    for (const LagChange& c : tracker.record(t, 0)) {
      if (c.rule == LagRule::kAverage) {
        CHECK_FALSE(c.firing);
        cleared_at.push_back(i);
      }
    }
  }
  REQUIRE(cleared_at == std::vector<int>{7});
  CHECK_FALSE(tracker.firing(LagRule::kAverage));
}

TEST_CASE("lag rules: an average that dips below resets the count of periods") {
  LagRules rules = short_rules();
  rules.average_window = 1s;  // the average is the last sample
  LagTracker tracker(rules);
  Clock::time_point t{50s};
  const double lags[] = {9, 9, 1, 9, 9, 1, 9, 9, 9};
  std::vector<int> fired;
  for (int i = 0; i < 9; ++i, t += 1s) {
    for (const LagChange& c : tracker.record(t, lags[i]))
      if (c.rule == LagRule::kAverage && c.firing) fired.push_back(i);
  }
  CHECK(fired == std::vector<int>{8});
}

TEST_CASE("lag rules: the p99 rule fires on a spike within its window and clears when it leaves it") {
  LagTracker tracker(short_rules());
  Clock::time_point t{0s};
  for (int i = 0; i < 20; ++i, t += 1s) tracker.record(t, 1);
  auto changes = tracker.record(t, 40);  // one spike: the p99 of 21 samples is the maximum
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].rule == LagRule::kP99);
  CHECK(changes[0].firing);
  CHECK(changes[0].value == Approx(40));
  t += 1s;
  // It stays firing (reported once) while the spike is in the 30 s window, and clears after.
  int cleared = -1;
  for (int i = 0; i < 40; ++i, t += 1s) {
    for (const LagChange& c : tracker.record(t, 1)) {
      REQUIRE(c.rule == LagRule::kP99);
      CHECK_FALSE(c.firing);
      cleared = i;
    }
  }
  CHECK(cleared >= 27);
  CHECK(cleared <= 29);
}

TEST_CASE("lag rules: a period without a figure keeps the windows and judges on them") {
  LagRules rules = short_rules();
  rules.average_window = 5s;
  LagTracker tracker(rules);
  Clock::time_point t{0s};
  tracker.record(t, 10);
  t += 1s;
  tracker.record(t, std::nullopt);
  CHECK_FALSE(tracker.last().has_value());
  CHECK(tracker.average(t) == Approx(10));
  t += 1s;
  auto changes = tracker.record(t, std::nullopt);
  REQUIRE(changes.size() == 1);  // the third period above 5 s
  CHECK(changes[0].rule == LagRule::kAverage);
  t += 10s;
  CHECK(tracker.record(t, std::nullopt).empty());  // nothing in the window: nothing judged
}
