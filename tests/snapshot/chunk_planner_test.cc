// integer_ranges(): the WHERE conditions of a split table cover every integer exactly once, checked by
// evaluating the conditions (parsed back by the test) on keys around every bound and at the extremes.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mzl/snapshot/chunk_planner.h"

namespace {

using mzl::snapshot::integer_ranges;

__int128 parse(const std::string& s) {
  bool negative = s[0] == '-';
  __int128 v = 0;
  for (size_t i = negative ? 1 : 0; i < s.size(); ++i) v = v * 10 + (s[i] - '0');
  return negative ? -v : v;
}

// Evaluates "`k` < A", "`k` >= A AND `k` < B" or "`k` >= A" (the only forms the planner writes) for key v.
bool holds(const std::string& where, __int128 v) {
  if (where.empty()) return true;
  const std::string ge = "`k` >= ", lt = "`k` < ", glue = " AND ";
  if (where.rfind(lt, 0) == 0) return v < parse(where.substr(lt.size()));
  REQUIRE(where.rfind(ge, 0) == 0);
  const size_t and_at = where.find(glue);
  if (and_at == std::string::npos) return v >= parse(where.substr(ge.size()));
  const __int128 low = parse(where.substr(ge.size(), and_at - ge.size()));
  REQUIRE(where.compare(and_at + glue.size(), lt.size(), lt) == 0);
  return v >= low && v < parse(where.substr(and_at + glue.size() + lt.size()));
}

void check_cover(__int128 min, __int128 max, uint64_t pieces, size_t expected_chunks) {
  const auto where = integer_ranges("`k`", min, max, pieces);
  REQUIRE(where.size() == expected_chunks);
  std::vector<__int128> probes = {min, max, min - 1, max + 1, (min + max) / 2};
  if (min > std::numeric_limits<int64_t>::min()) probes.push_back(std::numeric_limits<int64_t>::min());
  probes.push_back(static_cast<__int128>(std::numeric_limits<uint64_t>::max()));
  for (const auto& w : where) {  // both sides of every bound
    for (const std::string prefix : {"`k` < ", "`k` >= "}) {
      const size_t at = w.find(prefix);
      if (at == std::string::npos) continue;
      size_t end = w.find(' ', at + prefix.size());
      const __int128 bound =
          parse(w.substr(at + prefix.size(), end == std::string::npos ? end : end - at - prefix.size()));
      probes.push_back(bound - 1);
      probes.push_back(bound);
      probes.push_back(bound + 1);
    }
  }
  for (__int128 v : probes) {
    int count = 0;
    for (const auto& w : where) count += holds(w, v) ? 1 : 0;
    INFO("key " << static_cast<double>(v));
    CHECK(count == 1);
  }
  if (where.size() > 1) {
    CHECK(where.front().find(">=") == std::string::npos);  // open below
    CHECK(where.back().find("<") == std::string::npos);    // open above
  }
}

}  // namespace

TEST_CASE("chunk planner: integer ranges cover every key exactly once", "[snapshot]") {
  check_cover(1, 1000, 4, 4);
  check_cover(-500, 499, 10, 10);
  check_cover(7, 7, 5, 1);    // one key: one chunk
  check_cover(10, 12, 5, 3);  // fewer keys than pieces
  check_cover(0, static_cast<__int128>(std::numeric_limits<uint64_t>::max()), 8, 8);
  check_cover(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 3, 3);
  CHECK(integer_ranges("`k`", 1, 1'000'000'000, 1'000'000).size() == mzl::snapshot::kMaxChunksPerTable);
  CHECK(integer_ranges("`k`", 1, 100, 1) == std::vector<std::string>{""});
  CHECK(integer_ranges("`k`", 0, 99, 2) == std::vector<std::string>{"`k` < 50", "`k` >= 50"});
  CHECK(integer_ranges("`k`", 0, 99, 3) ==
        std::vector<std::string>{"`k` < 33", "`k` >= 33 AND `k` < 66", "`k` >= 66"});
}
