#pragma once
// The term of an automatic failover (mzl-promote --watch --lease, man/mzl-promote.1 WATCHING): the etcd
// revision at which the acting watcher won its lease. The new primary keeps it in a table, which replicates
// to every replica, so a promotion decided under an older term (a watcher that lost its lease while it was
// frozen or cut off, and has not noticed yet) is refused by what the servers hold, not only by etcd.
//
// Table mzl.failover_term: one row, id 1: the newest term, the watcher that acted under it, and when.
#include <cstdint>
#include <string_view>

#include "mzl/net/server_connection.h"
#include "mzl/util/result.h"

namespace mzl::failover {

inline constexpr std::string_view kTermTable = "mzl.failover_term";

// The newest term the server records; 0 when it records none (no table yet).
Result<uint64_t> recorded_term(net::ServerConnection& server);

// Records `term` (and `holder`, the watcher's name) on a writable server, keeping a newer term if the
// server already holds one. Creates the database and table when missing.
Status record_term(net::ServerConnection& server, uint64_t term, std::string_view holder);

}  // namespace mzl::failover
