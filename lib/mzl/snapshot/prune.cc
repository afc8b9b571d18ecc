#include "mzl/snapshot/prune.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "mzl/archive/archive_state.h"
#include "mzl/archive/binlog_file_list.h"
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/json_report.h"

namespace mzl::snapshot {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLz4Suffix = ".lz4";

// Bytes of every regular file under `path` (or of `path` itself). Unreadable entries count 0.
uint64_t bytes_on_disk(const fs::path& path) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(path, ec);
  if (ec) return 0;
  if (fs::is_regular_file(status)) {
    uint64_t size = fs::file_size(path, ec);
    return ec ? 0 : size;
  }
  if (!fs::is_directory(status)) return 0;
  uint64_t total = 0;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      uint64_t size = it->file_size(ec);
      if (!ec) total += size;
    }
    ec.clear();
  }
  return total;
}

// "mariadb-bin.000042" (or with ".lz4"): base "mariadb-bin" and number 42.
struct BinlogName {
  std::string plain;  // without ".lz4"
  std::string base;
  uint64_t number = 0;
};

std::optional<BinlogName> parse_binlog_name(std::string_view name) {
  std::string plain(name);
  if (plain.ends_with(kLz4Suffix)) plain.resize(plain.size() - kLz4Suffix.size());
  std::optional<uint64_t> number = archive::binlog_sequence_number(plain);
  size_t dot = plain.rfind('.');
  if (!number || dot == std::string::npos || dot == 0) return std::nullopt;
  return BinlogName{plain, plain.substr(0, dot), *number};
}

// The manifest was taken from the server this source archives (see prune.h).
bool same_server(const SnapshotServer& snapshot, const std::string& source,
                 const archive::ArchiveState* state) {
  if (!snapshot.source.empty() && snapshot.source == source) return true;
  if (state == nullptr) return false;
  const archive::ServerIdentity& archived = state->server;
  if (snapshot.server_id == 0 || snapshot.server_id != archived.server_id) return false;
  if (snapshot.flavour.empty() || snapshot.flavour != archived.flavour) return false;
  if (!snapshot.server_uuid.empty() && !archived.server_uuid.empty() &&
      snapshot.server_uuid != archived.server_uuid) {
    return false;
  }
  return true;
}

struct RemainingSnapshot {
  std::string id;
  SnapshotServer server;
  std::string binlog_file;
};

BinlogSourcePlan plan_source(const fs::path& dir, const std::vector<RemainingSnapshot>& remaining) {
  BinlogSourcePlan plan;
  plan.source = dir.filename().string();
  std::string state_path = (dir / repo::kStateFileName).string();
  std::optional<archive::ArchiveState> state;
  std::error_code ec;
  if (!fs::exists(state_path, ec)) {
    plan.note = "no state.json (the current file is unknown): nothing removed";
  } else if (auto decoded = archive::read_archive_state(state_path); !decoded.ok()) {
    plan.note = fmt::format("state.json cannot be read ({}): nothing removed", decoded.error().to_string());
  } else {
    state = std::move(*decoded);
    plan.current_file = state->current_file;
  }

  std::optional<BinlogName> first_needed;
  for (const RemainingSnapshot& s : remaining) {
    if (!same_server(s.server, plan.source, state ? &*state : nullptr) || s.binlog_file.empty()) continue;
    std::optional<BinlogName> name = parse_binlog_name(s.binlog_file);
    if (!name) {
      if (plan.note.empty()) {
        plan.note = fmt::format("snapshot {} names binlog file '{}', which has no number: nothing removed",
                                s.id, s.binlog_file);
      }
      continue;
    }
    if (!first_needed || name->number < first_needed->number) {
      first_needed = name;
      plan.needed_by = s.id;
    }
  }
  if (first_needed) plan.first_needed = first_needed->plain;
  if (!first_needed && plan.note.empty())
    plan.note = "no remaining snapshot was taken from this server: nothing removed";

  struct OnDisk {
    BinlogName name;
    std::string file;
    uint64_t bytes;
  };
  std::vector<OnDisk> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    std::string file = entry.path().filename().string();
    std::optional<BinlogName> name = parse_binlog_name(file);
    std::error_code entry_ec;
    if (!name || !entry.is_regular_file(entry_ec)) continue;
    files.push_back({*name, file, bytes_on_disk(entry.path())});
  }
  if (ec && plan.note.empty())
    plan.note = fmt::format("cannot list the directory ({}): nothing removed", ec.message());
  std::sort(files.begin(), files.end(), [](const OnDisk& a, const OnDisk& b) {
    return std::tie(a.name.number, a.file) < std::tie(b.name.number, b.file);
  });

  bool removable = plan.note.empty() && first_needed && state;
  bool other_base = false;
  for (const OnDisk& f : files) {
    bool remove = removable && f.name.number < first_needed->number && f.name.plain != plan.current_file;
    if (remove && f.name.base != first_needed->base) {
      other_base = true;
      remove = false;
    }
    if (remove) {
      plan.removed.push_back({f.file, f.bytes});
    } else {
      ++plan.kept_files;
      plan.kept_bytes += f.bytes;
    }
  }
  if (other_base) {
    plan.note = fmt::format("files not named {}.* are kept: their order relative to {} is unknown",
                            first_needed->base, first_needed->plain);
  }
  return plan;
}

}  // namespace

