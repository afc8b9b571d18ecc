#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "mzl/util/sliding_window.h"

using namespace mzl;
using namespace std::chrono_literals;
using TimePoint = SlidingWindow::Clock::time_point;

namespace {

// A steady-clock time well away from the epoch, not on a whole second (the window counts whole seconds).
const TimePoint kStart = TimePoint{} + 1'000'000s + 250ms;
// The start of a whole second, for the tests that record many samples in each second.
const TimePoint kSecond = TimePoint{} + 1'000'000s;

// The nearest-rank quantile of `values`, the definition SlidingWindow::quantile follows.
double nearest_rank(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const auto rank =
      std::max<size_t>(1, static_cast<size_t>(std::ceil(q * static_cast<double>(values.size()))));
  return values[rank - 1];
}

}  // namespace

TEST_CASE("SlidingWindow: an empty window is all zeros") {
  SlidingWindow window(60s);
  CHECK(window.span() == 60s);
  CHECK(window.count(kStart) == 0);
  CHECK(window.average(kStart) == 0);
  CHECK(window.max(kStart) == 0);
  CHECK(window.quantile(kStart, 0.99) == 0);
}

TEST_CASE("SlidingWindow: the average is over exactly the last span seconds") {
  SlidingWindow window(60s);
  for (int i = 0; i < 60; ++i) window.record(kStart + std::chrono::seconds(i), i + 1);  // 1..60
  const TimePoint last = kStart + 59s;
  CHECK(window.count(last) == 60);
  CHECK(window.average(last) == Approx(30.5));
  CHECK(window.max(last) == 60);
  // Still within the last sample's second: nothing expired.
  CHECK(window.count(last + 700ms) == 60);
  // One second later the first sample (value 1) is out: 2..60.
  CHECK(window.count(last + 1s) == 59);
  CHECK(window.average(last + 1s) == Approx(31));
  // Ten seconds later: 11..60.
  CHECK(window.count(last + 10s) == 50);
  CHECK(window.average(last + 10s) == Approx(35.5));
  // A sample recorded after `now` is not in the window at `now`.
  CHECK(window.count(kStart + 9s) == 10);
  CHECK(window.average(kStart + 9s) == Approx(5.5));
}

TEST_CASE("SlidingWindow: old samples expire, and slots are reused for new seconds") {
  SlidingWindow window(5s);
  window.record(kStart, 100);
  window.record(kStart + 1s, 200);
  CHECK(window.count(kStart + 1s) == 2);
  CHECK(window.count(kStart + 5s) == 1);  // the first sample's second left the window
  CHECK(window.count(kStart + 6s) == 0);
  CHECK(window.quantile(kStart + 6s, 0.99) == 0);
  // Same slot as kStart (five seconds later): replaces it.
  window.record(kStart + 5s, 7);
  CHECK(window.count(kStart + 5s) == 2);
  CHECK(window.average(kStart + 5s) == Approx(103.5));
  CHECK(window.max(kStart + 5s) == 200);
  // A sample older than what its slot holds is dropped: it would have expired already.
  window.record(kStart, 1000);
  CHECK(window.count(kStart + 5s) == 2);
  CHECK(window.max(kStart + 5s) == 200);
  // Long idle: nothing left.
  CHECK(window.count(kStart + 1h) == 0);
  CHECK(window.average(kStart + 1h) == 0);
}

TEST_CASE("SlidingWindow: negative and NaN values count as 0, a span under a second as one second") {
  SlidingWindow window(0s);
  CHECK(window.span() == 1s);
  window.record(kStart, -5);
  window.record(kStart, std::nan(""));
  window.record(kStart, 3);
  CHECK(window.count(kStart) == 3);
  CHECK(window.average(kStart) == Approx(1));
  CHECK(window.quantile(kStart, 0.5) == 0);
  CHECK(window.count(kStart + 1s) == 0);
}

TEST_CASE("SlidingWindow: quantiles are exact with one sample a second") {
  // 300 distinct values in shuffled order, one per second: the p99 of 300 is the 297th smallest.
  std::vector<double> values;
  for (int i = 1; i <= 300; ++i) values.push_back(i * 0.37);
  std::mt19937 random(18);
  std::shuffle(values.begin(), values.end(), random);
  SlidingWindow window(300s);
  for (size_t i = 0; i < values.size(); ++i) window.record(kStart + std::chrono::seconds(i), values[i]);
  const TimePoint now = kStart + 299s;
  REQUIRE(window.count(now) == 300);
  CHECK(window.quantile(now, 0.99) == 297 * 0.37);
  CHECK(window.quantile(now, 0.5) == 150 * 0.37);
  CHECK(window.quantile(now, 1.0) == 300 * 0.37);
  CHECK(window.quantile(now, 0.0) == 1 * 0.37);
  CHECK(window.quantile(now, 0.99) == nearest_rank(values, 0.99));
  // After 100 more seconds only the last 200 samples count.
  const std::vector<double> last(values.begin() + 100, values.end());
  CHECK(window.quantile(now + 100s, 0.99) == nearest_rank(last, 0.99));
  CHECK(window.quantile(now + 100s, 0.5) == nearest_rank(last, 0.5));
}

