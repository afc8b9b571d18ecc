#pragma once
// Replays a binlog archive (REPO/binlogs/<source>/, man/mzl.7) from a snapshot's coordinates up to a stop
// point, through ReplayTranslator (replay_sql.h) into a StatementSink: the second half of
// mzl-pitr-restore.
//
// Transaction-exact: the stop is decided at each transaction's first event (its GTID event), so a
// transaction is applied whole or not at all:
//  - kDatetime: transactions whose GTID event is stamped before `datetime` (the binlog's one-second
//    timestamps) are applied; the first stamped at or after it ends the replay.
//  - kGtid: up to and including the transaction with that GTID (before_gtid: excluding it). A GTID that is
//    not in the archive after the start is kNotFound, after everything up to the archive's end was applied.
//  - kPosition: transactions that start before FILE:POS are applied (POS is the offset of a transaction's
//    first event as SHOW BINLOG EVENTS or `mzl-binlog-tail --read` show it: that transaction is not).
//  - kLatest: everything archived. The last file may be being written by mzl-binlog-tail: its events up to
//    the last complete one are read, and a transaction the archive holds only part of is rolled back.
// Continuity: the files from start_file on must follow each other without a gap in their numbers
// (archive::archive_files_from(): kCorrupt naming the missing file), each whole (a file other than the last
// that ends inside an event is kCorrupt: truncated), every event's CRC32 checked (kChecksumMismatch naming
// file:offset). The files are read with archive::ArchiveReader, whose TransactionTracker decides where each
// transaction starts and ends (a GTID event, or BEGIN on servers without GTIDs).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mzl/replay/replay_sql.h"
#include "mzl/replay/statement_sink.h"
#include "mzl/util/result.h"

namespace mzl::replay {

struct ReplayStop {
  enum class Kind { kLatest, kDatetime, kGtid, kPosition };
  Kind kind = Kind::kLatest;
  int64_t datetime = 0;  // kDatetime: seconds since the epoch (UTC, like the binlog's timestamps)
  std::string gtid;      // kGtid: a MariaDB GTID "domain-server-seq" or a MySQL GTID "uuid[:tag]:n"
  bool before_gtid = false;
  std::string file;  // kPosition: a binlog file name as the server names it
  uint64_t position = 0;
};

struct ReplayProgress {
  uint64_t transactions = 0;
  uint64_t bytes = 0;  // binlog bytes read
  std::string file;
  int64_t timestamp = 0;  // of the last transaction applied
};

// A successor source that continues the history after a failover (archive/history_chain.h): read whole after
// the archive before it, which is read only up to from_gtid_position; the successor's transactions up to that
// position (its first file repeats what the predecessor holds) are not replayed again.
struct ArchiveContinuation {
  std::string archive_dir;  // REPO/binlogs/<successor>
  std::string from_gtid_position;
};

struct ReplayOptions {
  std::string archive_dir;  // REPO/binlogs/<source>
  std::string start_file;   // the snapshot's binlog coordinates
  uint64_t start_position = 4;
  ReplayStop stop;
  // The history after failovers, in order (empty: archive_dir alone). Transactions of an archive past its
  // successor's from_gtid_position (the old primary's after the fork) are not replayed.
  std::vector<ArchiveContinuation> continuations;
  bool preserve_gtids = false;  // replay each transaction under its original GTID (replay_sql.h)
  CollationNames collations;    // for the serial form
  ReplayFilter filter;          // for the serial form
  // Called at most every ~100 ms, from the replaying thread.
  std::function<void(const ReplayProgress&)> progress;
  // Called with each transaction's GTID ("" without one) at its first event, after the stop point was
  // checked; a transaction it declines is read but not applied (mzl-promote's gap fill: what the target
  // already holds). Unset: every transaction is applied.
  std::function<bool(const std::string& gtid)> wants_transaction;
};

struct ReplayStats {
  uint64_t transactions = 0;              // transactions applied
  uint64_t declined = 0;                  // transactions wants_transaction declined
  uint64_t events = 0;                    // events read after the start position
  uint64_t bytes = 0;                     // their bytes
  uint64_t files = 0;                     // files read
  uint64_t skipped_across_failovers = 0;  // transactions left out as not the history's (continuations)
  std::string last_gtid;                  // of the last transaction applied ("" when none)
  int64_t last_timestamp = 0;
  std::string end_file;  // where the replay ended: the first event not applied, or the archive's end
  uint64_t end_position = 0;
  bool stop_reached = false;              // the stop point was found (kLatest: always true)
  bool rolled_back = false;               // the archive ended inside a transaction, which was rolled back
  bool ended_inside_transaction = false;  // the archive ends inside a transaction (applied or declined)
  uint64_t skipped_statements =
      0;  // left out by the filter (ReplayFilter: statements are chosen by their db)
};

// Errors: kNotFound when the archive has no file `start_file` (naming what it has) or the stop GTID never
// came; kCorrupt / kChecksumMismatch / kUnsupported naming file:offset; kInvalidArgument for a stop GTID that
// does not parse; and the sink's errors (kServer naming the event that failed).
Result<ReplayStats> replay_archive(const ReplayOptions& options, EventApplier& applier);
// The same through one ReplayTranslator (serial) into `sink`.
Result<ReplayStats> replay_archive(const ReplayOptions& options, StatementSink& sink);

}  // namespace mzl::replay
