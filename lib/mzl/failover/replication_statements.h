#pragma once
// The statements mzl-promote sends, per flavour. Pure, so that the MySQL forms (no MySQL server installs
// here) are unit-tested against the manual as the MariaDB ones are against a real server.
//   MariaDB: https://mariadb.com/kb/en/stop-replica/, reset-replica/, change-master-to/, start-replica/,
//     master_gtid_wait/ (MASTER_USE_GTID=slave_pos: the replica asks from its gtid_slave_pos).
//   MySQL 8.0.23+: STOP/RESET/START REPLICA ... FOR CHANNEL, CHANGE REPLICATION SOURCE TO ...
//     SOURCE_AUTO_POSITION=1 (https://dev.mysql.com/doc/refman/8.0/en/change-replication-source-to.html),
//     WAIT_FOR_EXECUTED_GTID_SET (https://dev.mysql.com/doc/refman/8.0/en/gtid-functions.html),
//     super_read_only (setting it also sets read_only; clearing read_only also clears it).
#include <string>
#include <string_view>

#include "mzl/topology/server_state.h"

namespace mzl::failover {

using topology::Flavour;
using topology::ServerAddress;

std::string stop_replication_statement(Flavour flavour, std::string_view channel);
std::string stop_io_thread_statement(Flavour flavour, std::string_view channel);
std::string start_replication_statement(Flavour flavour, std::string_view channel);
// Forgets the channel altogether (its source, position and relay logs).
std::string reset_replication_statement(Flavour flavour, std::string_view channel);
// The account a replica logs in to its source with.
struct ReplicationCredentials {
  std::string user;
  std::string password;
};

// Points the channel at `source`, positioned by GTID. Without credentials the user and password set before
// stay (a replica being repointed); a server that was no replica (a demoted primary) needs them. The
// statement then holds the password: it must not be shown in messages.
std::string change_source_statement(Flavour flavour, std::string_view channel, const ServerAddress& source,
                                    const ReplicationCredentials* credentials = nullptr);
// The read_only statements, in order: MySQL sets super_read_only too, so that no SUPER session writes.
std::string read_only_statement(Flavour flavour);
std::string writable_statement(Flavour flavour);
// What lets this session write to a read-only server while its clients still cannot: MySQL clears
// super_read_only (which stops even SUPER sessions) and keeps read_only; MariaDB needs nothing (READ ONLY
// ADMIN or SUPER writes through read_only). "" when nothing is needed.
std::string privileged_writes_statement(Flavour flavour);
// SELECT returning 0 when the server has applied `gtids` (a MariaDB position / a MySQL set) within
// `timeout_seconds`; MariaDB -1 and MySQL 1 on timeout.
std::string wait_for_gtids_statement(Flavour flavour, std::string_view gtids, double timeout_seconds);
// The client sessions to end when fencing: everything but this session, the replication threads and the
// binlog dumps to replicas and archivers (their ids, one row each).
std::string client_sessions_query(Flavour flavour);
// MariaDB: a demoted primary's binlog already holds every transaction it has; it replicates from the new
// primary from there (what MariaDB's documentation and MaxScale do when a primary becomes a replica).
std::string slave_pos_from_binlog_statement();
// A rejoining old primary whose extra transactions were undone: its binary logs (which still name them) are
// dropped and its GTID state set to the fork, so that it replicates the new primary's history from there.
// MariaDB: RESET MASTER, then gtid_slave_pos; MySQL: RESET MASTER, then gtid_purged (which also sets
// gtid_executed, https://dev.mysql.com/doc/refman/8.0/en/replication-options-gtids.html#sysvar_gtid_purged).
std::string reset_binary_logs_statement(Flavour flavour);
std::string set_gtid_state_statement(Flavour flavour, std::string_view gtids);

}  // namespace mzl::failover
