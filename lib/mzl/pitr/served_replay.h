#pragma once
// mzl-pitr-restore's served replay (man/mzl-pitr-restore.1, --replay-mode): after the snapshot is loaded the
// archive is served on a private loopback port (serve/serve_listener.h) and the target replicates the range
// from it with its own applier (slave_parallel_threads = --replay-threads), from the snapshot's GTID position
// to the stop point (START SLAVE UNTIL master_gtid_pos), then forgets it was a replica. The server's applier
// is several times faster than BINLOG statements (bench/pitr). Where it cannot express the restore (MySQL, a
// partial or renamed restore, a history across failovers, several GTID domains, --sql) the statement replay
// (replay_archive.h) is used.
#include <string>

#include "mzl/net/server_connection.h"
#include "mzl/pitr/pitr_plan.h"
#include "mzl/replay/replay_archive.h"
#include "mzl/util/result.h"

namespace mzl::pitr {

// "" when the served replay can do this restore into `target`, else why not (for --replay-mode server's
// error). Besides the restore itself, the target decides: it must not be a replica already (the served replay
// uses its default replication connection), and its log_slave_updates must match what the restore writes to
// its binary log (the applier logs the replayed transactions, under their original GTIDs, exactly when it is
// on: --no-binlog needs it off, a logged restore on).
std::string served_replay_unsuitable(const PitrOptions& options, const PitrPlan& plan,
                                     net::ServerConnection& target);

// Replays the plan's range into the target through the served archive. stats: transactions (the GTIDs between
// the snapshot and the stop), last_gtid, stop_reached. Errors: kServer naming the replica's SQL or IO error.
Result<replay::ReplayStats> served_replay(const PitrOptions& options, const PitrPlan& plan,
                                          net::ServerConnection& target);

}  // namespace mzl::pitr
