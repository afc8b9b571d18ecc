#include "mzl/topology/server_probe.h"

namespace mzl::topology {

net::ConnectionOptions options_for(const ServerAddress& address, net::ConnectionOptions connection) {
  // "localhost" would mean the Unix socket to libmariadb; --servers names TCP endpoints.
  connection.host = address.host == "localhost" ? "127.0.0.1" : address.host;
  connection.port = address.port;
  connection.socket.clear();
  return connection;
}

Result<ServerState> read_server_state(net::ServerConnection& server, const ServerAddress& address) {
  const Flavour flavour = server.is_mariadb() ? Flavour::kMariaDb : Flavour::kMysql;
  MZL_TRY(auto variables, server.query_named(server_variables_query(flavour)));
  if (variables.size() != 1) {
    return Error(ErrorCode::kServer, "the server variables query returned no row").at_r(address.to_string());
  }
  MZL_TRY(auto channels, server.query_named(replication_channels_query(flavour)));
  return parse_server_state(address, variables[0], channels);
}

Result<ServerState> probe_server(const ServerAddress& address, const net::ConnectionOptions& connection) {
  MZL_TRY(auto server, net::ServerConnection::connect(options_for(address, connection)));
  return read_server_state(server, address);
}

}  // namespace mzl::topology
