#pragma once
// Opening N connections that all see the same instant of the server, and the binlog point of that instant
// (man/mzl-snapshot.1, CONSISTENCY).
//
// Every worker session: SET NAMES binary (each column's own bytes), time_zone '+00:00' (TIMESTAMP text in
// UTC, so load with time_zone '+00:00'), sql_mode '' (PAD_CHAR_TO_FULL_LENGTH would pad CHAR),
// net_read/write_timeout 3600 s (a slow consumer), REPEATABLE READ.
//
// MariaDB: commits are blocked with BACKUP STAGE START + BACKUP STAGE BLOCK_COMMIT on a control connection
// while the workers run START TRANSACTION WITH CONSISTENT SNAPSHOT at once (one thread each) and read
// SHOW SESSION STATUS LIKE 'binlog_snapshot_%' (BACKUP STAGE END right after; 10.11 requires START first but
// lets FLUSH and BLOCK_DDL be skipped), or, when the server refuses backup stages, with FLUSH TABLES WITH
// READ LOCK. Both need the RELOAD privilege. LockInfo::seconds is the time commits were blocked, measured
// with a steady clock from the lock statement's start to the unlock's end. There is no lock-free start:
// equal binlog_snapshot_position values do not prove one instant (on MariaDB 10.11 the CI run of 2026-11-22
// saw 4 connections report the same position while one of them did not see the last transaction before it,
// 1086 vs 1087 rows), so it was removed.
//
// With lock_non_transactional FTWRL is taken and held (lock_holder) until release_lock(), so
// non-transactional tables (MyISAM, Aria, ...) can be dumped at the same instant.
//
// MySQL 8 (NOT TESTED: no MySQL server on this machine): FTWRL around opening the transactions, with
// performance_schema.log_status giving the binlog point and gtid_executed.
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
