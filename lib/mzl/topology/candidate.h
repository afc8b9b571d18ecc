#pragma once
// Choosing the replica to promote. Pure (tests build topologies by hand):
//  1. Only reachable replicas are candidates; those named by --never, those with errant transactions
//     (errant.h) and broken ones (is_broken) are excluded and named.
//  2. The most complete data wins: what a replica has executed plus what it has received and not yet applied
//     (it applies its relay log before it is promoted), not merely what it has executed; orchestrator's
//     choice by executed GTIDs alone can pick a replica that retrieved less. MariaDB: per domain the further
//     of gtid_slave_pos and the channel's Gtid_IO_Pos; MySQL: gtid_executed union Retrieved_Gtid_Set.
//     The winner's data must contain every other candidate's; when no candidate's does (their histories
//     diverged), nothing is chosen.
//  3. Among candidates with equal data: the first --prefer server, then the order given with --servers.
#include <optional>
#include <string>
#include <vector>

#include "mzl/topology/topology.h"

namespace mzl::topology {

struct CandidateRules {
  std::vector<ServerAddress> prefer;
  std::vector<ServerAddress> never;
};

struct CandidateChoice {
  std::optional<size_t> chosen;       // index into Topology::servers
  std::string reason;                 // one sentence: why this one, or why none
  std::vector<std::string> excluded;  // "host:port: why", in the order given
  std::vector<std::string> data;      // "host:port: <executed plus received>", each candidate considered
};

// A replica whose SQL thread stopped with an error: it applies nothing, so it is never promoted (nor
// repointed: its error must be repaired first).
bool is_broken(const ReplicationChannel& channel);

// What a replica holds, executed plus received, as text (MariaDB position or MySQL set).
std::string candidate_data_text(const Topology& topology, size_t server);

CandidateChoice choose_candidate(const Topology& topology, const CandidateRules& rules);

}  // namespace mzl::topology
