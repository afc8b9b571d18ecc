#include "mzl/topology/topology.h"

#include <fmt/format.h>

#include <algorithm>

#include "mzl/topology/errant.h"
#include "mzl/topology/server_probe.h"

namespace mzl::topology {

size_t Topology::reachable_count() const {
  return static_cast<size_t>(
      std::count_if(servers.begin(), servers.end(), [](const ServerEntry& e) { return e.reachable(); }));
}

const ReplicationChannel* Topology::channel(size_t i) const {
  if (!channel_of[i] || !servers[i].state) return nullptr;
  return &servers[i].state->channels[*channel_of[i]];
}

std::vector<size_t> Topology::replicas_of_primary() const {
  std::vector<size_t> out;
  if (!primary) return out;
  for (size_t i : replicas)
    if (source_of[i] == primary) out.push_back(i);
  return out;
}

std::string Topology::replica_still_receiving() const {
  for (size_t i : replicas_of_primary()) {
    const ReplicationChannel* c = channel(i);
    if (c && c->io_thread_running()) return servers[i].address.to_string();
  }
  return "";
}

namespace {

// The given server (other than `self`) that `channel` replicates from.
std::optional<size_t> find_source(const std::vector<ServerEntry>& servers, size_t self,
                                  const ReplicationChannel& channel) {
  for (size_t j = 0; j < servers.size(); ++j) {
    if (j != self && servers[j].address.same_as(channel.source)) return j;
  }
  // The replica may name its source by another host name or address than --servers does.
  if (channel.source_server_id) {
    for (size_t j = 0; j < servers.size(); ++j) {
      if (j == self) continue;
      const std::optional<uint32_t> id = servers[j].state
                                             ? std::optional<uint32_t>(servers[j].state->server_id)
                                             : servers[j].remembered_server_id;
      if (id == channel.source_server_id) return j;
    }
  }
  return std::nullopt;
}

void find_primary(Topology& t) {
  const size_t n = t.servers.size();
  std::vector<size_t> named(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (t.source_of[i]) ++named[*t.source_of[i]];
  }
  std::vector<size_t> roots;  // named as a source, replicating from none of the given servers
  for (size_t i = 0; i < n; ++i) {
    if (named[i] > 0 && !t.source_of[i]) roots.push_back(i);
  }
  if (roots.size() == 1) {
    t.primary = roots[0];
    return;
  }
  if (roots.size() > 1) {
    std::string names;
    for (size_t r : roots) names += (names.empty() ? "" : ", ") + t.servers[r].address.to_string();
    t.notes.push_back(fmt::format("several servers have replicas and replicate from none: {}", names));
    return;
  }
  std::vector<size_t> writable;
  for (size_t i = 0; i < n; ++i) {
    const ServerState* s = t.state(i);
    if (s && s->writable() && !t.source_of[i]) writable.push_back(i);
  }
  if (writable.size() == 1) {
    t.primary = writable[0];
  } else if (writable.empty()) {
    t.notes.push_back("no server is named as a source by the others and none is writable");
  } else {
    t.notes.push_back("no server is named as a source by the others and several are writable");
  }
}

}  // namespace

Topology build_topology(std::vector<ServerEntry> servers) {
  Topology t;
  t.servers = std::move(servers);
  const size_t n = t.servers.size();
  t.source_of.assign(n, std::nullopt);
  t.channel_of.assign(n, std::nullopt);
  for (size_t i = 0; i < n; ++i) {
    const ServerState* s = t.state(i);
    if (!s) continue;
    for (size_t c = 0; c < s->channels.size(); ++c) {
      if (auto source = find_source(t.servers, i, s->channels[c])) {
        t.source_of[i] = source;
        t.channel_of[i] = c;
        break;
      }
    }
    if (!t.source_of[i] && !s->channels.empty()) {
      t.notes.push_back(fmt::format("{} replicates from {}, which is not among the servers given",
                                    t.servers[i].address.to_string(), s->channels[0].source.to_string()));
    }
  }
  find_primary(t);
  for (size_t i = 0; i < n; ++i) {
    if (t.servers[i].reachable() && (!t.primary || i != *t.primary)) t.replicas.push_back(i);
  }
  for (size_t r : t.replicas) {
    // A primary that cannot be asked: what each replica wrote itself (a server that replicates from none is
    // no replica to judge).
    if (!(t.primary && t.state(*t.primary)) && t.state(r)->channels.empty()) continue;
    std::string gtids = t.primary && t.state(*t.primary) ? errant_gtids(*t.state(r), *t.state(*t.primary))
                                                         : errant_gtids_without_primary(*t.state(r));
    if (!gtids.empty()) t.errant.push_back({r, std::move(gtids)});
  }
  return t;
}

Topology discover_topology(const std::vector<ServerAddress>& addresses,
                           const net::ConnectionOptions& connection) {
  return discover_topology(addresses, connection, {});
}

Topology discover_topology(const std::vector<ServerAddress>& addresses,
                           const net::ConnectionOptions& connection,
                           const std::vector<std::optional<uint32_t>>& remembered) {
  std::vector<ServerEntry> entries;
  for (size_t i = 0; i < addresses.size(); ++i) {
    ServerEntry entry;
    entry.address = addresses[i];
    auto state = probe_server(addresses[i], connection);
    if (state.ok()) {
      entry.state = std::move(*state);
    } else {
      entry.error = state.error().to_string();
      if (i < remembered.size()) entry.remembered_server_id = remembered[i];
    }
    entries.push_back(std::move(entry));
  }
  return build_topology(std::move(entries));
}

}  // namespace mzl::topology
