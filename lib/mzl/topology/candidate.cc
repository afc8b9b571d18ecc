#include "mzl/topology/candidate.h"

#include <fmt/format.h>

#include <algorithm>

namespace mzl::topology {

namespace {

struct Data {
  Flavour flavour = Flavour::kMariaDb;
  gtid::MariaGtidPosition maria;
  gtid::MysqlGtidSet mysql;

  bool contains(const Data& other) const {
    if (flavour != other.flavour) return false;
    return flavour == Flavour::kMariaDb ? maria.contains(other.maria) : mysql.contains(other.mysql);
  }
  std::string to_string() const {
    return flavour == Flavour::kMariaDb ? maria.to_string() : mysql.to_string(",");
  }
};

Data data_of(const Topology& t, size_t i) {
  const ServerState& s = *t.state(i);
  Data d;
  d.flavour = s.flavour;
  const ReplicationChannel* channel = t.channel(i);
  if (s.flavour == Flavour::kMariaDb) {
    d.maria = s.gtid_slave_pos;
    if (channel) d.maria.merge(channel->maria_received);
  } else {
    d.mysql = s.gtid_executed;
    if (channel) d.mysql.add(channel->mysql_received);
  }
  return d;
}

bool listed(const std::vector<ServerAddress>& list, const ServerAddress& address) {
  return std::any_of(list.begin(), list.end(), [&](const ServerAddress& a) { return a.same_as(address); });
}

}  // namespace

bool is_broken(const ReplicationChannel& channel) {
  return !channel.sql_running && channel.last_sql_errno != 0;
}

std::string candidate_data_text(const Topology& topology, size_t server) {
  if (!topology.state(server)) return "";
  return data_of(topology, server).to_string();
}

CandidateChoice choose_candidate(const Topology& t, const CandidateRules& rules) {
  CandidateChoice choice;
  std::vector<size_t> eligible;
  for (size_t i : t.replicas) {
    const std::string name = t.servers[i].address.to_string();
    auto errant =
        std::find_if(t.errant.begin(), t.errant.end(), [&](const ErrantReplica& e) { return e.server == i; });
    if (listed(rules.never, t.servers[i].address)) {
      choice.excluded.push_back(fmt::format("{}: --never", name));
    } else if (errant != t.errant.end()) {
      choice.excluded.push_back(fmt::format("{}: errant transactions {}", name, errant->gtids));
    } else if (const ReplicationChannel* channel = t.channel(i); channel && is_broken(*channel)) {
      choice.excluded.push_back(fmt::format("{}: broken: its SQL thread stopped with error {}: {}", name,
                                            channel->last_sql_errno, channel->last_sql_error));
    } else {
      eligible.push_back(i);
    }
  }
  for (size_t i = 0; i < t.servers.size(); ++i) {
    if (!t.servers[i].reachable() && (!t.primary || i != *t.primary))
      choice.excluded.push_back(fmt::format("{}: unreachable", t.servers[i].address.to_string()));
  }
  if (eligible.empty()) {
    choice.reason = "no replica can be promoted";
    return choice;
  }
  std::vector<Data> data;
  for (size_t i : eligible) {
    data.push_back(data_of(t, i));
    choice.data.push_back(fmt::format("{}: {}", t.servers[i].address.to_string(), data.back().to_string()));
  }
  // The candidates whose data holds every other candidate's (all equal to each other).
  std::vector<size_t> complete;
  for (size_t a = 0; a < eligible.size(); ++a) {
    bool all = true;
    for (size_t b = 0; b < eligible.size() && all; ++b) all = data[a].contains(data[b]);
    if (all) complete.push_back(a);
  }
  if (complete.empty()) {
    choice.reason = "no replica holds every transaction the others hold (their histories diverged)";
    return choice;
  }
  size_t pick = complete[0];
  std::string why = complete.size() == 1 ? "the most complete data" : "";
  if (complete.size() > 1) {
    auto preferred = std::find_if(complete.begin(), complete.end(), [&](size_t a) {
      return listed(rules.prefer, t.servers[eligible[a]].address);
    });
    if (preferred != complete.end()) {
      pick = *preferred;
      why = fmt::format("the most complete data, shared with {} other replica(s); --prefer",
                        complete.size() - 1);
    } else {
      why = fmt::format("the most complete data, shared with {} other replica(s); first in the order given",
                        complete.size() - 1);
    }
  } else if (eligible.size() > 1) {
    why += " (every other candidate has less)";
  }
  choice.chosen = eligible[pick];
  choice.reason = fmt::format("{}: {} (executed plus received: {})",
                              t.servers[eligible[pick]].address.to_string(), why, data[pick].to_string());
  return choice;
}

}  // namespace mzl::topology
