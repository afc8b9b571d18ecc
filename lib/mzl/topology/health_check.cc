#include "mzl/topology/health_check.h"

#include <fmt/format.h>

#include <optional>

#include "mzl/util/json_report.h"

namespace mzl::topology {

namespace {

std::string name_of(const Topology& t, size_t i) {
  return t.servers[i].address.to_string();
}

bool is_primary(const Topology& t, size_t i) {
  return t.primary && *t.primary == i;
}

// The GTID state a server reports, as one text: MariaDB gtid_current_pos, MySQL gtid_executed.
std::string gtid_text(const ServerState& s) {
  return s.flavour == Flavour::kMariaDb ? s.gtid_current_pos.to_string() : s.gtid_executed.to_string(",");
}

std::string errant_of(const Topology& t, size_t i) {
  for (const ErrantReplica& e : t.errant) {
    if (e.server == i) return e.gtids;
  }
  return "";
}

}  // namespace

std::vector<CheckProblem> check_health(const Topology& t, const CheckOptions& options) {
  std::vector<CheckProblem> problems;
  for (size_t i = 0; i < t.servers.size(); ++i) {
    if (!t.servers[i].reachable())
      problems.push_back({name_of(t, i), fmt::format("unreachable: {}", t.servers[i].error)});
  }
  if (!t.primary) {
    std::string why = t.notes.empty() ? "" : ": " + t.notes.front();
    problems.push_back({"", "no primary could be identified" + why});
  } else if (const ServerState* p = t.state(*t.primary); p && !p->writable()) {
    problems.push_back({name_of(t, *t.primary),
                        p->super_read_only ? "the primary is super_read_only" : "the primary is read_only"});
  }
  std::vector<std::string> writable;
  for (size_t i = 0; i < t.servers.size(); ++i) {
    if (const ServerState* s = t.state(i); s && s->writable()) writable.push_back(name_of(t, i));
  }
  if (writable.size() != 1) {
    problems.push_back({"", writable.empty() ? std::string("no server is writable")
                                             : fmt::format("{} writable servers: {}", writable.size(),
                                                           fmt::join(writable, ", "))});
  }
  for (size_t r : t.replicas) {
    const std::string name = name_of(t, r);
    const ReplicationChannel* c = t.channel(r);
    if (c == nullptr) {
      if (t.primary) problems.push_back({name, "does not replicate from any of the servers given"});
      continue;
    }
    if (!c->io_thread_running()) {
      std::string error = c->last_io_error.empty()
                              ? ""
                              : fmt::format(" (last IO error {}: {})", c->last_io_errno, c->last_io_error);
      problems.push_back({name, fmt::format("replication IO thread is {}{}",
                                            c->io_running == "No" ? "stopped" : c->io_running, error)});
    }
    if (!c->sql_running) {
      std::string error = c->last_sql_error.empty()
                              ? ""
                              : fmt::format(" (last SQL error {}: {})", c->last_sql_errno, c->last_sql_error);
      problems.push_back({name, fmt::format("replication SQL thread is stopped{}", error)});
    }
    if (c->seconds_behind && *c->seconds_behind > options.max_lag_seconds) {
      problems.push_back({name, fmt::format("lags {} s behind its source (more than {} s)",
                                            *c->seconds_behind, options.max_lag_seconds)});
    }
  }
  for (const ErrantReplica& e : t.errant) {
    problems.push_back(
        {name_of(t, e.server), fmt::format("errant transactions (not on the primary): {}", e.gtids)});
  }
  return problems;
}

// The JSON views of the report (visit_fields: json_report.h).
struct ServerView {
  const Topology* t;
  size_t i;
};

static void visit_fields(auto& io, const CheckProblem& p) {
  io.field("server", p.server);
  io.field("what", p.what);
}

static void visit_fields(auto& io, const ServerView& v) {
  const Topology& t = *v.t;
  const ServerEntry& e = t.servers[v.i];
  io.field("address", e.address.to_string());
  io.field("reachable", e.reachable());
  io.field("role", is_primary(t, v.i) ? "primary" : e.reachable() ? "replica" : "unknown");
  if (!e.reachable()) {
    io.field("error", e.error);
    return;
  }
  const ServerState& s = *e.state;
  io.field("flavour", s.flavour);
  io.field("version", s.version);
  io.field("server_id", s.server_id);
  io.field("read_only", s.read_only);
  io.field("super_read_only", s.super_read_only);
  io.field("writable", s.writable());
  if (s.flavour == Flavour::kMariaDb) {
    io.field("gtid_domain_id", s.gtid_domain_id);
    io.field("gtid_binlog_pos", s.gtid_binlog_pos.to_string());
    io.field("gtid_current_pos", s.gtid_current_pos.to_string());
    io.field("gtid_slave_pos", s.gtid_slave_pos.to_string());
  } else {
    io.field("server_uuid", s.server_uuid);
    io.field("gtid_executed", s.gtid_executed.to_string(","));
  }
  const ReplicationChannel* c = t.channel(v.i);
  std::optional<std::string> source;
  if (t.source_of[v.i])
    source = name_of(t, *t.source_of[v.i]);
  else if (!s.channels.empty())
    source = s.channels.front().source.to_string();
  if (c == nullptr && !s.channels.empty()) c = &s.channels.front();
  io.field("source", source);
  if (c != nullptr) {
    io.field("channel", c->name);
    io.field("io_running", c->io_running);
    io.field("sql_running", c->sql_running);
    io.field("using_gtid", c->using_gtid);
    io.field("received", s.flavour == Flavour::kMariaDb ? c->maria_received.to_string()
                                                        : c->mysql_received.to_string(","));
    io.field("seconds_behind", c->seconds_behind);
    io.field("last_io_errno", c->last_io_errno);
    io.field("last_io_error", c->last_io_error);
    io.field("last_sql_errno", c->last_sql_errno);
    io.field("last_sql_error", c->last_sql_error);
  }
  io.field("errant", errant_of(t, v.i));
}

namespace {

std::vector<ServerView> server_views(const Topology& t) {
  std::vector<ServerView> views;
  for (size_t i = 0; i < t.servers.size(); ++i) views.push_back({&t, i});
  return views;
}

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

// One line per server: address, role, writable, IO/SQL, lag, GTIDs.
std::string server_table(const Topology& t) {
  std::string out = fmt::format("{:<22} {:<8} {:<8} {:<10} {:<4} {:<6} {}\n", "SERVER", "ROLE", "WRITABLE",
                                "IO", "SQL", "LAG", "GTID");
  for (size_t i = 0; i < t.servers.size(); ++i) {
    const ServerEntry& e = t.servers[i];
    if (!e.reachable()) {
      out += fmt::format("{:<22} {:<8} {}\n", e.address.to_string(), is_primary(t, i) ? "primary" : "-",
                         "unreachable");
      continue;
    }
    const ServerState& s = *e.state;
    const ReplicationChannel* c = t.channel(i);
    if (c == nullptr && !s.channels.empty()) c = &s.channels.front();
    std::string lag = c && c->seconds_behind ? fmt::format("{}", *c->seconds_behind) : "-";
    out += fmt::format("{:<22} {:<8} {:<8} {:<10} {:<4} {:<6} {}\n", e.address.to_string(),
                       is_primary(t, i) ? "primary" : "replica", yes_no(s.writable()),
                       c ? c->io_running : "-", c ? yes_no(c->sql_running) : "-", lag, gtid_text(s));
  }
  return out;
}

}  // namespace

std::string describe_check(const Topology& t, const std::vector<CheckProblem>& problems, bool json) {
  if (json) {
    return json_line([&](JsonFieldWriter& io) {
      io.field("healthy", problems.empty());
      io.field("primary", t.primary ? std::optional<std::string>(name_of(t, *t.primary)) : std::nullopt);
      io.field("servers", server_views(t));
      io.field("problems", problems);
      io.field("notes", t.notes);
    });
  }
  std::string out = server_table(t);
  for (const std::string& note : t.notes) out += fmt::format("note: {}\n", note);
  if (problems.empty()) {
    out += "healthy\n";
  } else {
    out += fmt::format("{} problem(s):\n", problems.size());
    for (const CheckProblem& p : problems)
      out += fmt::format("  {}{}\n", p.server.empty() ? "" : p.server + ": ", p.what);
  }
  return out;
}

std::string describe_dry_run(const Topology& t, const CandidateChoice& choice, bool json) {
  std::optional<std::string> chosen;
  if (choice.chosen) chosen = name_of(t, *choice.chosen);
  if (json) {
    return json_line([&](JsonFieldWriter& io) {
      io.field("dry_run", true);
      io.field("primary", t.primary ? std::optional<std::string>(name_of(t, *t.primary)) : std::nullopt);
      io.field("candidate", chosen);
      io.field("reason", choice.reason);
      io.field("considered", choice.data);
      io.field("excluded", choice.excluded);
      io.field("servers", server_views(t));
      io.field("notes", t.notes);
    });
  }
  std::string out = server_table(t);
  for (const std::string& note : t.notes) out += fmt::format("note: {}\n", note);
  for (const std::string& d : choice.data) out += fmt::format("candidate {}\n", d);
  for (const std::string& x : choice.excluded) out += fmt::format("excluded  {}\n", x);
  out += fmt::format("would promote: {}\nwhy: {}\n(dry run: nothing was changed)\n", chosen.value_or("none"),
                     choice.reason);
  return out;
}

}  // namespace mzl::topology
