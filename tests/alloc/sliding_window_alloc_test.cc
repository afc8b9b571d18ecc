// The lag windows (util/sliding_window.h) are fed from mzl-binlog-tail's loop for as long as it runs: once
// every slot has grown its histogram, record() allocates nothing however many samples come.
#include <catch2/catch.hpp>

#include <chrono>

#include "alloc/allocation_counter.h"
#include "mzl/util/sliding_window.h"

namespace mzl::test {
namespace {

using namespace std::chrono_literals;

TEST_CASE("SlidingWindow: record() allocates nothing once the slots have their histograms", "[alloc]") {
  SlidingWindow window(60s);
  const auto start = SlidingWindow::Clock::time_point{} + 1'000'000s;
  // 1000 samples a second: the first 60 seconds grow each slot's histogram.
  for (int i = 0; i < 60'000; ++i) window.record(start + std::chrono::milliseconds(i), i % 100);
  const uint64_t before = allocations();
  for (int i = 60'000; i < 1'000'000; ++i) window.record(start + std::chrono::milliseconds(i), i % 100);
  CHECK(allocations() - before == 0);
  CHECK(window.count(start + 999s) == 60'000);
}

}  // namespace
}  // namespace mzl::test
