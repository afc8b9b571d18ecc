#pragma once
// A MariaDB server catching up from the archive with its own applier: the archive is served on a private
// loopback port (serve_listener.h, an account of this run only), the server replicates from it with GTID
// positioning until a GTID position (START SLAVE UNTIL master_gtid_pos; the sender ends the dump there), with
// slave_parallel_threads appliers, and the replica configuration is removed afterwards. The server's parallel
// applier commits in groups and is several times faster than BINLOG statements from a client (bench/pitr,
// bench/failover). Two users: mzl-pitr-restore's served replay (pitr/served_replay.h) and mzl-promote's gap
// fill (failover/gap_fill.h).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mzl/net/server_connection.h"
#include "mzl/serve/archive_end.h"
#include "mzl/util/result.h"

namespace mzl::serve {

struct CatchUpOptions {
  std::string repo;
  std::string source;      // REPO/binlogs/<source> is served
  std::string until;       // MariaDB GTID position: the server stops once it holds it in every domain
  std::string start;       // gtid_slave_pos set first ("" keeps the server's own)
  std::string connection;  // a named replication connection ("" the default one)
  unsigned parallel_threads = 1;
  // A restored primary has the archived server's server_id, and a replica ignores events of its own id: use
  // another one meanwhile. A restore's own load wrote GTIDs ahead of the archive's: gtid_strict_mode off
  // meanwhile.
  bool set_aside_server_id = false;
  bool set_aside_strict_mode = false;
  // No progress (gtid_slave_pos unchanged) for this long ends the catch-up with kServer (0: wait forever).
  std::chrono::milliseconds stall_timeout{0};
  std::function<void(const std::string& slave_pos)> progress;  // about once a second
};

// How far the served archive may be read. Defaults to the archive's state.json (the durable position it
// checkpoints); a catch-up that must read every complete transaction the files hold (a gap fill after the
// archiver stopped) passes files_as_they_are().
std::unique_ptr<ArchiveEndSource> files_as_they_are(const std::string& archive_dir);

// Runs the catch-up. Errors: kServer naming the server's SQL or IO error (an archive the server could not
// read is its error 1236 with the serve's text), kNotFound when the source has no archive.
Status catch_up_from_archive(net::ServerConnection& target, const CatchUpOptions& options,
                             ArchiveEndSource* end = nullptr);

}  // namespace mzl::serve
