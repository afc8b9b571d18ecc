#pragma once
// Gathering a server's state: the only part of topology/ that talks to a server (through
// net::ServerConnection); what it reads is parsed by server_state.h.
#include "mzl/net/connection_options.h"
#include "mzl/net/server_connection.h"
#include "mzl/topology/server_state.h"
#include "mzl/util/result.h"

namespace mzl::topology {

// `connection` with the host and port of `address` (TCP, so the socket is dropped).
net::ConnectionOptions options_for(const ServerAddress& address, net::ConnectionOptions connection);

// Reads the state over an open connection: the variables, then the replication channels.
Result<ServerState> read_server_state(net::ServerConnection& server, const ServerAddress& address);

// Connects to `address` and reads its state. Errors are those of connect() and of the queries, naming the
// server.
Result<ServerState> probe_server(const ServerAddress& address, const net::ConnectionOptions& connection);

}  // namespace mzl::topology
