#pragma once
// A series of samples over the last `span` seconds: its count, average, maximum and quantiles, the figures of
// the lag alert rules (a 1-minute average, a 5-minute p99: mzl-binlog-tail's metrics, mzl-promote --watch).
//
// A ring of one-second slots. A sample recorded at time t counts while `now` is less than `span` whole
// seconds after t's second: the window at `now` is the current second and the span - 1 before it, so a sample
// is in it for between span - 1 and span seconds. Times are what the caller passes (a steady clock), so the
// window can be tested without waiting.
//
// Memory is bounded whatever the rate of record(): each slot keeps its count, sum and maximum, its samples as
// they are while it has at most kExactSamplesPerSlot, and beyond that a histogram of log-linear buckets
// (16 per power of two between 2^-10 and 2^22) instead. Quantiles are exact while every slot of the window
// holds at most kExactSamplesPerSlot samples (one sample a second, as the callers record); otherwise at most
// 1/16 (6.25 %) above the true value (at most 2^-10 ≈ 0.001 when it is smaller than that), and never above
// the window's maximum (the bound for values beyond 2^22, which share the last bucket).
// Once each slot has grown its histogram (after `span` seconds of a high rate), record() never allocates.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mzl {

class SlidingWindow {
 public:
  using Clock = std::chrono::steady_clock;

  // `span` of at least one second (a shorter one is taken as one second).
  explicit SlidingWindow(std::chrono::seconds span);

  // Adds a sample taken at `at`. Values are non-negative (a negative or NaN value is recorded as 0). A sample
  // older than the window of a later sample already recorded in its slot is dropped (it would be expired).
  void record(Clock::time_point at, double value);

  // The figures over the samples in the window at `now` (samples recorded after `now` are not counted); each
  // 0 when the window holds no sample.
  uint64_t count(Clock::time_point now) const;
  double average(Clock::time_point now) const;
  double max(Clock::time_point now) const;
  // The nearest-rank quantile, q in 0..1: the smallest recorded value v with at least ceil(q * count) samples
  // at or below v (q = 0.99: the p99); from the buckets, within the bounds above, when a slot holds more
  // than kExactSamplesPerSlot samples.
  double quantile(Clock::time_point now, double q) const;

  std::chrono::seconds span() const { return std::chrono::seconds(static_cast<int64_t>(slots_.size())); }
  // Bytes the window holds on the heap: at most span() * (sizeof(Slot) + kBuckets * 4).
  size_t heap_bytes() const;

  static constexpr size_t kExactSamplesPerSlot = 4;
  // The histogram's buckets: [0, 2^-10) first, then 16 per power of two up to 2^22, then all larger values.
  static constexpr int kMinExponent = -10;
  static constexpr int kMaxExponent = 22;
  static constexpr int kSubBuckets = 16;
  static constexpr size_t kBuckets = 1 + (kMaxExponent - kMinExponent) * kSubBuckets + 1;
  // Exposed for the tests: the bucket of a value, and the bound its values lie below (the next bucket's
  // first value; +inf for the last).
  static size_t bucket_of(double value);
  static double bucket_upper_bound(size_t bucket);

 private:
  struct Slot {
    int64_t second = 0;  // the whole second the slot holds (since the clock's epoch); empty when count == 0
    uint64_t count = 0;
    double sum = 0;
    double max = 0;
    std::array<double, kExactSamplesPerSlot> exact{};  // the samples while count <= kExactSamplesPerSlot
    std::vector<uint32_t> buckets;  // beyond: counts per bucket (kept allocated when the slot is reused)
    bool bucketed() const { return count > kExactSamplesPerSlot; }
  };

  static int64_t second_of(Clock::time_point at);
  bool in_window(const Slot& slot, int64_t now_second) const;

  std::vector<Slot> slots_;  // slot of second s: slots_[s mod span]
};

}  // namespace mzl
