#include "mzl/verify/verify_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "mzl/util/json.h"
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

void write_snapshot(JsonWriter& w, const SnapshotReport& s) {
  w.begin_object();
  w.field("id", s.id);
  w.field("where", s.where);
  w.field("ok", s.ok());
  w.field("manifest_read", s.manifest_read);
  w.field("started_at", s.started_at);
  w.field("finished_at", s.finished_at);
  w.field("source", s.source);
  w.field("binlog_file", s.binlog.file);
  w.field("binlog_position", s.binlog.position);
  w.field("gtid", s.binlog.gtid);
  w.field("files", s.files_checked);
  w.field("bytes", s.bytes_checked);
  w.field("raw_bytes", s.raw_bytes);
  w.field("rows", s.rows_checked);
  write_problems(w, s.problems);
  w.end_object();
}

std::string archive_line(const std::string& where, const BinlogCheckReport& b) {
  return fmt::format("{}: {} ({}, {}, {} bytes)\n", where, verdict(b.problems.size()),
                     plural(b.files, "file"), plural(b.events, "event"), b.bytes);
}

void write_point(JsonWriter& w, std::string_view key, const std::optional<WindowPoint>& p) {
  w.key(key);
  if (!p) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("time", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(p->unix_time))));
  w.field("unix_time", p->unix_time);
  w.field("gtid", p->gtid);
  w.field("snapshot", p->snapshot_id);
  w.end_object();
}

void write_archive_counts(JsonWriter& w, const BinlogCheckReport& b) {
  w.field("flavour", b.flavour);
  w.field("files", b.files);
  w.field("events", b.events);
  w.field("bytes", b.bytes);
}

std::optional<WindowPoint> transaction_point(const std::optional<TransactionPoint>& t) {
  if (!t) return std::nullopt;
  return WindowPoint{t->timestamp, t->gtid, {}};
}

}  // namespace

std::string describe_repository_report(const RepositoryReport& report, bool json) {
  const uint64_t problems = report.problem_count();
  std::string out;
  if (json) {
    JsonWriter w(out);
    w.begin_object();
    w.field("repo", report.repo);
    w.field("ok", problems == 0);
    w.field("problem_count", problems);
    w.plain_key("snapshots");
    w.begin_array();
    for (const auto& s : report.snapshots.snapshots) write_snapshot(w, s);
    w.end_array();
    w.plain_key("in_progress");
    w.begin_array();
    for (const auto& name : report.snapshots.in_progress) w.value(name);
    w.end_array();
    w.plain_key("sources");
    w.begin_array();
    for (const SourceReport& source : report.sources) {
      w.begin_object();
      w.field("source", source.source);
      w.field("ok", source.ok());
      w.field("archive", source.archive.has_value());
      if (source.archive) write_archive_counts(w, *source.archive);
      const RestoreWindow window = restore_window(source);
      w.plain_key("window");
      w.begin_object();
      w.field("restorable", window.from.has_value());
      write_point(w, "from", window.from);
      write_point(w, "to", window.to);
      w.field("note", window.note);
      w.field("text", describe_window(source));
      w.end_object();
      write_problems(w, source.archive ? source.archive->problems : std::vector<Problem>{});
      w.end_object();
    }
    w.end_array();
    write_problems(w, report.snapshots.problems);
    w.end_object();
    out += '\n';
    return out;
  }
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
  std::string out;
  if (json) {
    JsonWriter w(out);
    write_snapshot(w, report);
    out += '\n';
    return out;
  }
  out += snapshot_line(report);
  append_problems(out, report.problems);
  out += report.ok() ? "verified: no problem found\n"
                     : fmt::format("{} found\n", plural(report.problems.size(), "problem"));
  return out;
}

std::string describe_binlog_report(const BinlogCheckReport& report, bool json) {
  std::string out;
  if (json) {
    JsonWriter w(out);
    w.begin_object();
    w.field("ok", report.ok());
    write_archive_counts(w, report);
    w.plain_key("window");
    w.begin_object();
    w.field("restorable", report.first.has_value() && report.last_before_problem.has_value());
    write_point(w, "from", report.last_before_problem ? transaction_point(report.first) : std::nullopt);
    write_point(w, "to", transaction_point(report.last_before_problem));
    w.field("text", format_window(report));
    w.end_object();
    write_problems(w, report.problems);
    w.end_object();
    out += '\n';
    return out;
  }
  out += archive_line("binlog files", report);
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
