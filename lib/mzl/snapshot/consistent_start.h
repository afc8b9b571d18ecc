#pragma once
// Opening N connections that all see the same instant of the server, and the binlog point of that instant
// (man/mzl-snapshot.1, CONSISTENCY; snapshot.md).
//
// MariaDB: each worker runs SET NAMES binary, REPEATABLE READ, START TRANSACTION WITH CONSISTENT SNAPSHOT and
// reads SHOW SESSION STATUS LIKE 'binlog_snapshot_%'. When every worker reports the same file/position they
// see the same commit point and no lock is taken (method "none"). Otherwise they are rolled back and opened
// again (lock_free_attempts times); then commits are blocked with BACKUP STAGE START + BACKUP STAGE
// BLOCK_COMMIT on a control connection while the N transactions open (BACKUP STAGE END right after), or, when
// the server refuses backup stages, with FLUSH TABLES WITH READ LOCK. LockInfo::seconds is the time commits
// were blocked, measured with a steady clock from the lock statement's start to the unlock's end.
//
// With lock_non_transactional the lock-free path is not taken: FTWRL is taken and held (lock_holder) until
// release_lock(), so non-transactional tables (MyISAM, Aria, ...) can be dumped at the same instant.
//
// MySQL 8 (not testable here; no MySQL server on this machine): LOCK INSTANCE FOR BACKUP, then the
// transactions, then performance_schema.log_status for the binlog file/position and gtid_executed, then
// UNLOCK INSTANCE. Without log_status (MySQL < 8.0.22 privileges) it falls back to FTWRL + SHOW MASTER
// STATUS.
#include <optional>
#include <string>
#include <vector>

#include "mzl/net/connection_options.h"
#include "mzl/net/server_connection.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

struct ConsistentStartOptions {
  unsigned connections = 1;
  int lock_free_attempts = 3;  // 0: take the lock at once
  // true: take FTWRL and keep it until ConsistentStart::release_lock() (non-transactional tables are dumped).
  bool lock_non_transactional = false;
};

struct ConsistentStart {
  // Each inside START TRANSACTION WITH CONSISTENT SNAPSHOT (REPEATABLE READ), with SET NAMES binary, all at
  // the same point.
  std::vector<net::ServerConnection> workers;
  // Empty file (and gtid) when the server has no binary log (log_bin=OFF); warning about it is the caller's.
  BinlogCoordinates coordinates;
  LockInfo lock;
  // Holds FTWRL while set (lock_non_transactional); release_lock() unlocks and clears it.
  std::optional<net::ServerConnection> lock_holder;
  // Ends a held lock (no-op without one) and adds the time it was held to lock.seconds.
  Status release_lock();
  // steady-clock time the held lock was taken (meaningful only while lock_holder is set).
  double lock_started_seconds = 0;
};

// Errors: those of ServerConnection::connect; kServer when the server refuses the statements (e.g. missing
// RELOAD privilege for the lock), naming the server.
Result<ConsistentStart> open_consistent_snapshots(const net::ConnectionOptions& connection,
                                                  const ConsistentStartOptions& options);

// The server's identity for the manifest: server_uuid (MySQL; "" for MariaDB), server_id, flavour, version;
// address is the connection's description and `source` is copied.
Result<SnapshotServer> read_server_identity(net::ServerConnection& server, const std::string& source);

}  // namespace mzl::snapshot
