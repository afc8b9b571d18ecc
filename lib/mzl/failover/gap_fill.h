#pragma once
// Filling a candidate's gap from the binlog archive: every transaction that REPO/binlogs/<source>/ holds and
// the candidate lacks is applied to it, under its original GTID (so that the other replicas receive it from
// the candidate once they follow it), before the candidate takes writes. The archive is read from the first
// file holding a transaction the candidate lacks (state.json names each closed file's last GTID) to its end.
// Two paths, the same transactions:
//   served: a MariaDB candidate that logs what it replicates (log_slave_updates) replicates the gap from the
//     archive served on a private loopback port with its own parallel applier (serve/catch_up.h, a named
//     connection 'mzl_gap_fill', 8 threads), which commits in groups: several times faster than one client
//     committing each transaction with its own fsync (bench/failover);
//   statements: mzl-pitr-restore's replay (replay/replay_archive.h, serial, preserve_gtids), told by
//     wants_transaction which transactions the candidate already holds: for MySQL, for a candidate without
//     log_slave_updates (its applier would not log the gap, and the other replicas must receive it from
//     the candidate), and for whatever a served fill that failed left (MZL_GAP_FILL_STATEMENTS=1 forces it).
//
// The verdict: per domain (MariaDB) or as a set (MySQL), the transactions the archive holds complete. In
// --semi-sync mode mzl-binlog-tail acknowledges a transaction only once it is complete and fsynced in the
// archive, so every transaction a client saw committed is among them; "nothing acknowledged lost" is the new
// primary holding all of them.
#include <cstdint>
#include <string>

#include "mzl/failover/held_transactions.h"
#include "mzl/failover/server_control.h"
#include "mzl/topology/server_state.h"
#include "mzl/util/result.h"

namespace mzl::failover {

// The source whose archive the gap fill reads: `source` when given (kNotFound when the repository has no
// such archive); otherwise the one archive whose server_id is the old primary's (kNotFound naming the
// sources when none or several are).
Result<std::string> choose_archive_source(const std::string& repo, const std::string& source,
                                          uint32_t old_primary_server_id);

struct GapFill {
  std::string source;
  std::string archive_dir;
  std::string start_file;     // the first archive file read
  uint64_t applied = 0;       // transactions applied (dry run: that would be)
  uint64_t already_held = 0;  // transactions read that the candidate held
  std::string first_applied_gtid, last_applied_gtid;
  std::string acknowledged;  // the archive's complete transactions (MariaDB position / MySQL set)
  uint64_t bytes = 0;
  std::string path;  // "served", "statements", or "served, then statements (<why>)"
};

// Applies the gap to `candidate`, whose state (before the fill) is `candidate_state`. With dry_run nothing is
// applied: the gap is only counted. Errors: those of the replay (kCorrupt / kChecksumMismatch naming
// file:offset; kServer naming the candidate and the event that failed).
Result<GapFill> fill_gap_from_archive(const std::string& repo, const std::string& source,
                                      ControlledServer* candidate,
                                      const topology::ServerState& candidate_state, bool dry_run);

}  // namespace mzl::failover
