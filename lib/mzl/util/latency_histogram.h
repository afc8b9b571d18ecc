#pragma once
// A latency distribution in fixed log-linear buckets (the HdrHistogram idea with 16 sub-buckets per
// power of two): 1 µs resolution below 16 µs, then at most 1/16 (6.25 %) relative error up to ~134 s; longer
// values share the last bucket. record() is a few instructions and never allocates, so it can run on every
// fsync and every semi-sync ACK; quantiles walk the ~400 counters once.
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace mzl {

class LatencyHistogram {
 public:
  void record(std::chrono::nanoseconds latency) {
    const int64_t ns = latency.count();
    const uint64_t us = ns <= 0 ? 0 : static_cast<uint64_t>(ns) / 1000;
    ++counts_[bucket_of(us)];
    ++count_;
    if (us > max_us_) max_us_ = us;
  }

  uint64_t count() const { return count_; }
  // The largest value recorded, exactly (to the microsecond); 0 when empty.
  uint64_t max_us() const { return max_us_; }
  // The smallest bucket bound below which at least `q` (0..1) of the values lie, capped at the maximum:
  // at most one bucket width (6.25 %) above the true quantile. 0 when empty.
  uint64_t quantile_us(double q) const {
    if (count_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
    if (rank < 1) rank = 1;
    if (rank > count_) rank = count_;
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        // The last bucket also holds everything longer: the maximum bounds it.
        const uint64_t upper = i == kBuckets - 1 ? max_us_ : upper_bound_us(i);
        return upper < max_us_ ? upper : max_us_;
      }
    }
    return max_us_;
  }
  // The same in seconds and milliseconds (divided, so that 2773 µs prints as 0.002773 s and 2.773 ms).
  double max_seconds() const { return static_cast<double>(max_us()) / 1e6; }
  double quantile_seconds(double q) const { return static_cast<double>(quantile_us(q)) / 1e6; }
  double max_ms() const { return static_cast<double>(max_us()) / 1e3; }
  double quantile_ms(double q) const { return static_cast<double>(quantile_us(q)) / 1e3; }

  // Exposed for the tests: the bucket of a value in µs, and the largest value (µs) that bucket holds.
  static constexpr int kSubBits = 4;  // 16 sub-buckets per power of two
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static constexpr int kTopBit = 26;  // 2^27 µs ≈ 134 s: larger values go to the last bucket
  static constexpr size_t kBuckets = kSub + (kTopBit - kSubBits + 1) * kSub;

  static constexpr size_t bucket_of(uint64_t us) {
    if (us < kSub) return static_cast<size_t>(us);
    const int top = std::bit_width(us) - 1;  // >= kSubBits
    if (top > kTopBit) return kBuckets - 1;
    const uint64_t sub = (us >> (top - kSubBits)) & (kSub - 1);
    return static_cast<size_t>(kSub + static_cast<uint64_t>(top - kSubBits) * kSub + sub);
  }
  static constexpr uint64_t upper_bound_us(size_t bucket) {
    if (bucket < kSub) return bucket;
    const uint64_t octave = (bucket - kSub) / kSub;  // top bit = octave + kSubBits
    const uint64_t sub = (bucket - kSub) % kSub;
    const uint64_t width = uint64_t{1} << octave;
    return ((kSub + sub) << octave) + width - 1;
  }

 private:
  std::array<uint32_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_us_ = 0;
};

}  // namespace mzl
