#pragma once
// `mzl-verify tables`: do two live servers hold the same rows? (man/mzl-verify.1, TABLES)
//
// Both sides are read at one instant of the source. The source opens `threads` transactions WITH CONSISTENT
// SNAPSHOT at one binlog point (snapshot/consistent_start.h: commits blocked for a few ms) and its GTID
// position is read. When the target is a replica (SHOW SLAVE STATUS has a row), it was stopped (STOP SLAVE)
// before that, and is then run up to exactly that GTID (START SLAVE UNTIL master_gtid_pos; MASTER_GTID_WAIT),
// its own transactions opened there, and started again (START SLAVE) right away, also when anything fails:
// the replica applies nothing for a moment, but replication lag is never reported as a difference. Any other
// target is read as it is (it should not be written to meanwhile).
//
// First both sides run CHECKSUM TABLE (in the open snapshots) on every table: equal checksums mean equal
// rows, and are all most tables need. The others are split by primary key like mzl-snapshot's chunks
// (snapshot/chunk_planner.h); every chunk's rows are summarised on both sides by the same query, COUNT(*) and
// BIT_XOR and SUM of CRC32 over each row's columns (CONCAT_WS('#', the columns as bytes, then the NULL flags
// of every column, so NULL and '' differ). For a chunk that differs, both sides' rows (key and CRC32) are
// read in key order and matched: each row only on the source, only on the target, or different is named by
// its key (up to max_row_differences per table). A table on one side only, or with different columns, is a
// Problem; a table without a key is compared whole, and its differing rows cannot be named.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/net/connection_options.h"
#include "mzl/snapshot/catalog.h"
#include "mzl/util/result.h"
#include "mzl/verify/problem.h"

namespace mzl::verify {

struct ServerCompareOptions {
  net::ConnectionOptions source, target;
  snapshot::CatalogFilter filter;  // --databases / --tables / --exclude, as mzl-snapshot
  unsigned threads = 2;            // connections per server
  uint64_t chunk_rows = 100'000;   // rows per checksum chunk (tables estimated larger are split)
  uint64_t max_row_differences = 100;
  bool checksum_table_first = true;        // false: every table by chunks (--chunks-only)
  std::chrono::seconds replica_wait{300};  // how long the target replica may take to reach the GTID
};

struct ChunkDifference {
  std::string table;  // `db`.`t`
  std::string range;  // the chunk's WHERE ("" = the whole table)
  uint64_t source_rows = 0, target_rows = 0;
};

struct RowDifference {
  std::string table;
  std::string key;   // "id=42" or "a=1,b='x'"
  std::string what;  // "only on the source", "only on the target", "differs"
};

struct ServerCompareReport {
  std::string source, target;  // ConnectionOptions::describe()
  std::string gtid;            // the source's GTID position both sides were compared at ("" without binlog)
  bool target_is_replica = false;
  uint64_t tables = 0;                    // compared (present on both sides with the same columns)
  uint64_t tables_equal_by_checksum = 0;  // of those, found equal by CHECKSUM TABLE alone
  uint64_t chunks = 0, source_rows = 0;   // chunk comparisons of the others, and the source rows they held
  double lock_seconds = 0;  // how long the source's commits were blocked to open its snapshots (usually 0)
  std::vector<Problem> problems;  // where = `db`.`t`
  std::vector<ChunkDifference> chunk_differences;
  std::vector<RowDifference> row_differences;
  uint64_t difference_count() const { return problems.size() + chunk_differences.size(); }
  bool ok() const { return difference_count() == 0; }
};

// Errors stop the comparison: those of connecting (kAuth, kNetwork, kServer naming the server); kServer when
// the replica cannot be stopped/started or does not reach the GTID within replica_wait; kInvalidArgument for
// threads 0. Differences are in the report.
Result<ServerCompareReport> compare_servers(const ServerCompareOptions& options);

std::string describe_server_compare(const ServerCompareReport& report, bool json);

}  // namespace mzl::verify
