#pragma once
// Errant transactions: what a replica has committed that its primary never had (written on the replica
// itself, or left from an older topology). A replica with errant transactions must not be promoted: the other
// replicas would receive transactions the primary never had, and a MariaDB replica in gtid_strict_mode stops
// at the first one. Pure functions of the two states, so that both flavours are unit-tested.
#include <string>
#include <vector>

#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/topology/server_state.h"

namespace mzl::topology {

// MariaDB (https://mariadb.com/kb/en/gtid/): per domain, the GTID of the replica's gtid_binlog_pos or
// gtid_current_pos (whichever is further) that the primary's gtid_binlog_pos does not cover: a domain the
// primary never had, a higher seq_no, or the same seq_no written by another server (the histories diverged).
// A domain where the replica is merely behind is not errant, nor a GTID the primary itself wrote (its position,
// read a moment before the replica's under load, may not reach it yet). (A transaction the replica wrote below the
// primary's seq_no of the domain cannot be seen from positions; gtid_strict_mode stops replication then.)
gtid::MariaGtidPosition maria_errant(const ServerState& replica, const ServerState& primary);

// MySQL (https://dev.mysql.com/doc/refman/8.0/en/replication-gtids-concepts.html): the replica's
// gtid_executed minus the primary's, less what the primary wrote itself (its server_uuid: read under load,
// the primary's set may predate the replica's).
gtid::MysqlGtidSet mysql_errant(const ServerState& replica, const ServerState& primary);

// The errant GTIDs as text ("" when none), for either flavour; "" when the flavours differ.
std::string errant_gtids(const ServerState& replica, const ServerState& primary);

// When the primary cannot be asked (it is lost), what the replica wrote itself:
//   MariaDB: per domain, the GTID of gtid_binlog_pos / gtid_current_pos that what it applied and received as
//   a
//     replica (gtid_slave_pos and its channels' Gtid_IO_Pos) does not cover: with log_slave_updates its
//     replicated transactions are in both, a local write only in the binlog.
//   MySQL: the GTIDs of gtid_executed under its own server_uuid (a replica originates none).
std::string errant_gtids_without_primary(const ServerState& replica);

}  // namespace mzl::topology
