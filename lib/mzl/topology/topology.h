#pragma once
// The replication topology as the reachable servers describe it: who replicates from whom, which server is
// the primary, which servers could not be reached, and which replicas hold errant transactions.
// build_topology() is a pure function of the gathered states (tests build them by hand); discover_topology()
// gathers them (server_probe.h) and calls it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "mzl/net/connection_options.h"
#include "mzl/topology/server_state.h"

namespace mzl::topology {

// One server given with --servers, and what it said (or why it said nothing).
struct ServerEntry {
  ServerAddress address;
  std::optional<ServerState> state;  // nullopt: unreachable
  std::string error;                 // the connection or query error when unreachable
  // Its server_id as a caller last saw it (mzl-promote --watch remembers them): lets an unreachable server
  // still be matched, by server_id, to the replicas that name it by another address than --servers does.
  std::optional<uint32_t> remembered_server_id;

  bool reachable() const { return state.has_value(); }
};

struct ErrantReplica {
  size_t server = 0;  // index into Topology::servers
  std::string gtids;  // the errant GTIDs (errant.h)
};

struct Topology {
  std::vector<ServerEntry> servers;  // in the order given
  // Per server: the given server it replicates from, and the index of the channel that does (in its state's
  // channels). A channel is matched by its source host:port, then by the source's server_id.
  std::vector<std::optional<size_t>> source_of;
  std::vector<std::optional<size_t>> channel_of;
  // The primary: the one given server that replicas name as their source and that replicates from none of
  // the given servers; without replicas naming one, the only writable reachable server that replicates from
  // none. It may be unreachable (every replica names it but it did not answer). nullopt when it cannot be
  // told (none, or several: `notes` says why).
  std::optional<size_t> primary;
  std::vector<size_t> replicas;  // the reachable servers other than the primary, in the order given
  std::vector<ErrantReplica> errant;
  std::vector<std::string> notes;  // why the primary could not be told, and other oddities

  size_t reachable_count() const;
  const ServerState* state(size_t i) const { return servers[i].state ? &*servers[i].state : nullptr; }
  const ReplicationChannel* channel(size_t i) const;  // the channel of source_of[i], if any
  // The reachable replicas whose channel replicates from the primary (none without a primary).
  std::vector<size_t> replicas_of_primary() const;
  // A replica of the primary whose IO thread is still connected to it ("" when none): while there is one,
  // the primary is alive, whatever an observer that cannot reach it thinks.
  std::string replica_still_receiving() const;
};

Topology build_topology(std::vector<ServerEntry> servers);

// Connects to every address with `connection` (host and port replaced), reads its state, and builds the
// topology. A server that cannot be reached or read is an unreachable entry, not an error.
Topology discover_topology(const std::vector<ServerAddress>& addresses,
                           const net::ConnectionOptions& connection);
// The same, with the server_ids last seen of the addresses (remembered[i] for addresses[i]; shorter or
// nullopt: none) set as each unreachable entry's remembered_server_id.
Topology discover_topology(const std::vector<ServerAddress>& addresses,
                           const net::ConnectionOptions& connection,
                           const std::vector<std::optional<uint32_t>>& remembered);

}  // namespace mzl::topology
