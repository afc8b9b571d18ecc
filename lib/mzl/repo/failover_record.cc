#include "mzl/repo/failover_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <span>

#include <fmt/format.h>

#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/json_reader.h"
#include "mzl/util/json_report.h"

namespace mzl::repo {

namespace {

constexpr std::string_view kWhat = "failover record";
constexpr std::string_view kSuffix = ".json";

struct KindName {
  RunKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {RunKind::kFailover, "failover"}, {RunKind::kSwitchover, "switchover"}, {RunKind::kRejoin, "rejoin"}};

struct OutcomeName {
  Outcome outcome;
  const char* name;
};
constexpr OutcomeName kOutcomeNames[] = {
    {Outcome::kPromoted, "promoted"},      {Outcome::kRejoined, "rejoined"}, {Outcome::kRefused, "refused"},
    {Outcome::kRolledBack, "rolled_back"}, {Outcome::kFailed, "failed"},     {Outcome::kDryRun, "dry_run"}};

}  // namespace

const char* json_name(RunKind kind) {
  for (const auto& k : kKindNames)
    if (k.kind == kind) return k.name;
  return "?";
}

const char* json_name(Outcome outcome) {
  for (const auto& o : kOutcomeNames)
    if (o.outcome == outcome) return o.name;
  return "?";
}

static void visit_fields(auto& io, const ServerRef& s) {
  io.field("address", s.address);
  io.field("server_id", uint64_t{s.server_id});
}

static void visit_fields(auto& io, const ServerSnapshot& s) {
  io.field("address", s.address);
  io.field("role", s.role);
  io.field("writable", s.writable);
  io.field("gtids", s.gtids);
  io.field("source", s.source);
}

static void visit_fields(auto& io, const ArchiveVerdict& v) {
  io.field("source", v.source);
  io.field("acknowledged", v.acknowledged);
  io.field("new_primary_holds", v.new_primary_holds);
}

static void visit_fields(auto& io, const FailoverStep& s) {
  io.field("what", s.what);
  io.field("server", s.server);
  io.field("at_ms", s.at_ms);
  io.field("ms", s.ms);
  io.field("ok", s.ok);
  io.field("error", s.error);
}

static void visit_fields(auto& io, const FailoverRecord& r) {
  io.field("format", int64_t{r.format});
  io.field("id", r.id);
  io.field("kind", r.kind);
  io.field("outcome", r.outcome);
  io.field("started", r.started);
  io.field("finished", r.finished);
  io.field("old_primary", r.old_primary);
  io.field("new_primary", r.new_primary);
  io.field("fork_position", r.fork_position);
  io.field("archive", r.archive);
  io.field("nothing_acknowledged_lost", r.nothing_acknowledged_lost);
  io.field("write_downtime_ms", r.write_downtime_ms);
  io.field("candidate", r.candidate);
  io.field("excluded", r.excluded);
  io.array("before", r.before, true);
  io.array("after", r.after, true);
  io.array("steps", r.steps, true);
  io.field("message", r.message);
  io.field("term", r.term);
}

std::string encode_failover_record(const FailoverRecord& record) {
  return json_line(record);
}

namespace {

Status read_server(const JsonFields& fields, std::string_view key, ServerRef& out) {
  MZL_TRY(const JsonObject* object, fields.object(key));
  if (!object) return ok_status();
  const JsonFields inner(*object, fields.where(), kWhat, std::string(key));
  MZL_CHECK(inner.get("address", out.address));
  return inner.get_int("server_id", out.server_id);
}

// An enum from its name in `names` (pairs of value and name).
template <class Enum, size_t N, class Names>
Status read_enum(const JsonFields& fields, std::string_view key, const Names (&names)[N], Enum& out) {
  std::string text;
  MZL_CHECK(fields.get(key, text, true));
  for (const auto& [value, name] : names) {
    if (text == name) {
      out = value;
      return ok_status();
    }
  }
  return fields.wrong(key, fmt::format("is not known: \"{}\"", text));
}

}  // namespace

Result<FailoverRecord> decode_failover_record(std::string_view json, const std::string& where) {
  MZL_TRY(JsonValue root, parse_json(json, where, kWhat));
  const JsonObject* object = root.as_object();
  if (!object) return Error(ErrorCode::kCorrupt, "bad failover record: not a JSON object").at_r(where);
  const JsonFields fields(*object, where, kWhat);
  FailoverRecord r;
  uint64_t format = 0;
  MZL_CHECK(fields.get("format", format, true));
  if (format == 0 || format > static_cast<uint64_t>(kFailoverRecordFormat)) {
    return Error(ErrorCode::kCorrupt,
                 fmt::format("failover record format {} is not supported (this mzl reads "
                             "format {})",
                             format, kFailoverRecordFormat))
        .at_r(where);
  }
  r.format = static_cast<int>(format);
  MZL_CHECK(fields.get("id", r.id, true));
  MZL_CHECK(read_enum(fields, "kind", kKindNames, r.kind));
  MZL_CHECK(read_enum(fields, "outcome", kOutcomeNames, r.outcome));
  MZL_CHECK(fields.get("started", r.started));
  MZL_CHECK(fields.get("finished", r.finished));
  MZL_CHECK(read_server(fields, "old_primary", r.old_primary));
  MZL_CHECK(read_server(fields, "new_primary", r.new_primary));
  MZL_CHECK(fields.get("fork_position", r.fork_position));
  // A run without --repo writes "archive":null.
  const JsonValue* archive_value = fields.find("archive");
  const JsonObject* archive = nullptr;
  if (archive_value && !archive_value->is_null()) {
    MZL_TRY(archive, fields.object("archive"));
  }
  if (archive) {
    const JsonFields inner(*archive, where, kWhat, "archive");
    ArchiveVerdict verdict;
    MZL_CHECK(inner.get("source", verdict.source));
    MZL_CHECK(inner.get("acknowledged", verdict.acknowledged));
    MZL_CHECK(inner.get("new_primary_holds", verdict.new_primary_holds));
    r.archive = std::move(verdict);
  }
  if (const JsonValue* v = fields.find("nothing_acknowledged_lost"); v && !v->is_null()) {
    bool lost_nothing = false;
    MZL_CHECK(fields.get("nothing_acknowledged_lost", lost_nothing));
    r.nothing_acknowledged_lost = lost_nothing;
  }
  if (const JsonValue* v = fields.find("write_downtime_ms"); v && !v->is_null()) {
    double downtime = 0;
    MZL_CHECK(fields.get("write_downtime_ms", downtime));
    r.write_downtime_ms = downtime;
  }
  MZL_CHECK(fields.get("candidate", r.candidate));
  MZL_CHECK(fields.get("excluded", r.excluded));
  MZL_CHECK(fields.get("message", r.message));
  if (const JsonValue* v = fields.find("term"); v && !v->is_null()) {
    uint64_t term = 0;
    MZL_CHECK(fields.get("term", term));
    r.term = term;
  }
  return r;
}

std::optional<std::chrono::system_clock::time_point> parse_utc_time_text(std::string_view text) {
  int year = 0;
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
  char z = 0;
  if (text.size() != 20 ||
      std::sscanf(std::string(text).c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%c", &year, &month, &day, &hour, &minute,
                  &second, &z) != 7 ||
      z != 'Z' || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                        std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

std::optional<std::chrono::system_clock::time_point> last_promotion_time(const std::string& repo) {
  auto records = read_failover_records(repo);
  if (!records.ok()) return std::nullopt;
  std::optional<std::chrono::system_clock::time_point> last;
  for (const FailoverRecord& r : *records) {
    if (r.outcome != Outcome::kPromoted) continue;
    if (auto at = parse_utc_time_text(r.finished); at && (!last || *at > *last)) last = at;
  }
  return last;
}

std::string utc_time_text(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(seconds - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

namespace {

// Makes `text` the new file `path`, failing with EEXIST (returned as false) when it exists: written to a
// temporary name (0600) and fsynced, then linked to `path` (link(2) never replaces a file, unlike rename(2),
// so two runs writing records at once cannot overwrite each other's), the temporary name removed and the
// directory fsynced.
Result<bool> create_new_file(const std::string& dir, const std::string& path, const std::string& text) {
  const std::string temporary = fmt::format("{}/.record-{}.tmp", dir, ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("open", temporary, errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      return io_error("write", temporary, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    return io_error("fsync", temporary, err);
  }
  ::close(fd);
  const int linked = ::link(temporary.c_str(), path.c_str());
  const int err = errno;
  ::unlink(temporary.c_str());
  if (linked != 0 && err == EEXIST) return false;
  if (linked != 0) return io_error("link", path, err);
  MZL_CHECK(fsync_directory(dir));
  return true;
}

}  // namespace

Result<std::string> write_failover_record(const std::string& repo, FailoverRecord& record) {
  const std::string dir = failovers_dir(repo);
  MZL_CHECK(create_private_directories(dir));
  // The id: the time as a snapshot id, with -2, -3, ... when taken.
  const std::string base = snapshot_id_for(std::chrono::system_clock::now());
  for (int n = 1;; ++n) {
    record.id = n == 1 ? base : fmt::format("{}-{}", base, n);
    const std::string path = fmt::format("{}/{}{}", dir, record.id, kSuffix);
    MZL_TRY(const bool created, create_new_file(dir, path, encode_failover_record(record)));
    if (created) return path;
  }
}

Result<std::vector<FailoverRecord>> read_failover_records(const std::string& repo) {
  const std::string dir = failovers_dir(repo);
  Storage& storage = local_storage();
  std::vector<FailoverRecord> records;
  MZL_TRY(const std::vector<StorageEntry> entries, storage.list(dir));
  std::vector<std::string> ids;
  for (const StorageEntry& entry : entries) {
    if (entry.is_directory || !entry.name.ends_with(kSuffix)) continue;
    const std::string id = entry.name.substr(0, entry.name.size() - kSuffix.size());
    if (is_snapshot_id(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return snapshot_id_before(a, b); });
  for (const std::string& id : ids) {
    const std::string path = fmt::format("{}/{}{}", dir, id, kSuffix);
    MZL_TRY(std::unique_ptr<InputStream> in, storage.open_read(path));
    MZL_TRY(const std::vector<uint8_t> bytes, read_all(*in));
    MZL_TRY(FailoverRecord record,
            decode_failover_record(
                std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), path));
    records.push_back(std::move(record));
  }
  return records;
}

Result<DirectoryLock> lock_failovers(const std::string& repo) {
  const std::string dir = failovers_dir(repo);
  MZL_CHECK(create_private_directories(dir));
  return lock_directory(dir, "another mzl-promote acting on this repository");
}

}  // namespace mzl::repo
