#pragma once
// Flashback (`mzl-pitr-restore --flashback`): undo the row changes of a range of the archive in place, the
// way `mariadb-binlog --flashback` does: every ROWS event of the range inverted (WRITE <-> DELETE, an
// UPDATE's before and after images swapped), the rows of each event and the events of each transaction in
// reverse order, the transactions newest first; each inverted event follows its TABLE_MAP in a BINLOG
// statement, one transaction at a time (BEGIN ... COMMIT).
//
// Range: the transactions from the first one at or after `start` (kDatetime: stamped at or after it;
// kGtid: that transaction; kPosition: starting at or after FILE:POS) up to `stop` (replay_archive.h's stop
// semantics; kLatest: the archive's end). Only the tables `databases` / `tables` name, when given.
// Needs binlog_row_image=FULL on the source: an image with columns missing cannot restore the row (refused).
// Refused (kUnsupported naming file:offset): a statement in the range (DDL, statement-logged DML; in the
// selected databases when filtered), MySQL PARTIAL_UPDATE_ROWS, and what replay refuses.
//
// Memory: the inverted transactions are spooled to an unlinked temporary file in `spool_dir` and read back
// newest first; one transaction is held at a time.
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/replay/replay_archive.h"
#include "mzl/replay/statement_sink.h"
#include "mzl/util/result.h"

namespace mzl::replay {

struct FlashbackOptions {
  std::string archive_dir;  // REPO/binlogs/<source>
  ReplayStop start;         // kDatetime, kGtid or kPosition
  ReplayStop stop;
  std::vector<std::string> databases;  // empty: all
  std::vector<std::string> tables;     // "db.table"; empty: all
  std::string spool_dir = "/tmp";
};

struct FlashbackStats {
  uint64_t transactions = 0;  // transactions undone (those with selected row changes)
  uint64_t row_events = 0;
  uint64_t rows = 0;
  std::string first_gtid, last_gtid;  // of the range's first and last transaction undone
};

// Errors: kNotFound when the start point is not in the archive; those of replay_archive(); kIo for the spool.
Result<FlashbackStats> flashback(const FlashbackOptions& options, StatementSink& sink);

}  // namespace mzl::replay
