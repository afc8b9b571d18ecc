#include "mzl/failover/server_control.h"

#include <thread>

#include <fmt/format.h>

#include "mzl/failover/replication_statements.h"
#include "mzl/topology/server_probe.h"

namespace mzl::failover {

using topology::Flavour;

Result<ControlledServer> ControlledServer::connect(const topology::ServerAddress& address,
                                                   const net::ConnectionOptions& connection) {
  MZL_TRY(auto server, net::ServerConnection::connect(topology::options_for(address, connection)));
  const Flavour flavour = server.is_mariadb() ? Flavour::kMariaDb : Flavour::kMysql;
  return ControlledServer(address, flavour, std::move(server));
}

Result<topology::ServerState> ControlledServer::state() {
  return topology::read_server_state(connection_, address_);
}

Status ControlledServer::run(const std::string& sql, std::string_view action, bool show_statement) {
  Status done = connection_.execute(sql);
  if (!done.ok()) {
    Error error = std::move(done).error();
    error.message = show_statement ? fmt::format("{} ({}): {}", action, sql, error.message)
                                   : fmt::format("{}: {}", action, error.message);
    return std::move(error).at_r(name());
  }
  return ok_status();
}

Status ControlledServer::stop_io_thread(std::string_view channel) {
  return run(stop_io_thread_statement(flavour_, channel), "stopping the replication IO thread");
}
Status ControlledServer::stop_replication(std::string_view channel) {
  return run(stop_replication_statement(flavour_, channel), "stopping replication");
}
Status ControlledServer::start_replication(std::string_view channel) {
  return run(start_replication_statement(flavour_, channel), "starting replication");
}
Status ControlledServer::reset_replication(std::string_view channel) {
  return run(reset_replication_statement(flavour_, channel), "removing the replica configuration");
}
Status ControlledServer::change_source(std::string_view channel, const topology::ServerAddress& source,
                                       const ReplicationCredentials* credentials) {
  return run(change_source_statement(flavour_, channel, source, credentials),
             fmt::format("pointing replication at {}", source.to_string()), credentials == nullptr);
}
Status ControlledServer::set_read_only() {
  return run(read_only_statement(flavour_), "making the server read-only");
}
Status ControlledServer::set_writable() {
  return run(writable_statement(flavour_), "making the server writable");
}
Status ControlledServer::allow_privileged_writes() {
  const std::string sql = privileged_writes_statement(flavour_);
  if (sql.empty()) return ok_status();
  return run(sql, "letting privileged sessions write (read_only stays on)");
}

Status ControlledServer::slave_pos_from_binlog() {
  if (flavour_ != Flavour::kMariaDb) return ok_status();
  return run(slave_pos_from_binlog_statement(), "setting gtid_slave_pos from the binlog");
}

Status ControlledServer::reset_to_gtid_state(std::string_view gtids) {
  MZL_CHECK(run(reset_binary_logs_statement(flavour_), "dropping the binary logs"));
  return run(set_gtid_state_statement(flavour_, gtids), "setting the GTID state");
}

Result<bool> ControlledServer::wait_for_gtids(std::string_view gtids, std::chrono::milliseconds timeout) {
  const std::string sql = wait_for_gtids_statement(flavour_, gtids, timeout.count() / 1000.0);
  auto answer = connection_.scalar(sql);
  if (!answer.ok()) {
    Error error = std::move(answer).error();
    error.message = fmt::format("waiting for {} to be applied: {}", gtids, error.message);
    return std::move(error).at_r(name());
  }
  // MASTER_GTID_WAIT: 0 applied, -1 timeout; WAIT_FOR_EXECUTED_GTID_SET: 0 applied, 1 timeout.
  return answer->has_value() && **answer == "0";
}

Result<bool> ControlledServer::wait_relay_log_applied(std::string_view channel_name,
                                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    MZL_TRY(const topology::ServerState now, state());
    const topology::ReplicationChannel* channel = nullptr;
    for (const auto& c : now.channels)
      if (c.name == channel_name) channel = &c;
    if (channel == nullptr) {
      return Error(ErrorCode::kServer, fmt::format("has no replication channel '{}'", channel_name))
          .at_r(name());
    }
    if (!channel->sql_running) {
      if (channel->last_sql_errno != 0) {
        return Error(ErrorCode::kServer,
                     fmt::format("its SQL thread stopped with error {}: {}; it cannot apply what it received",
                                 channel->last_sql_errno, channel->last_sql_error))
            .at_r(name());
      }
      return Error(ErrorCode::kServer,
                   "its SQL thread is stopped: it does not apply what it received (START SLAVE SQL_THREAD, "
                   "or choose another candidate)")
          .at_r(name());
    }
    const bool applied = flavour_ == Flavour::kMariaDb ? now.gtid_slave_pos.contains(channel->maria_received)
                                                       : now.gtid_executed.contains(channel->mysql_received);
    if (applied || channel->relay_log_applied()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Result<unsigned> ControlledServer::kill_client_sessions() {
  auto rows = connection_.query(client_sessions_query(flavour_));
  if (!rows.ok()) return std::move(rows).error().at_r(name());
  unsigned killed = 0;
  for (const auto& row : *rows) {
    if (row.empty() || !row[0]) continue;
    // A session that ended meanwhile is no failure (ER_NO_SUCH_THREAD).
    if (connection_.execute("KILL CONNECTION " + *row[0]).ok()) ++killed;
  }
  return killed;
}

}  // namespace mzl::failover