uint64_t PrunePlan::kept_snapshots() const {
  return static_cast<uint64_t>(
      std::count_if(snapshots.begin(), snapshots.end(), [](auto& s) { return s.keep; }));
}

uint64_t PrunePlan::removed_snapshots() const {
  return snapshots.size() - kept_snapshots();
}

uint64_t PrunePlan::removed_binlogs() const {
  uint64_t n = 0;
  for (const BinlogSourcePlan& s : sources) n += s.removed.size();
  return n;
}

Result<PrunePlan> plan_prune(const std::string& repo, const RetentionPolicy& policy) {
  if (Status status = check_policy(policy); !status.ok()) return std::move(status).error().at_r(repo);
  PrunePlan plan;
  plan.repo = repo;
  plan.policy = policy;

  MZL_TRY(std::vector<std::string> ids, list_snapshot_ids(repo));
  std::map<std::string, Manifest> manifests;
  std::vector<SnapshotTime> times;
  for (const std::string& id : ids) {
    std::string dir = repo::snapshot_dir(repo, id);
    MZL_TRY(Manifest manifest, read_manifest(dir));
    auto start = parse_utc_time(manifest.started_at);
    if (!start.ok()) start = parse_utc_time(id);
    if (!start.ok()) {
      return Error{ErrorCode::kCorrupt,
                   fmt::format("snapshot {} has no readable start time (started_at '{}'); move it out of the "
                               "repository to prune the others",
                               id, manifest.started_at)}
          .at_r(dir);
    }
    times.push_back({id, *start});
    manifests.emplace(id, std::move(manifest));
  }

  std::vector<RemainingSnapshot> remaining;
  for (RetentionDecision& d : decide_retention(std::move(times), policy)) {
    const Manifest& manifest = manifests.find(d.id)->second;  // decide_retention keeps the ids it is given
    SnapshotVerdict verdict{d.id, manifest.started_at, d.keep, std::move(d.reasons), 0};
    verdict.bytes = bytes_on_disk(repo::snapshot_dir(repo, d.id));
    if (verdict.keep) {
      remaining.push_back({d.id, manifest.server, fs::path(manifest.binlog.file).filename().string()});
    } else {
      plan.freed_bytes += verdict.bytes;
    }
    plan.snapshots.push_back(std::move(verdict));
  }

  std::error_code ec;
  std::string snapshots = repo::snapshots_dir(repo);
  if (fs::is_directory(snapshots, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(snapshots, ec)) {
      std::string name = entry.path().filename().string();
      // A partial snapshot whose writer still runs is not a leftover.
      if (!name.starts_with(repo::kPartialPrefix) || partial_snapshot_in_use(entry.path().string())) continue;
      plan.leftovers.push_back({name, bytes_on_disk(entry.path())});
      plan.freed_bytes += plan.leftovers.back().bytes;
    }
    if (ec) return io_error("list directory", snapshots, ec.value());
    std::sort(plan.leftovers.begin(), plan.leftovers.end(),
              [](const PrunedEntry& a, const PrunedEntry& b) { return a.name < b.name; });
  }

  MZL_TRY(std::vector<std::string> sources, repo::list_sources(repo::local_storage(), repo));
  for (const std::string& source : sources) {
    plan.sources.push_back(plan_source(repo::source_dir(repo, source), remaining));
    for (const PrunedEntry& f : plan.sources.back().removed) plan.freed_bytes += f.bytes;
  }
  return plan;
}

