#include "mzl/watch/watch_metrics.h"

#include <algorithm>

#include "mzl/util/prometheus_textfile.h"

namespace mzl::watch {

namespace {

const char* role_of(const topology::Topology& t, size_t i) {
  if (!t.servers[i].reachable()) return "unreachable";
  if (t.primary && *t.primary == i) return "primary";
  return t.source_of[i] ? "replica" : "standalone";
}

// The GTIDs in an errant list: MariaDB "0-2-5,0-2-6" (one per item); MySQL "uuid:1-3:5,uuid2:7" (each
// interval of an item counted by its length).
uint64_t gtid_count(const std::string& gtids) {
  uint64_t count = 0;
  size_t start = 0;
  while (start < gtids.size()) {
    size_t end = gtids.find(',', start);
    if (end == std::string::npos) end = gtids.size();
    const std::string item = gtids.substr(start, end - start);
    start = end + 1;
    if (item.find(':') == std::string::npos) {
      if (item.find_first_not_of(" \n") != std::string::npos) ++count;
      continue;
    }
    size_t part_start = item.find(':') + 1;
    while (part_start <= item.size()) {
      size_t part_end = item.find(':', part_start);
      if (part_end == std::string::npos) part_end = item.size();
      const std::string part = item.substr(part_start, part_end - part_start);
      part_start = part_end + 1;
      if (part.empty() || part[0] < '0' || part[0] > '9') continue;  // a tag
      const uint64_t first = std::strtoull(part.c_str(), nullptr, 10);
      const size_t dash = part.find('-');
      const uint64_t last =
          dash == std::string::npos ? first : std::strtoull(part.c_str() + dash + 1, nullptr, 10);
      count += last >= first ? last - first + 1 : 1;
    }
  }
  return count;
}

}  // namespace

// Exposed for the tests.
uint64_t errant_gtid_count(const std::string& gtids) {
  return gtid_count(gtids);
}

namespace {

// Two labels: {a="..",b=".."}.
std::string two_labels(const std::string& first, const std::string& second) {
  return first.substr(0, first.size() - 1) + "," + second.substr(1);
}

PrometheusTextfile build(const WatchFigures& f) {
  PrometheusTextfile out;
  if (f.topology) {
    const topology::Topology& t = *f.topology;
    out.family("mzl_watch_server_up", "gauge", "1 when the server answered the last check");
    for (size_t i = 0; i < t.servers.size(); ++i) {
      out.sample("mzl_watch_server_up", prometheus_label("server", t.servers[i].address.to_string()),
                 t.servers[i].reachable() ? 1 : 0);
    }
    out.family("mzl_watch_server_role", "gauge", "1 for the server's role in the last check");
    for (size_t i = 0; i < t.servers.size(); ++i) {
      out.sample("mzl_watch_server_role",
                 two_labels(prometheus_label("server", t.servers[i].address.to_string()),
                            prometheus_label("role", role_of(t, i))),
                 1);
    }
    out.family("mzl_watch_server_read_only", "gauge", "1 when the server is read-only");
    for (size_t i = 0; i < t.servers.size(); ++i) {
      if (const topology::ServerState* s = t.state(i)) {
        out.sample("mzl_watch_server_read_only", prometheus_label("server", s->address.to_string()),
                   s->writable() ? 0 : 1);
      }
    }
    out.family("mzl_watch_errant_gtids", "gauge", "transactions a replica holds that its primary lacks");
    for (size_t r : t.replicas) {
      uint64_t count = 0;
      for (const auto& e : t.errant)
        if (e.server == r) count = gtid_count(e.gtids);
      out.sample("mzl_watch_errant_gtids", prometheus_label("server", t.servers[r].address.to_string()),
                 count);
    }
  }
  if (f.lag && !f.lag->empty()) {
    out.family("mzl_watch_lag_seconds", "gauge", "lag at the last check (heartbeat age; archive: see man)");
    for (const auto& [target, tracker] : *f.lag) {
      if (tracker.last())
        out.sample("mzl_watch_lag_seconds", prometheus_label("target", target), *tracker.last());
    }
    out.family("mzl_watch_lag_average_seconds", "gauge", "average lag over the average rule's window");
    for (const auto& [target, tracker] : *f.lag)
      out.sample("mzl_watch_lag_average_seconds", prometheus_label("target", target), tracker.average(f.now));
    out.family("mzl_watch_lag_p99_seconds", "gauge", "p99 of the lag over the p99 rule's window");
    for (const auto& [target, tracker] : *f.lag)
      out.sample("mzl_watch_lag_p99_seconds", prometheus_label("target", target), tracker.p99(f.now));
  }
  out.metric("mzl_watch_checks_total", "counter", "topology checks done", "", f.checks);
  out.metric("mzl_watch_failovers_total", "counter", "failovers this watcher promoted", "", f.failovers);
  if (f.lease_held) {
    out.metric("mzl_watch_lease_held", "gauge", "1 while this watcher holds the lease (may fail over)", "",
               *f.lease_held ? 1 : 0);
    out.metric("mzl_watch_lease_term", "gauge", "the term of the lease this watcher holds or last held", "",
               f.term);
  }
  return out;
}

}  // namespace

std::string watch_metrics_text(const WatchFigures& figures) {
  return build(figures).text();
}

Status write_watch_metrics(const std::string& path, const WatchFigures& figures) {
  return build(figures).write(path);
}

}  // namespace mzl::watch
