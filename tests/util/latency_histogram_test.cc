#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "mzl/util/latency_histogram.h"

using namespace mzl;
using std::chrono::microseconds;

TEST_CASE("LatencyHistogram: empty") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.quantile_seconds(0.5) == 0);
  CHECK(h.quantile_seconds(0.99) == 0);
  CHECK(h.max_seconds() == 0);
}

TEST_CASE("LatencyHistogram: buckets tile the range without gap or overlap") {
  // Every value from 0 up to the top maps to a bucket whose bound is at least the value, and the bucket
  // after a bound starts right after it.
  uint64_t previous_bound = 0;
  size_t previous_bucket = 0;
  for (uint64_t us = 1; us < (uint64_t{1} << 27); us += 1 + us / 64) {
    const size_t bucket = LatencyHistogram::bucket_of(us);
    const uint64_t bound = LatencyHistogram::upper_bound_us(bucket);
    INFO(us);
    REQUIRE(bucket < LatencyHistogram::kBuckets);
    CHECK(bound >= us);
    CHECK(bucket >= previous_bucket);
    if (bucket != previous_bucket) CHECK(us > previous_bound);
    // Relative width at most 1/16 above 16 µs, exact below.
    if (us < 16)
      CHECK(bound == us);
    else
      CHECK(static_cast<double>(bound - us) <= static_cast<double>(us) / 16.0);
    previous_bound = bound;
    previous_bucket = bucket;
  }
  CHECK(LatencyHistogram::bucket_of(0) == 0);
  CHECK(LatencyHistogram::bucket_of(uint64_t{1} << 40) == LatencyHistogram::kBuckets - 1);
  CHECK(LatencyHistogram::bucket_of((uint64_t{1} << 27) - 1) == LatencyHistogram::kBuckets - 1);
}

TEST_CASE("LatencyHistogram: quantiles of known values") {
  LatencyHistogram h;
  // 100 values: 1..100 ms.
  for (int ms = 1; ms <= 100; ++ms) h.record(std::chrono::milliseconds(ms));
  CHECK(h.count() == 100);
  CHECK(h.max_seconds() == Approx(0.100));
  // p50 is the 50th value (50 ms), p99 the 99th (99 ms), each reported at most 1/16 above.
  CHECK(h.quantile_seconds(0.5) >= 0.050);
  CHECK(h.quantile_seconds(0.5) <= 0.050 * (1 + 1.0 / 16));
  CHECK(h.quantile_seconds(0.99) >= 0.099);
  CHECK(h.quantile_seconds(0.99) <= 0.100);  // capped at the maximum
  CHECK(h.quantile_seconds(1.0) == Approx(0.100));
}

TEST_CASE("LatencyHistogram: quantiles against a sorted sample") {
  std::mt19937_64 random(16);
  std::lognormal_distribution<double> latency_us(6.0, 2.0);  // ~400 µs median, long tail
  LatencyHistogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 20000; ++i) {
    const auto us = static_cast<uint64_t>(latency_us(random));
    values.push_back(us);
    h.record(microseconds(us));
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    INFO(q);
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
    const double exact = static_cast<double>(values[rank - 1]) * 1e-6;
    CHECK(h.quantile_seconds(q) >= exact);
    CHECK(h.quantile_seconds(q) <= exact * (1 + 1.0 / 16) + 1e-6);
  }
  CHECK(h.max_seconds() == Approx(static_cast<double>(values.back()) * 1e-6));
}

TEST_CASE("LatencyHistogram: values past the top are kept in the last bucket, bounded by the maximum") {
  LatencyHistogram h;
  h.record(std::chrono::seconds(1000));
  h.record(microseconds(5));
  CHECK(h.quantile_seconds(0.5) == Approx(5e-6));
  CHECK(h.quantile_seconds(0.99) == Approx(1000.0));
  CHECK(h.max_seconds() == Approx(1000.0));
  h.record(std::chrono::nanoseconds(-3));  // a clock step backwards counts as 0
  CHECK(h.count() == 3);
}

TEST_CASE("LatencyHistogram: milliseconds and seconds print as the microseconds recorded") {
  LatencyHistogram h;
  h.record(microseconds(2773));
  CHECK(h.max_us() == 2773);
  CHECK(h.quantile_us(0.5) == 2773);  // capped at the maximum
  CHECK(fmt::format("{}", h.max_ms()) == "2.773");
  CHECK(fmt::format("{}", h.quantile_ms(0.99)) == "2.773");
  CHECK(fmt::format("{}", h.max_seconds()) == "0.002773");
  CHECK(fmt::format("{}", h.quantile_seconds(0.5)) == "0.002773");
}
