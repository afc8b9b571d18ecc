#pragma once
// The allocation tests' counter: tests/alloc/allocation_counter.cc replaces the global operator new of the
// test_alloc program (so that program holds only allocation tests; the counter sees every allocation).
#include <cstdint>

namespace mzl::test {

// Heap allocations made through operator new / new[] since the program started.
uint64_t allocations();

}  // namespace mzl::test
