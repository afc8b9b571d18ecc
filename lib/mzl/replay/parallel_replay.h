#pragma once
// Parallel replay: the archive's transactions applied over several sessions of the target at once, with the
// same resulting data as a serial replay.
//
// Dependencies by write sets (as MySQL's binlog_transaction_dependency_tracking=WRITESET does on a source):
// each transaction's row events are decoded, and every row image (before and after) gives one key per unique
// index of its table (the PRIMARY KEY and UNIQUE keys, read from the target's information_schema), a hash of
// the table and the index's values. Two transactions that share a key touched the same row (an update's
// after image is the next change's before image) or compete for the same unique value. A transaction that
// shares keys only with transactions queued on one session is queued behind them on that session (the
// session applies in order); one that shares keys with transactions on several sessions waits until those
// are done; one that shares none goes to the least busy session. Key values that a collation could compare
// equal in ways the bytes do not show (strings, ENUM, SET, JSON...), a unique index whose column is missing
// from an image (binlog_row_image=MINIMAL) and tables without a unique index give a key for the whole table
// instead: those transactions follow one another.
//
// Applied alone, in binlog order, after every earlier transaction is done and before any later one starts
// (on the first session, whose session state the statements need): a transaction with any statement
// (QUERY other than BEGIN/COMMIT: DDL, statement-logged DML, temporary tables), INTVAR/RAND/USER_VAR, a
// table with or referenced by a FOREIGN KEY (cascades are not in the binlog: the target runs them), a row
// event that does not decode, and a transaction larger than max_buffered_bytes, which is streamed instead of
// held in memory. Memory: at most max_queued transactions of at most max_buffered_bytes each per session.
//
// Commit order is not preserved between independent transactions: the data is the same, the target's
// binlog order (and so its GTIDs) may differ. replay with preserved GTIDs is serial (pitr_restore.h).
#include <cstdint>
#include <memory>

#include "mzl/net/connection_options.h"
#include "mzl/replay/replay_sql.h"
#include "mzl/util/result.h"

namespace mzl::replay {

struct ParallelReplayOptions {
  net::ConnectionOptions target;
  unsigned sessions = 4;
  bool write_binlog = true;  // false: sql_log_bin=0 in every session
  CollationNames collations;
  ReplayFilter filter;
  size_t max_buffered_bytes = 16 << 20;
  size_t max_queued = 16;  // transactions waiting per session
};

struct ParallelReplayStats {
  uint64_t parallel = 0;  // transactions scheduled by their keys
  uint64_t alone = 0;     // transactions applied alone
  uint64_t waits = 0;     // times a transaction waited for others to finish first
  // The most transactions being applied at the same moment (1 when everything ran one after the other).
  uint64_t peak_in_flight = 0;
  // Transactions scheduled while an earlier one sharing a key was still queued or being applied: they were
  // queued behind it on its session or waited for it, so they never ran alongside it.
  uint64_t conflicts = 0;
};

class ParallelApplier : public EventApplier {
 public:
  // Connects the sessions (errors as ServerConnection::connect).
  static Result<std::unique_ptr<ParallelApplier>> create(const ParallelReplayOptions& options);
  ~ParallelApplier() override;

  Status add(const archive::ArchiveEvent& event) override;
  bool in_transaction() const override;
  Status finish() override;
  uint64_t skipped_statements() const override;

  ParallelReplayStats stats() const;

  class Impl;

 private:
  explicit ParallelApplier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mzl::replay