Status apply_prune(const std::string& repo, const PrunePlan& plan) {
  FileSystem& files = real_file_system();
  std::error_code ec;
  for (const SnapshotVerdict& s : plan.snapshots) {
    if (s.keep || !fs::exists(repo::snapshot_dir(repo, s.id), ec)) continue;
    MZL_CHECK(remove_snapshot(repo, s.id));
  }

  std::string snapshots = repo::snapshots_dir(repo);
  for (const PrunedEntry& leftover : plan.leftovers) {
    std::string path = snapshots + "/" + leftover.name;
    if (partial_snapshot_in_use(path)) continue;  // a snapshot started after the plan was made
    fs::remove_all(path, ec);
    if (ec) return io_error("remove", path, ec.value());
  }
  if (!plan.leftovers.empty()) MZL_CHECK(files.fsync_directory(snapshots));

  for (const BinlogSourcePlan& source : plan.sources) {
    if (source.removed.empty()) continue;
    std::string dir = repo::source_dir(repo, source.source);
    // Recorded before anything is removed, so that after a crash at any point mzl-verify still knows that the
    // files up to here went on purpose (state.json keeps listing closed files; the archiver owns it).
    std::string newest;
    std::optional<uint64_t> newest_number;
    for (const PrunedEntry& f : source.removed) {
      std::string plain =
          f.name.ends_with(kLz4Suffix) ? f.name.substr(0, f.name.size() - kLz4Suffix.size()) : f.name;
      auto number = archive::binlog_sequence_number(plain);
      if (number && (!newest_number || *number > *newest_number)) {
        newest_number = number;
        newest = plain;
      }
    }
    if (!newest.empty()) {
      const std::string line = newest + "\n";
      MZL_CHECK(
          files.atomic_write_file(repo::pruned_through_path(repo, source.source),
                                  std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size())));
    }
    for (const PrunedEntry& f : source.removed) {
      MZL_CHECK(files.remove(dir + "/" + f.name));
      // A plain file being compressed meanwhile may have become <name>.lz4.
      if (!f.name.ends_with(kLz4Suffix))
        MZL_CHECK(files.remove(dir + "/" + f.name + std::string(kLz4Suffix)));
    }
    MZL_CHECK(files.fsync_directory(dir));
  }
  return ok_status();
}

std::string human_bytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  int precision = value < 10 ? 2 : value < 100 ? 1 : 0;
  return fmt::format("{:.{}f} {}", value, precision, kUnits[unit]);
}

namespace {

std::string policy_text(const RetentionPolicy& p) {
  std::vector<std::string> rules;
  if (p.keep_last) rules.push_back(fmt::format("keep-last {}", p.keep_last));
  if (p.keep_hourly) rules.push_back(fmt::format("keep-hourly {}", p.keep_hourly));
  if (p.keep_daily) rules.push_back(fmt::format("keep-daily {}", p.keep_daily));
  if (p.keep_weekly) rules.push_back(fmt::format("keep-weekly {}", p.keep_weekly));
  if (p.keep_monthly) rules.push_back(fmt::format("keep-monthly {}", p.keep_monthly));
  return fmt::format("{}", fmt::join(rules, ", "));
}

}  // namespace

