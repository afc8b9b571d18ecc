#pragma once
// One replica's connection to `mzl-binlog-tail --serve` (man/mzl-binlog-tail.1, SERVING): the handshake and
// mysql_native_password authentication (TLS when a certificate is configured), the queries a replica sends
// before dumping (replica_queries.h), COM_REGISTER_SLAVE, then COM_BINLOG_DUMP (by file and position, or by
// GTID after SET @slave_connect_state on MariaDB) or MySQL's COM_BINLOG_DUMP_GTID, served by BinlogSender.
#include <atomic>
#include <chrono>
#include <string>

#include "mzl/serve/archive_end.h"
#include "mzl/serve/replica_queries.h"
#include "mzl/serve/server_packets.h"
#include "mzl/serve/tls_server_context.h"
#include "mzl/util/result.h"

namespace mzl::serve {

struct ServeConfig {
  std::string archive_dir;  // REPO/binlogs/<source>
  ServedServer server;      // what the archive's server was (state.json)
  std::string user;         // the one account replicas log in with
  NativePasswordHash password{};
  const TlsServerContext* tls = nullptr;                             // offered when set
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};  // before the dump
};

// Serves the connection `fd` (closed by the caller) until the replica quits or goes away, `stop`, or an
// error. The outcome is for the log: an authentication failure or a dump refused is also answered to the
// replica.
Status serve_connection(int fd, uint32_t connection_id, const ServeConfig& config, ArchiveEndSource& end,
                        const std::atomic<bool>& stop);

}  // namespace mzl::serve
