#include "mzl/snapshot/retention.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include <fmt/format.h>

namespace mzl::snapshot {
namespace {

using std::chrono::sys_seconds;

// 2026-01-01T00:00:00Z is 1767225600 (date -u -d 2026-01-01 +%s); the tests build their dates from it.
sys_seconds utc(int year, unsigned month, unsigned day, unsigned hour = 0, unsigned minute = 0) {
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  return sys_seconds(std::chrono::sys_days(ymd)) + std::chrono::hours(hour) + std::chrono::minutes(minute);
}

std::string id_of(sys_seconds t) {
  std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(t - day);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

// id -> reasons, for the kept snapshots only.
std::map<std::string, std::vector<std::string>> kept(const std::vector<RetentionDecision>& decisions) {
  std::map<std::string, std::vector<std::string>> out;
  for (const RetentionDecision& d : decisions) {
    if (d.keep) out[d.id] = d.reasons;
  }
  return out;
}

using Reasons = std::vector<std::string>;

TEST_CASE("the test's own date arithmetic") {
  CHECK(utc(2026, 1, 1).time_since_epoch().count() == 1767225600);
  CHECK(id_of(utc(2026, 11, 28, 23)) == "20261128T230000Z");
}

TEST_CASE("hourly snapshots over 40 days: keep-daily 7, keep-weekly 4, keep-monthly 2") {
  // 2026-10-20T00:00Z .. 2026-11-28T23:00Z, one snapshot every hour: 40 days, 960 snapshots.
  std::vector<SnapshotTime> snapshots;
  for (int h = 0; h < 40 * 24; ++h) {
    sys_seconds t = utc(2026, 10, 20) + std::chrono::hours(h);
    snapshots.push_back({id_of(t), t});
  }
  std::shuffle(snapshots.begin(), snapshots.end(), std::mt19937(7));
  auto decisions =
      decide_retention(snapshots, RetentionPolicy{.keep_daily = 7, .keep_weekly = 4, .keep_monthly = 2});
  REQUIRE(decisions.size() == 960);
  CHECK(decisions.front().id == "20261128T230000Z");  // newest first
  CHECK(decisions.back().id == "20261020T000000Z");
  // 2026-11-28 is a Saturday (date -u -d 2026-11-28 +%A); ISO weeks run Monday..Sunday, so the weeks are
  // Nov 23-29 (newest Nov 28), Nov 16-22, Nov 9-15, Nov 2-8. Each day's newest snapshot is its 23:00 one.
  std::map<std::string, Reasons> expected = {
      {"20261128T230000Z", {"daily", "weekly", "monthly"}},
      {"20261127T230000Z", {"daily"}},
      {"20261126T230000Z", {"daily"}},
      {"20261125T230000Z", {"daily"}},
      {"20261124T230000Z", {"daily"}},
      {"20261123T230000Z", {"daily"}},
      {"20261122T230000Z", {"daily", "weekly"}},
      {"20261115T230000Z", {"weekly"}},
      {"20261108T230000Z", {"weekly"}},
      {"20261031T230000Z", {"monthly"}},
  };
  CHECK(kept(decisions) == expected);
}

TEST_CASE("two snapshots in one hour: only the newer one is that hour's") {
  std::vector<SnapshotTime> snapshots = {
      {"20261122T040000Z", utc(2026, 11, 22, 4, 0)},
      {"20261122T043000Z", utc(2026, 11, 22, 4, 30)},
      {"20261122T051000Z", utc(2026, 11, 22, 5, 10)},
      {"20261122T030000Z", utc(2026, 11, 22, 3, 0)},
  };
  CHECK(kept(decide_retention(snapshots, {.keep_hourly = 2})) ==
        std::map<std::string, Reasons>{{"20261122T051000Z", {"hourly"}}, {"20261122T043000Z", {"hourly"}}});
  CHECK(kept(decide_retention(snapshots, {.keep_last = 2})) ==
        std::map<std::string, Reasons>{{"20261122T051000Z", {"last"}}, {"20261122T043000Z", {"last"}}});
  CHECK(kept(decide_retention(snapshots, {.keep_last = 1, .keep_hourly = 3})) ==
        std::map<std::string, Reasons>{{"20261122T051000Z", {"last", "hourly"}},
                                       {"20261122T043000Z", {"hourly"}},
                                       {"20261122T030000Z", {"hourly"}}});
  // More rules than snapshots: everything is kept.
  CHECK(kept(decide_retention(snapshots, {.keep_last = 10})).size() == 4);
}

TEST_CASE("two snapshots in one second: the -2 suffix is the newer") {
  std::vector<SnapshotTime> snapshots = {
      {"20261122T040000Z-2", utc(2026, 11, 22, 4)},
      {"20261122T040000Z", utc(2026, 11, 22, 4)},
      {"20261122T040000Z-10", utc(2026, 11, 22, 4)},
      {"20261122T040000Z-9", utc(2026, 11, 22, 4)},
  };
  auto decisions = decide_retention(snapshots, {.keep_last = 1});
  REQUIRE(decisions.size() == 4);
  CHECK(decisions[0].id == "20261122T040000Z-10");
  CHECK(decisions[0].keep);
  CHECK(decisions[1].id == "20261122T040000Z-9");
  CHECK(decisions[2].id == "20261122T040000Z-2");
  CHECK(decisions[3].id == "20261122T040000Z");
  CHECK_FALSE(decisions[3].keep);
}

TEST_CASE("ISO week 53 spans the new year, months and days do not") {
  // 2026 starts on a Thursday, so it has 53 ISO weeks: 2026-W53 is Mon 2026-12-28 .. Sun 2027-01-03
  // (date -u -d 2027-01-03 +%G-W%V gives 2026-W53), and 2027-W01 starts on Mon 2027-01-04.
  std::vector<SnapshotTime> snapshots;
  for (sys_seconds t = utc(2026, 12, 20, 12); t <= utc(2027, 1, 6, 12); t += std::chrono::days(1)) {
    snapshots.push_back({id_of(t), t});
  }
  REQUIRE(snapshots.size() == 18);
  CHECK(kept(decide_retention(snapshots, {.keep_weekly = 3})) ==
        std::map<std::string, Reasons>{{"20270106T120000Z", {"weekly"}},
                                       {"20270103T120000Z", {"weekly"}},
                                       {"20261227T120000Z", {"weekly"}}});
  CHECK(kept(decide_retention(snapshots, {.keep_monthly = 3})) ==
        std::map<std::string, Reasons>{{"20270106T120000Z", {"monthly"}}, {"20261231T120000Z", {"monthly"}}});
  CHECK(kept(decide_retention(snapshots, {.keep_daily = 2, .keep_weekly = 2})) ==
        std::map<std::string, Reasons>{{"20270106T120000Z", {"daily", "weekly"}},
                                       {"20270105T120000Z", {"daily"}},
                                       {"20270103T120000Z", {"weekly"}}});
}

TEST_CASE("ISO week 53 of 2020 holds 2020-12-31 and 2021-01-03") {
  // date -u -d 2020-12-31 +%G-W%V and date -u -d 2021-01-03 +%G-W%V both give 2020-W53.
  std::vector<SnapshotTime> snapshots = {
      {"20201227T000000Z", utc(2020, 12, 27)},  // Sunday of 2020-W52
      {"20201231T000000Z", utc(2020, 12, 31)},
      {"20210103T000000Z", utc(2021, 1, 3)},
  };
  CHECK(kept(decide_retention(snapshots, {.keep_weekly = 2})) ==
        std::map<std::string, Reasons>{{"20210103T000000Z", {"weekly"}}, {"20201227T000000Z", {"weekly"}}});
}

TEST_CASE("the same month of two years is two months, empty periods are skipped") {
  std::vector<SnapshotTime> snapshots = {
      {"20260115T000000Z", utc(2026, 1, 15)},
      {"20270115T000000Z", utc(2027, 1, 15)},
      {"20270120T000000Z", utc(2027, 1, 20)},
  };
  CHECK(kept(decide_retention(snapshots, {.keep_monthly = 5})) ==
        std::map<std::string, Reasons>{{"20270120T000000Z", {"monthly"}}, {"20260115T000000Z", {"monthly"}}});
  // Weeks with no snapshot do not use up the count: three snapshots four weeks apart, keep-weekly 3 keeps
  // all.
  std::vector<SnapshotTime> sparse = {
      {"20261102T000000Z", utc(2026, 11, 2)},
      {"20261005T000000Z", utc(2026, 10, 5)},
      {"20260907T000000Z", utc(2026, 9, 7)},
      {"20260810T000000Z", utc(2026, 8, 10)},
  };
  CHECK(kept(decide_retention(sparse, {.keep_weekly = 3})) ==
        std::map<std::string, Reasons>{{"20261102T000000Z", {"weekly"}},
                                       {"20261005T000000Z", {"weekly"}},
                                       {"20260907T000000Z", {"weekly"}}});
  // The day boundary is midnight UTC: 23:59 and 00:00 are two days.
  std::vector<SnapshotTime> midnight = {
      {"20261121T235900Z", utc(2026, 11, 21, 23, 59)},
      {"20261122T000000Z", utc(2026, 11, 22, 0, 0)},
  };
  CHECK(kept(decide_retention(midnight, {.keep_daily = 2})).size() == 2);
  CHECK(kept(decide_retention(midnight, {.keep_weekly = 2})).size() == 1);  // both in 2026-W47
}

TEST_CASE("a policy with every rule off is refused and removes nothing") {
  RetentionPolicy none;
  CHECK(none.empty());
  Status status = check_policy(none);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == ErrorCode::kInvalidArgument);
  CHECK(exit_code_for(status.error()) == kExitUsage);
  CHECK(check_policy({.keep_monthly = 1}).ok());
  auto decisions = decide_retention({{"20261122T040000Z", utc(2026, 11, 22, 4)}}, none);
  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0].keep);
  CHECK(decide_retention({}, {.keep_last = 3}).empty());
}

TEST_CASE("parse_utc_time reads manifest times and snapshot ids") {
  // date -u -d 2026-11-22T04:00:00Z +%s
  const int64_t expected = 1795320000;
  for (const char* text : {"2026-11-22T04:00:00Z", "2026-11-22T04:00:00.123Z", "20261122T040000Z",
                           "20261122T040000Z-2", "20261122T040000Z-17"}) {
    INFO(text);
    auto t = parse_utc_time(text);
    REQUIRE(t.ok());
    CHECK(t->time_since_epoch().count() == expected);
  }
  for (const char* text :
       {"", "2026-11-22T04:00:00", "2026-11-22 04:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T04:00:00.Z", "20261122T040000", "20261122T046000Z", "20261122T040000Z-",
        "20261122T040000Zx", "2026112XT040000Z"}) {
    INFO(text);
    auto t = parse_utc_time(text);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(format_utc_time(sys_seconds(std::chrono::seconds(expected))) == "2026-11-22T04:00:00Z");
}

}  // namespace
}  // namespace mzl::snapshot
