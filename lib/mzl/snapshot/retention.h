#pragma once
// Which snapshots a retention policy keeps (`mzl-snapshot prune --keep-last/hourly/daily/weekly/monthly`),
// the way restic's `forget --keep-*` defines it. Every rule is applied on its own to the snapshots sorted
// newest first: keep-last N keeps the N newest snapshots; keep-hourly N walks them and keeps the newest
// snapshot of each hour that has one, until N hours have one kept (days, ISO 8601 weeks and months likewise).
// A snapshot kept by several rules carries every reason. Rules are independent: a snapshot kept by one rule
// still counts for the others (unlike borg, where an earlier rule's snapshot does not count towards a later
// one).
//
// All periods are calendar periods in UTC, whatever the machine's time zone: a day is 00:00:00Z..23:59:59Z, a
// week is an ISO 8601 week (Monday to Sunday, week 1 holds the year's first Thursday, so 2026-12-31 is in
// week 2026-W53 and 2027-01-01 too), a month a calendar month.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/util/result.h"

namespace mzl::snapshot {

// How many of each to keep; 0 turns a rule off.
struct RetentionPolicy {
  unsigned keep_last = 0;
  unsigned keep_hourly = 0;
  unsigned keep_daily = 0;
  unsigned keep_weekly = 0;
  unsigned keep_monthly = 0;

  // Every rule off. Such a policy would keep nothing; check_policy() refuses it.
  bool empty() const;
  bool operator==(const RetentionPolicy&) const = default;
};

// kInvalidArgument (exit 2) when every rule is 0: pruning with no rule would delete every snapshot.
Status check_policy(const RetentionPolicy& policy);

struct SnapshotTime {
  std::string id;
  std::chrono::sys_seconds start;  // UTC
};

struct RetentionDecision {
  std::string id;
  std::chrono::sys_seconds start;
  bool keep = false;
  // Why it is kept, in rule order: "last", "hourly", "daily", "weekly", "monthly". Empty when removed.
  std::vector<std::string> reasons;
};

// One decision per snapshot, newest first (by start time, then by id: "…Z-2" was taken after "…Z").
// With an empty policy every snapshot is kept (never a reason to delete); callers refuse it with
// check_policy().
std::vector<RetentionDecision> decide_retention(std::vector<SnapshotTime> snapshots,
                                                const RetentionPolicy& policy);

// The UTC time of "2026-11-22T04:00:00Z" or "2026-11-22T04:00:00.123Z" (fraction dropped), or of a snapshot
// id "20261122T040000Z" (optionally followed by "-<n>"). kInvalidArgument for anything else, at `text`.
Result<std::chrono::sys_seconds> parse_utc_time(std::string_view text);

// "2026-11-22T04:00:00Z".
std::string format_utc_time(std::chrono::sys_seconds t);

}  // namespace mzl::snapshot
