#pragma once
// One server that mzl-promote acts on: a connection, its flavour, and the actions of a promotion, each
// sending the statements of replication_statements.h. Every error names the server (host:port) and the
// action, so that the record and the message say where a promotion stopped.
#include <chrono>
#include <string>
#include <string_view>

#include "mzl/failover/replication_statements.h"
#include "mzl/net/connection_options.h"
#include "mzl/net/server_connection.h"
#include "mzl/topology/server_state.h"
#include "mzl/util/result.h"

namespace mzl::failover {

class ControlledServer {
 public:
  static Result<ControlledServer> connect(const topology::ServerAddress& address,
                                          const net::ConnectionOptions& connection);

  const topology::ServerAddress& address() const { return address_; }
  std::string name() const { return address_.to_string(); }
  topology::Flavour flavour() const { return flavour_; }
  net::ServerConnection& connection() { return connection_; }

  // What the server says about itself now (topology/server_probe.h).
  Result<topology::ServerState> state();

  Status stop_io_thread(std::string_view channel);
  Status stop_replication(std::string_view channel);
  Status start_replication(std::string_view channel);
  Status reset_replication(std::string_view channel);
  Status change_source(std::string_view channel, const topology::ServerAddress& source,
                       const ReplicationCredentials* credentials = nullptr);
  Status set_read_only();
  Status set_writable();
  // Lets this session write while the server stays read-only for its clients (privileged_writes_statement).
  Status allow_privileged_writes();
  // MariaDB: gtid_slave_pos := gtid_binlog_pos (a demoted primary replicates from what its binlog holds).
  Status slave_pos_from_binlog();
  // Drops the binary logs and sets the GTID state to `gtids` (replication_statements.h).
  Status reset_to_gtid_state(std::string_view gtids);

  // Waits until the server has applied `gtids` (a MariaDB position / MySQL set). false on timeout.
  Result<bool> wait_for_gtids(std::string_view gtids, std::chrono::milliseconds timeout);

  // Waits until the SQL thread of `channel` has applied everything its IO thread received (the replica
  // applies its relay log before it is promoted): its executed GTIDs contain the received ones, or the
  // thread says it has read all of its relay log. kServer naming the SQL thread's error when it stopped
  // with one; false on timeout.
  Result<bool> wait_relay_log_applied(std::string_view channel, std::chrono::milliseconds timeout);

  // Ends every client session but this one and the replication threads (fencing). Returns how many.
  Result<unsigned> kill_client_sessions();

 private:
  ControlledServer(topology::ServerAddress address, topology::Flavour flavour,
                   net::ServerConnection connection)
      : address_(std::move(address)), flavour_(flavour), connection_(std::move(connection)) {}
  // Runs `sql`; an error names the action and, unless it holds a secret, the statement.
  Status run(const std::string& sql, std::string_view action, bool show_statement = true);

  topology::ServerAddress address_;
  topology::Flavour flavour_;
  net::ServerConnection connection_;
};

}  // namespace mzl::failover
