#pragma once
// A returned old primary's extra transactions: those it committed after the fork (the new primary's state
// when it became writable, repo/failover_record.h) and that the cluster never had: committed on it, never
// acknowledged by a semi-sync replica or the archive. mzl-promote --rejoin lists them, saves them, and with
// --flashback undoes them before the server replicates from the new primary.
//
// Saving: the server's binary logs from the file that holds the fork on (the newest whose GTID list, MariaDB
// Gtid_list / MySQL Previous_gtids, the fork holds) are copied over the replication protocol into
// DIR/binlogs/extra/ (archive/tail_session.h, byte-exact, fsynced), and the extra transactions are written as
// SQL to DIR/extra.sql (the replay's text form: `mariadb < extra.sql` applies them again), made durable
// before it is reported. Undoing: replay/flashback.h over that copy, from the first extra transaction to the
// end, on the server with sql_log_bin=0 (the undo must not become transactions of its own).
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/failover/held_transactions.h"
#include "mzl/failover/server_control.h"
#include "mzl/replay/flashback.h"
#include "mzl/util/result.h"

namespace mzl::failover {

struct ExtraTransactions {
  std::string dir;          // where they were saved
  std::string archive_dir;  // dir/binlogs/extra: the copy of the server's binary logs
  std::string start_file;
  std::vector<std::string> gtids;  // in binlog order
  std::string sql_path;            // dir/extra.sql
};

// Copies and saves as described above. `dir` is created 0700. Errors name the server or the file.
Result<ExtraTransactions> save_extra_transactions(ControlledServer& server,
                                                  const net::ConnectionOptions& connection,
                                                  const HeldTransactions& fork, const std::string& dir);

// Undoes them on the server (flashback), newest first.
Result<replay::FlashbackStats> undo_extra_transactions(const ExtraTransactions& extra,
                                                       const net::ConnectionOptions& connection);

}  // namespace mzl::failover
