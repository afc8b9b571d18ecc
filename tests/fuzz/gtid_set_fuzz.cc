// Fuzzes the GTID text parsers (MySQL sets, single GTIDs, MariaDB positions) and checks, on whatever
// parses, that printing round-trips and that the set operations obey the laws of sets. An input holding a
// '|' is read as two MySQL sets "a|b" for the binary operations.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"

using namespace mzl::gtid;

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

void check_invariants(const MysqlGtidSet& s) {
  for (const auto& [tsid, ivs] : s.intervals()) {
    require(!ivs.empty(), "no empty TSID entries");
    require(tsid.tag.empty() || normalize_tag(tsid.tag) == tsid.tag, "tags are normalised");
    int64_t previous_end = 0;
    for (const auto& iv : ivs) {
      require(iv.start >= 1 && iv.start < iv.end && iv.end - 1 <= kMaxGno, "intervals are valid");
      require(iv.start > previous_end, "intervals are sorted, disjoint and not touching");
      previous_end = iv.end;
      require(s.contains(tsid, iv.start) && s.contains(tsid, iv.end - 1), "contains interval ends");
      require(!s.contains(tsid, iv.start - 1) && !s.contains(tsid, iv.end), "excludes neighbours");
    }
  }
}

void check_round_trip(const MysqlGtidSet& s) {
  check_invariants(s);
  for (std::string_view separator : {",\n", ","}) {
    const std::string printed = s.to_string(separator);
    auto again = MysqlGtidSet::parse(printed);
    require(again.ok(), "printed set parses");
    require(*again == s, "printed set parses to the same set");
    require(again->to_string(separator) == printed, "printing is stable");
  }
}

void check_laws(const MysqlGtidSet& a, const MysqlGtidSet& b) {
  const auto u = MysqlGtidSet::union_of(a, b);
  const auto i = MysqlGtidSet::intersection(a, b);
  const auto d = MysqlGtidSet::difference(a, b);
  check_invariants(u);
  check_invariants(i);
  check_invariants(d);
  require(u.contains(a) && u.contains(b), "a|b contains a and b");
  require(a.contains(i) && b.contains(i), "a and b contain a&b");
  require(MysqlGtidSet::intersection(d, b).empty(), "(a-b)&b is empty");
  require(MysqlGtidSet::union_of(d, i) == a, "(a-b)|(a&b) == a");
  require(MysqlGtidSet::union_of(b, a) == u, "union commutes");
  require(MysqlGtidSet::intersection(b, a) == i, "intersection commutes");
  require(a.contains(b) == MysqlGtidSet::difference(b, a).empty(), "subset iff b-a is empty");
  const uint64_t max = UINT64_MAX;
  if (a.count() < max / 4 && b.count() < max / 4) {
    require(u.count() == a.count() + b.count() - i.count(), "|a|b| == |a|+|b|-|a&b|");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto set = MysqlGtidSet::parse(text);
  if (set.ok()) {
    check_round_trip(*set);
    check_laws(*set, *set);
  } else {
    require(set.error().offset.has_value() && *set.error().offset <= size,
            "errors name a position in the text");
  }

  auto gtid = MysqlGtid::parse(text);
  if (gtid.ok()) {
    auto again = MysqlGtid::parse(gtid->to_string());
    require(again.ok() && *again == *gtid, "a single GTID round-trips");
    MysqlGtidSet one;
    require(one.add(*gtid).ok() && one.contains(*gtid) && one.count() == 1, "a GTID is a set of one");
  }

  const size_t bar = text.find('|');
  if (bar != std::string_view::npos) {
    auto a = MysqlGtidSet::parse(text.substr(0, bar));
    auto b = MysqlGtidSet::parse(text.substr(bar + 1));
    if (a.ok() && b.ok()) {
      check_laws(*a, *b);
      check_laws(*b, *a);
    }
  }

  auto position = MariaGtidPosition::parse(text);
  if (position.ok()) {
    auto again = MariaGtidPosition::parse(position->to_string());
    require(again.ok() && *again == *position, "a MariaDB position round-trips");
    require(position->compare(*position) == MariaGtidPosition::Order::kEqual, "a position equals itself");
    for (const auto& [domain, g] : position->gtids()) {
      require(position->contains(g) && !position->needs(g), "a position contains its own GTIDs");
    }
  }
  return 0;
}
