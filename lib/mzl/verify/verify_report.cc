#include "mzl/verify/verify_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "mzl/util/json_report.h"
#include "mzl/util/prometheus_textfile.h"

namespace mzl::verify {

namespace {

std::string plural(uint64_t n, std::string_view one) {
  return fmt::format("{} {}{}", n, one, n == 1 ? "" : "s");
}

std::string verdict(uint64_t problems) {
  return problems == 0 ? "ok" : plural(problems, "problem");
}

void append_problems(std::string& out, const std::vector<Problem>& problems) {
  for (const Problem& p : problems) out += fmt::format("  {}\n", format_problem(p));
}

std::string snapshot_line(const SnapshotReport& s) {
  std::string detail = fmt::format("{}, {} bytes, {}", plural(s.files_checked, "file"), s.bytes_checked,
                                   plural(s.rows_checked, "row"));
  if (s.manifest_read && !s.binlog.gtid.empty()) detail += fmt::format("; GTID {}", s.binlog.gtid);
  return fmt::format("{}: {} ({})\n", s.where, verdict(s.problems.size()), detail);
}

std::string archive_line(const std::string& where, const BinlogCheckReport& b) {
  return fmt::format("{}: {} ({}, {}, {} bytes)\n", where, verdict(b.problems.size()),
                     plural(b.files, "file"), plural(b.events, "event"), b.bytes);
}

void archive_counts(auto& io, const BinlogCheckReport& b) {
  io.field("flavour", b.flavour);
  io.field("files", b.files);
  io.field("events", b.events);
  io.field("bytes", b.bytes);
}

std::optional<WindowPoint> transaction_point(const std::optional<TransactionPoint>& t) {
  if (!t) return std::nullopt;
  return WindowPoint{t->timestamp, t->gtid, {}};
}

}  // namespace

// The JSON of the reports (man/mzl-verify.1, OUTPUT), for util/json_report.h. Static members of this
// namespace, not of an unnamed one, for argument-dependent lookup.
static void visit_fields(auto& io, const WindowPoint& p) {
  io.field("time", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(p.unix_time))));
  io.field("unix_time", p.unix_time);
  io.field("gtid", p.gtid);
  io.field("snapshot", p.snapshot_id);
}

static void visit_fields(auto& io, const SnapshotReport& s) {
  io.field("id", s.id);
  io.field("where", s.where);
  io.field("ok", s.ok());
  io.field("manifest_read", s.manifest_read);
  io.field("started_at", s.started_at);
  io.field("finished_at", s.finished_at);
  io.field("source", s.source);
  io.field("binlog_file", s.binlog.file);
  io.field("binlog_position", s.binlog.position);
  io.field("gtid", s.binlog.gtid);
  io.field("files", s.files_checked);
  io.field("bytes", s.bytes_checked);
  io.field("raw_bytes", s.raw_bytes);
  io.field("rows", s.rows_checked);
  io.array("problems", s.problems);
}

static void visit_fields(auto& io, const SourceReport& source) {
  io.field("source", source.source);
  io.field("ok", source.ok());
  io.field("archive", source.archive.has_value());
  // A successor source (after a failover): the source, GTID position and failover record it continues from.
  io.field("follows", source.follows ? source.follows->source : "");
  io.field("follows_from_gtid_position", source.follows ? source.follows->from_gtid_position : "");
  io.field("follows_record", source.follows ? source.follows->record : "");
  if (source.archive) archive_counts(io, *source.archive);
  const RestoreWindow window = restore_window(source);
  io.object("window", [&](auto& w) {
    w.field("restorable", window.from.has_value());
    w.object("from", window.from);
    w.object("to", window.to);
    w.field("note", window.note);
    w.field("text", describe_window(source));
  });
  io.array("problems", source.archive ? source.archive->problems : std::vector<Problem>{});
}

static void visit_fields(auto& io, const RepositoryReport& report) {
  const uint64_t problems = report.problem_count();
  io.field("repo", report.repo);
  io.field("ok", problems == 0);
  io.field("problem_count", problems);
  io.array("snapshots", report.snapshots.snapshots);
  io.field("in_progress", report.snapshots.in_progress);
  io.array("sources", report.sources);
  io.array("problems", report.snapshots.problems);
}

