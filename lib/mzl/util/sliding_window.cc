#include "mzl/util/sliding_window.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mzl {

SlidingWindow::SlidingWindow(std::chrono::seconds span)
    : slots_(static_cast<size_t>(std::max<int64_t>(1, span.count()))) {}

int64_t SlidingWindow::second_of(Clock::time_point at) {
  return std::chrono::floor<std::chrono::seconds>(at.time_since_epoch()).count();
}

bool SlidingWindow::in_window(const Slot& slot, int64_t now_second) const {
  return slot.count != 0 && slot.second <= now_second &&
         slot.second > now_second - static_cast<int64_t>(slots_.size());
}

void SlidingWindow::record(Clock::time_point at, double value) {
  if (!(value >= 0)) value = 0;
  const int64_t second = second_of(at);
  const auto span = static_cast<int64_t>(slots_.size());
  Slot& slot = slots_[static_cast<size_t>((second % span + span) % span)];
  if (slot.count != 0 && slot.second > second) return;
  if (slot.count == 0 || slot.second < second) {
    slot.second = second;
    slot.count = 0;
    slot.sum = 0;
    slot.max = 0;
  }
  if (slot.count < kExactSamplesPerSlot) {
    slot.exact[slot.count] = value;
  } else {
    if (slot.count == kExactSamplesPerSlot) {
      slot.buckets.assign(kBuckets, 0);  // reuses the memory of an earlier second
      for (double exact : slot.exact) ++slot.buckets[bucket_of(exact)];
    }
    ++slot.buckets[bucket_of(value)];
  }
  ++slot.count;
  slot.sum += value;
  slot.max = std::max(slot.max, value);
}

uint64_t SlidingWindow::count(Clock::time_point now) const {
  const int64_t now_second = second_of(now);
  uint64_t total = 0;
  for (const Slot& slot : slots_) {
    if (in_window(slot, now_second)) total += slot.count;
  }
  return total;
}

double SlidingWindow::average(Clock::time_point now) const {
  const int64_t now_second = second_of(now);
  uint64_t total = 0;
  double sum = 0;
  for (const Slot& slot : slots_) {
    if (!in_window(slot, now_second)) continue;
    total += slot.count;
    sum += slot.sum;
  }
  return total == 0 ? 0 : sum / static_cast<double>(total);
}

double SlidingWindow::max(Clock::time_point now) const {
  const int64_t now_second = second_of(now);
  double largest = 0;
  for (const Slot& slot : slots_) {
    if (in_window(slot, now_second)) largest = std::max(largest, slot.max);
  }
  return largest;
}

double SlidingWindow::quantile(Clock::time_point now, double q) const {
  const int64_t now_second = second_of(now);
  uint64_t total = 0;
  bool bucketed = false;
  double largest = 0;
  for (const Slot& slot : slots_) {
    if (!in_window(slot, now_second)) continue;
    total += slot.count;
    bucketed = bucketed || slot.bucketed();
    largest = std::max(largest, slot.max);
  }
  if (total == 0) return 0;
  const double clamped = q > 0 ? std::min(q, 1.0) : 0.0;
  const auto rank =
      std::clamp<uint64_t>(static_cast<uint64_t>(std::ceil(clamped * static_cast<double>(total))), 1, total);
  if (!bucketed) {
    std::vector<double> values;
    values.reserve(total);
    for (const Slot& slot : slots_) {
      if (in_window(slot, now_second))
        values.insert(values.end(), slot.exact.begin(), slot.exact.begin() + slot.count);
    }
    const auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(values.begin(), nth, values.end());
    return *nth;
  }
  std::array<uint64_t, kBuckets> counts{};
  for (const Slot& slot : slots_) {
    if (!in_window(slot, now_second)) continue;
    if (slot.bucketed()) {
      for (size_t i = 0; i < kBuckets; ++i) counts[i] += slot.buckets[i];
    } else {
      for (size_t i = 0; i < slot.count; ++i) ++counts[bucket_of(slot.exact[i])];
    }
  }
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return std::min(bucket_upper_bound(i), largest);
  }
  return largest;
}

size_t SlidingWindow::heap_bytes() const {
  size_t bytes = slots_.capacity() * sizeof(Slot);
  for (const Slot& slot : slots_) bytes += slot.buckets.capacity() * sizeof(uint32_t);
  return bytes;
}

size_t SlidingWindow::bucket_of(double value) {
  if (!(value >= std::ldexp(1.0, kMinExponent))) return 0;
  if (value >= std::ldexp(1.0, kMaxExponent)) return kBuckets - 1;
  int exponent = 0;
  const double mantissa =
      std::frexp(value, &exponent);  // value = mantissa * 2^exponent, mantissa in [0.5, 1)
  const int top = exponent - 1;      // value in [2^top, 2^(top + 1))
  // Exact in binary floating point: mantissa * 2 - 1 is in [0, 1) and multiplying by 16 only shifts it.
  const auto sub = static_cast<int>((mantissa * 2 - 1) * kSubBuckets);
  return static_cast<size_t>(1 + (top - kMinExponent) * kSubBuckets + sub);
}

double SlidingWindow::bucket_upper_bound(size_t bucket) {
  if (bucket == 0) return std::ldexp(1.0, kMinExponent);
  if (bucket >= kBuckets - 1) return std::numeric_limits<double>::infinity();
  const auto index = static_cast<int>(bucket - 1);
  const int top = kMinExponent + index / kSubBuckets;
  const int sub = index % kSubBuckets;
  return std::ldexp(1.0 + (sub + 1.0) / kSubBuckets, top);
}

}  // namespace mzl