TEST_CASE("SlidingWindow: small sets are exact for every quantile") {
  // Up to kExactSamplesPerSlot samples in a second keep their values.
  std::mt19937 random(7);
  std::uniform_real_distribution<double> lag(0, 40);
  SlidingWindow window(60s);
  std::vector<double> values;
  for (int second = 0; second < 60; ++second) {
    for (size_t i = 0; i < SlidingWindow::kExactSamplesPerSlot; ++i) {
      values.push_back(lag(random));
      window.record(kStart + std::chrono::seconds(second) + std::chrono::milliseconds(i * 100),
                    values.back());
    }
  }
  const TimePoint now = kStart + 59s;
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    INFO(q);
    CHECK(window.quantile(now, q) == nearest_rank(values, q));
  }
  CHECK(window.max(now) == *std::max_element(values.begin(), values.end()));
}

TEST_CASE("SlidingWindow: bucket bounds tile the range") {
  CHECK(SlidingWindow::bucket_of(0) == 0);
  CHECK(SlidingWindow::bucket_of(0.0009) == 0);
  CHECK(SlidingWindow::bucket_of(std::ldexp(1.0, 30)) == SlidingWindow::kBuckets - 1);
  CHECK(SlidingWindow::bucket_of(INFINITY) == SlidingWindow::kBuckets - 1);
  for (size_t bucket = 0; bucket + 1 < SlidingWindow::kBuckets; ++bucket) {
    INFO(bucket);
    const double bound = SlidingWindow::bucket_upper_bound(bucket);
    // The bound is the next bucket's first value, and the value just below it is still in this bucket.
    CHECK(SlidingWindow::bucket_of(bound) == bucket + 1);
    CHECK(SlidingWindow::bucket_of(std::nextafter(bound, 0.0)) == bucket);
    if (bucket > 0) {
      const double lower = SlidingWindow::bucket_upper_bound(bucket - 1);
      CHECK((bound - lower) / lower <= 1.0 / 16 + 1e-12);
    }
  }
}

TEST_CASE("SlidingWindow: many samples a second give quantiles within 1/16 above the truth") {
  std::mt19937 random(20);
  std::lognormal_distribution<double> lag(0.5, 1.2);
  SlidingWindow window(300s);
  std::vector<double> values;
  for (int second = 0; second < 300; ++second) {
    for (int i = 0; i < 50; ++i) {
      values.push_back(lag(random));
      window.record(kSecond + std::chrono::seconds(second) + std::chrono::milliseconds(i * 20),
                    values.back());
    }
  }
  const TimePoint now = kSecond + 299s;
  REQUIRE(window.count(now) == values.size());
  double sum = 0;
  for (double v : values) sum += v;
  CHECK(window.average(now) == Approx(sum / static_cast<double>(values.size())));
  for (double q : {0.5, 0.9, 0.99, 1.0}) {
    INFO(q);
    const double truth = nearest_rank(values, q);
    const double estimate = window.quantile(now, q);
    CHECK(estimate >= truth);
    CHECK(estimate <= truth * (1 + 1.0 / 16));
    CHECK(estimate <= window.max(now));
  }
  CHECK(window.quantile(now, 1.0) == *std::max_element(values.begin(), values.end()));
}

TEST_CASE("SlidingWindow: memory stays bounded over a million records") {
  SlidingWindow window(300s);
  // A slot's fixed part is under 128 bytes; its histogram kBuckets 32-bit counters.
  const size_t bound = 300 * (128 + SlidingWindow::kBuckets * sizeof(uint32_t));
  // 1e6 samples over 1000 s (1000 a second): every slot grows its histogram once, then reuses it.
  size_t after_first_pass = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    window.record(kSecond + std::chrono::microseconds(int64_t{i} * 1000), static_cast<double>(i % 977) / 10);
    if (i == 400'000) after_first_pass = window.heap_bytes();
  }
  const TimePoint now = kSecond + 999s;
  CHECK(window.count(now) == 300'000);
  CHECK(window.heap_bytes() <= bound);
  CHECK(window.heap_bytes() == after_first_pass);
  CHECK(window.quantile(now, 1.0) == Approx(97.6));
  CHECK(window.quantile(now, 0.99) <= 97.6);
  CHECK(window.quantile(now, 0.99) >= 96.6);
}