static void visit_fields(auto& io, const BinlogCheckReport& report) {
  io.field("ok", report.ok());
  archive_counts(io, report);
  io.object("window", [&](auto& w) {
    w.field("restorable", report.first.has_value() && report.last_before_problem.has_value());
    w.object("from", report.last_before_problem ? transaction_point(report.first) : std::nullopt);
    w.object("to", transaction_point(report.last_before_problem));
    w.field("text", format_window(report));
  });
  io.array("problems", report.problems);
}

std::string describe_repository_report(const RepositoryReport& report, bool json) {
  if (json) return json_line(report);
  const uint64_t problems = report.problem_count();
  std::string out;
  for (const auto& s : report.snapshots.snapshots) {
    out += snapshot_line(s);
    append_problems(out, s.problems);
  }
  for (const auto& name : report.snapshots.in_progress) {
    out += fmt::format("snapshots/{}: being written by a running mzl-snapshot (not checked)\n", name);
  }
  if (!report.snapshots.problems.empty()) {
    out += fmt::format("snapshots/: {}\n", verdict(report.snapshots.problems.size()));
    append_problems(out, report.snapshots.problems);
  }
  for (const SourceReport& source : report.sources) {
    const std::string where = "binlogs/" + source.source;
    if (source.archive) {
      out += archive_line(where, *source.archive);
      if (source.follows) {
        out += fmt::format(
            "  continues binlogs/{} after GTID position {} (failover record {})\n", source.follows->source,
            source.follows->from_gtid_position.empty() ? "(none)" : source.follows->from_gtid_position,
            source.follows->record);
      }
      append_problems(out, source.archive->problems);
    } else {
      out += fmt::format("{}: no binlog archive\n", where);
    }
    out += fmt::format("  {}\n", describe_window(source));
  }
  if (report.snapshots.snapshots.empty() && report.sources.empty()) {
    out += fmt::format("{}: the repository holds no snapshot and no binlog archive\n", report.repo);
  }
  out +=
      problems == 0 ? "verified: no problem found\n" : fmt::format("{} found\n", plural(problems, "problem"));
  return out;
}

std::string describe_snapshot_report(const SnapshotReport& report, bool json) {
  if (json) return json_line(report);
  std::string out = snapshot_line(report);
  append_problems(out, report.problems);
  out += report.ok() ? "verified: no problem found\n"
                     : fmt::format("{} found\n", plural(report.problems.size(), "problem"));
  return out;
}

std::string describe_binlog_report(const BinlogCheckReport& report, bool json) {
  if (json) return json_line(report);
  std::string out = archive_line("binlog files", report);
  append_problems(out, report.problems);
  out += fmt::format("  {}\n", format_window(report));
  out += report.ok() ? "verified: no problem found\n"
                     : fmt::format("{} found\n", plural(report.problems.size(), "problem"));
  return out;
}

Status write_verify_metrics(const std::string& path, const VerifyRun& run) {
  PrometheusTextfile out;
  const auto finished = std::chrono::duration_cast<std::chrono::seconds>(run.finished.time_since_epoch());
  out.metric("mzl_verify_last_run_timestamp_seconds", "gauge", "Unix time the last mzl-verify run ended", "",
             finished.count());
  out.metric("mzl_verify_duration_seconds", "gauge", "How long the last run took", "", run.seconds);
  out.metric("mzl_verify_success", "gauge", "1 when the last run completed and found no problem, 0 otherwise",
             "", run.completed && run.problems == 0 ? 1 : 0);
  out.metric("mzl_verify_problems", "gauge", "Problems the last run found", "", run.problems);
  if (run.repository) {
    out.family("mzl_verify_window_start_timestamp_seconds", "gauge",
               "Oldest point a source can be restored to (0: none)");
    std::vector<std::pair<std::string, RestoreWindow>> windows;
    for (const SourceReport& s : run.repository->sources) {
      windows.emplace_back(prometheus_label("source", s.source), restore_window(s));
    }
    for (const auto& [labels, w] : windows) {
      out.sample("mzl_verify_window_start_timestamp_seconds", labels, w.from ? w.from->unix_time : 0);
    }
    out.family("mzl_verify_window_end_timestamp_seconds", "gauge",
               "Newest point a source can be restored to (0: none)");
    for (const auto& [labels, w] : windows) {
      out.sample("mzl_verify_window_end_timestamp_seconds", labels, w.to ? w.to->unix_time : 0);
    }
  }
  return out.write(path);
}

}  // namespace mzl::verify
