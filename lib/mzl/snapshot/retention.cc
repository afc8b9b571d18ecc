#include "mzl/snapshot/retention.h"

#include <algorithm>
#include <functional>
#include <optional>

#include <fmt/format.h>

namespace mzl::snapshot {

namespace {

using std::chrono::sys_days;
using std::chrono::sys_seconds;

int64_t hour_bucket(sys_seconds t) {
  return std::chrono::floor<std::chrono::hours>(t).time_since_epoch().count();
}

int64_t day_bucket(sys_seconds t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

// ISO 8601: the week's Thursday decides its year; weeks are numbered from the one holding January 4th.
int64_t iso_week_bucket(sys_seconds t) {
  sys_days day = std::chrono::floor<std::chrono::days>(t);
  unsigned monday_based = std::chrono::weekday(day).iso_encoding() - 1;  // Monday 0 .. Sunday 6
  sys_days thursday = day - std::chrono::days(monday_based) + std::chrono::days(3);
  std::chrono::year iso_year = std::chrono::year_month_day(thursday).year();
  sys_days first_day = sys_days(iso_year / std::chrono::January / 1);
  int64_t week = (thursday - first_day).count() / 7 + 1;
  return static_cast<int64_t>(static_cast<int>(iso_year)) * 100 + week;
}

int64_t month_bucket(sys_seconds t) {
  std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(t));
  return static_cast<int64_t>(static_cast<int>(ymd.year())) * 12 + static_cast<unsigned>(ymd.month()) - 1;
}

struct Rule {
  const char* reason;
  unsigned count;
  std::function<int64_t(sys_seconds)> bucket;  // nullptr: every snapshot is its own bucket
};

std::optional<unsigned> digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  unsigned v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return v;
}

}  // namespace

bool RetentionPolicy::empty() const {
  return keep_last == 0 && keep_hourly == 0 && keep_daily == 0 && keep_weekly == 0 && keep_monthly == 0;
}

Status check_policy(const RetentionPolicy& policy) {
  if (policy.empty()) {
    return Error{
        ErrorCode::kInvalidArgument,
        "no retention rule given: prune needs at least one of --keep-last, --keep-hourly, --keep-daily, "
        "--keep-weekly, --keep-monthly above 0 (with none it would delete every snapshot)"};
  }
  return ok_status();
}

std::vector<RetentionDecision> decide_retention(std::vector<SnapshotTime> snapshots,
                                                const RetentionPolicy& policy) {
  std::sort(snapshots.begin(), snapshots.end(), [](const SnapshotTime& a, const SnapshotTime& b) {
    if (a.start != b.start) return a.start > b.start;
    if (a.id.size() != b.id.size()) return a.id.size() > b.id.size();  // "…Z-10" after "…Z-9"
    return a.id > b.id;
  });
  std::vector<RetentionDecision> decisions;
  decisions.reserve(snapshots.size());
  for (SnapshotTime& s : snapshots) {
    decisions.push_back(RetentionDecision{std::move(s.id), s.start, policy.empty(), {}});
  }
  const Rule rules[] = {
      {"last", policy.keep_last, nullptr},
      {"hourly", policy.keep_hourly, hour_bucket},
      {"daily", policy.keep_daily, day_bucket},
      {"weekly", policy.keep_weekly, iso_week_bucket},
      {"monthly", policy.keep_monthly, month_bucket},
  };
  for (const Rule& rule : rules) {
    unsigned kept = 0;
    std::optional<int64_t> last_bucket;
    for (RetentionDecision& d : decisions) {
      if (kept == rule.count) break;
      if (rule.bucket) {
        int64_t bucket = rule.bucket(d.start);
        if (last_bucket == bucket) continue;
        last_bucket = bucket;
      }
      d.keep = true;
      d.reasons.emplace_back(rule.reason);
      ++kept;
    }
  }
  return decisions;
}

Result<std::chrono::sys_seconds> parse_utc_time(std::string_view text) {
  auto bad = [&] {
    return Error{ErrorCode::kInvalidArgument,
                 "not a UTC time (2026-11-22T04:00:00Z) or snapshot id (20261122T040000Z)"}
        .at_r(std::string(text));
  };
  // Field offsets of the ISO 8601 form and of the id form.
  bool iso = text.size() >= 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' &&
             text[16] == ':';
  bool id = !iso && text.size() >= 16 && text[8] == 'T' && text[15] == 'Z';
  if (!iso && !id) return bad();
  const size_t pos[6] = {0, iso ? 5u : 4u, iso ? 8u : 6u, iso ? 11u : 9u, iso ? 14u : 11u, iso ? 17u : 13u};
  unsigned field[6];
  for (int i = 0; i < 6; ++i) {
    auto v = digits(text, pos[i], i == 0 ? 4 : 2);
    if (!v) return bad();
    field[i] = *v;
  }
  std::string_view rest = text.substr(iso ? 19 : 16);
  if (iso) {
    if (!rest.empty() && rest[0] == '.') {
      size_t n = 1;
      while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
      if (n == 1) return bad();
      rest.remove_prefix(n);
    }
    if (rest != "Z") return bad();
  } else if (!rest.empty()) {
    if (rest.size() < 2 || rest[0] != '-' || !digits(rest, 1, rest.size() - 1)) return bad();
  }
  std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(field[0])), std::chrono::month(field[1]),
                                  std::chrono::day(field[2])};
  if (!ymd.ok() || field[3] > 23 || field[4] > 59 || field[5] > 59) return bad();
  return sys_seconds(sys_days(ymd)) + std::chrono::hours(field[3]) + std::chrono::minutes(field[4]) +
         std::chrono::seconds(field[5]);
}

std::string format_utc_time(std::chrono::sys_seconds t) {
  sys_days day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(t - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

}  // namespace mzl::snapshot
