#pragma once
// Work done out of a total (bytes), counted by the threads doing it and read by whoever shows progress (a
// program's progress bar on a terminal), without a lock: a library call takes a pointer to one when its
// caller wants progress, and counts nothing otherwise.
#include <atomic>
#include <cstdint>

namespace mzl {

struct ProgressCounter {
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};  // 0 when unknown

  void add(uint64_t n) { done.fetch_add(n, std::memory_order_relaxed); }
};

}  // namespace mzl