// The JSON of `prune --json` (man/mzl-snapshot.1, PRUNE), for util/json_report.h. Static members of this
// namespace, not of an unnamed one, for argument-dependent lookup.
static void visit_fields(auto& io, const RetentionPolicy& p) {
  io.field("keep_last", p.keep_last);
  io.field("keep_hourly", p.keep_hourly);
  io.field("keep_daily", p.keep_daily);
  io.field("keep_weekly", p.keep_weekly);
  io.field("keep_monthly", p.keep_monthly);
}

static void visit_fields(auto& io, const SnapshotVerdict& s) {
  io.field("id", s.id);
  io.field("started_at", s.started_at);
  io.field("keep", s.keep);
  io.field("reasons", s.reasons);
  io.field("bytes", s.bytes);
}

static void visit_fields(auto& io, const PrunedEntry& e) {
  io.field("name", e.name);
  io.field("bytes", e.bytes);
}

static void visit_fields(auto& io, const BinlogSourcePlan& s) {
  io.field("source", s.source);
  io.field("current_file", s.current_file);
  io.field("first_needed", s.first_needed);
  io.field("needed_by", s.needed_by);
  io.field("note", s.note);
  io.array("removed", s.removed);
  io.field("kept_files", s.kept_files);
  io.field("kept_bytes", s.kept_bytes);
}

static void visit_fields(auto& io, const PrunePlan& plan) {
  io.object("policy", plan.policy);
  io.array("snapshots", plan.snapshots);
  io.array("leftovers", plan.leftovers);
  io.array("binlogs", plan.sources);
  io.field("kept_snapshots", plan.kept_snapshots());
  io.field("removed_snapshots", plan.removed_snapshots());
  io.field("removed_binlogs", plan.removed_binlogs());
  io.field("freed_bytes", plan.freed_bytes);
}

std::string describe_prune_plan(const PrunePlan& plan, bool json) {
  if (json) return json_line(plan);
  std::string out =
      fmt::format("prune {}/snapshots ({}; periods in UTC)\n", plan.repo, policy_text(plan.policy));
  for (const SnapshotVerdict& s : plan.snapshots) {
    out += fmt::format("  {:<6}  {:<20}  {:<24}  {:>10}", s.keep ? "keep" : "remove", s.id, s.started_at,
                       human_bytes(s.bytes));
    out += s.reasons.empty() ? "\n" : fmt::format("  {}\n", fmt::join(s.reasons, ","));
  }
  for (const PrunedEntry& e : plan.leftovers) {
    out += fmt::format("  remove  {:<46}  {:>10}  incomplete (interrupted snapshot or prune)\n", e.name,
                       human_bytes(e.bytes));
  }
  for (const BinlogSourcePlan& s : plan.sources) {
    out += fmt::format("binlogs/{}: ", s.source);
    if (!s.first_needed.empty()) {
      out += fmt::format("snapshot {} needs {} onwards", s.needed_by, s.first_needed);
      if (!s.current_file.empty()) out += fmt::format(" (current file {})", s.current_file);
      out += "\n";
      if (!s.note.empty()) out += fmt::format("  {}\n", s.note);
    } else {
      out += s.note + "\n";
    }
    for (const PrunedEntry& e : s.removed) {
      out += fmt::format("  remove  {:<46}  {:>10}\n", e.name, human_bytes(e.bytes));
    }
    out += fmt::format("  keep    {} file{} ({})\n", s.kept_files, s.kept_files == 1 ? "" : "s",
                       human_bytes(s.kept_bytes));
  }
  out += fmt::format(
      "snapshots: {} kept, {} removed; {} incomplete removed; binlog files: {} removed; {} freed\n",
      plan.kept_snapshots(), plan.removed_snapshots(), plan.leftovers.size(), plan.removed_binlogs(),
      human_bytes(plan.freed_bytes));
  return out;
}

}  // namespace mzl::snapshot
