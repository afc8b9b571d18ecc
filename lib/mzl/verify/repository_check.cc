#include "mzl/verify/repository_check.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "mzl/archive/history_chain.h"
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/snapshot/retention.h"

namespace mzl::verify {

namespace fs = std::filesystem;

namespace {

std::string format_time(int64_t unix_time) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(static_cast<std::time_t>(unix_time)));
}

std::string format_point(const WindowPoint& p) {
  std::string inside = p.gtid;
  if (!p.snapshot_id.empty()) {
    inside += fmt::format("{}snapshot {}", inside.empty() ? "" : "; ", p.snapshot_id);
  }
  return inside.empty() ? format_time(p.unix_time) : fmt::format("{} ({})", format_time(p.unix_time), inside);
}

// What is wrong with the link of successor `name` to its predecessor: a predecessor without an archive, or
// one whose archive does not reach the position the successor continues from.
std::vector<Problem> link_problems(const std::string& repo, const std::string& name,
                                   const archive::SourceLink& link) {
  const Problem where{"binlogs/" + name + "/state.json", std::nullopt, ""};
  auto problem = [&](std::string what) {
    Problem p = where;
    p.what = std::move(what);
    return std::vector<Problem>{p};
  };
  auto state = archive::read_source_state(repo, link.source);
  if (!state.ok()) return {};  // reported with the predecessor's own check
  if (!*state) {
    return problem(
        fmt::format("continues the history of source {} (failover record {}), which has no archive here: the "
                    "transactions before the failover are missing",
                    link.source, link.record));
  }
  auto ends = archive::GtidBound::parse((*state)->gtid_position);
  auto from = archive::GtidBound::parse(link.from_gtid_position);
  if (!from.ok()) {
    return problem(fmt::format("the link's from_gtid_position '{}' is not a GTID position or set",
                               link.from_gtid_position));
  }
  if (!ends.ok() || !ends->covers(*from)) {
    return problem(fmt::format(
        "continues the history of source {} after GTID position {} (failover record {}), but that archive "
        "ends at '{}': the transactions in between are in neither source (a GTID hole across the failover)",
        link.source, link.from_gtid_position, link.record, (*state)->gtid_position));
  }
  return {};
}

}  // namespace

uint64_t RepositoryReport::problem_count() const {
  uint64_t n = snapshots.problems.size();
  for (const auto& s : snapshots.snapshots) n += s.problems.size();
  for (const auto& s : sources) n += s.archive ? s.archive->problems.size() : 0;
  return n;
}

Result<RepositoryReport> check_repository(const std::string& repo, const RepositoryCheckOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(repo, ec)) {
    return Error{ErrorCode::kNotFound,
                 "no such repository directory (give the --repo of mzl-snapshot and "
                 "mzl-binlog-tail)"}
        .at_r(repo);
  }
  RepositoryReport report;
  report.repo = repo;
  MZL_TRY(report.snapshots, check_repository_snapshots(repo, options.snapshots));

  // The oldest intact snapshot of each source (snapshots are oldest first).
  std::map<std::string, RestoreBase> bases;
  for (const SnapshotReport& s : report.snapshots.snapshots) {
    if (!s.ok() || !s.manifest_read || s.source.empty() || bases.count(s.source)) continue;
    bases[s.source] = RestoreBase{s.id, s.started_at, s.binlog.gtid};
  }
  MZL_TRY(auto names, repo::list_sources(repo::local_storage(), repo));
  for (const auto& [source, base] : bases) names.push_back(source);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  // Successor sources and the predecessors they continue (an unreadable state.json is the source's own
  // check's problem).
  std::map<std::string, archive::SourceLink> links;
  for (const std::string& name : names) {
    auto link = archive::read_source_link(repo, name);
    if (link.ok() && *link) links[name] = **link;
  }
  // A source's own oldest snapshot, else its predecessors'.
  auto base_of = [&](std::string name) -> std::optional<RestoreBase> {
    for (size_t hops = 0; hops <= names.size(); ++hops) {
      if (auto it = bases.find(name); it != bases.end()) return it->second;
      auto link = links.find(name);
      if (link == links.end()) break;
      name = link->second.source;
    }
    return std::nullopt;
  };

  for (const std::string& name : names) {
    SourceReport source;
    source.source = name;
    source.base = base_of(name);
    if (auto it = links.find(name); it != links.end()) source.follows = it->second;
    if (fs::is_directory(repo::source_dir(repo, name), ec)) {
      BinlogCheckOptions binlog;
      binlog.buffer_size = options.binlog_buffer_size;
      binlog.progress = options.snapshots.progress;
      if (bases.count(name)) {
        binlog.start_gtid = bases[name].gtid;
      } else if (source.follows) {
        binlog.start_gtid = source.follows->from_gtid_position;
      } else if (source.base) {
        binlog.start_gtid = source.base->gtid;
      }
      MZL_TRY(source.archive, check_binlog_source(repo, name, binlog));
      if (source.follows) {
        for (Problem& p : link_problems(repo, name, *source.follows)) source.archive->problems.push_back(p);
      }
    }
    report.sources.push_back(std::move(source));
  }
  return report;
}

RestoreWindow restore_window(const SourceReport& source) {
  RestoreWindow window;
  if (!source.base) {
    window.note = source.archive ? fmt::format(
                                       "no intact snapshot of this source, so the archive ({}) has "
                                       "nothing to be replayed onto: take a snapshot",
                                       format_window(*source.archive))
                                 : "no intact snapshot and no binlog archive";
    return window;
  }
  WindowPoint base;
  auto started = snapshot::parse_utc_time(source.base->started_at);
  base.unix_time = started.ok() ? started->time_since_epoch().count() : 0;
  base.gtid = source.base->gtid;
  base.snapshot_id = source.base->snapshot_id;
  window.from = base;
  window.to = base;
  if (!source.archive) {
    window.note = "no binlog archive of this source: only the snapshot's own point can be restored";
    return window;
  }
  const auto& end = source.archive->last_before_problem;
  if (!end) {
    window.note = source.archive->ok()
                      ? "the archive holds no complete transaction"
                      : "a problem in the archive comes before its first complete transaction";
  } else if (end->timestamp < base.unix_time) {
    window.note = source.archive->ok() ? "no transaction in the archive after the snapshot"
                                       : "the archive does not continue past the snapshot without a problem";
  } else {
    window.to = WindowPoint{end->timestamp, end->gtid, {}};
    if (!source.archive->ok()) window.note = "the window ends at the first problem in the archive";
  }
  return window;
}

std::string describe_window(const SourceReport& source) {
  const RestoreWindow window = restore_window(source);
  if (!window.from) return "nothing restorable: " + window.note;
  const bool one_point = window.to->snapshot_id == window.from->snapshot_id;
  std::string text =
      one_point
          ? fmt::format("restorable only to the snapshot's point, {}", format_point(*window.from))
          : fmt::format("restorable from {} to {}", format_point(*window.from), format_point(*window.to));
  if (!window.note.empty()) text += fmt::format(" ({})", window.note);
  return text;
}

}  // namespace mzl::verify
