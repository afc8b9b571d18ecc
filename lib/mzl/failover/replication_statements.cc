#include "mzl/failover/replication_statements.h"

#include <fmt/format.h>

#include "mzl/net/sql_text.h"

namespace mzl::failover {
namespace {

// MariaDB names a connection right after SLAVE / MASTER ('' is the default one); MySQL ends with FOR CHANNEL.
std::string maria_connection(std::string_view channel) {
  return channel.empty() ? std::string() : " " + net::quote_string(channel);
}

std::string mysql_channel(std::string_view channel) {
  return " FOR CHANNEL " + net::quote_string(channel);
}

}  // namespace

std::string stop_replication_statement(Flavour flavour, std::string_view channel) {
  if (flavour == Flavour::kMariaDb) return "STOP SLAVE" + maria_connection(channel);
  return "STOP REPLICA" + mysql_channel(channel);
}

std::string stop_io_thread_statement(Flavour flavour, std::string_view channel) {
  if (flavour == Flavour::kMariaDb) return "STOP SLAVE" + maria_connection(channel) + " IO_THREAD";
  return "STOP REPLICA IO_THREAD" + mysql_channel(channel);
}

std::string start_replication_statement(Flavour flavour, std::string_view channel) {
  if (flavour == Flavour::kMariaDb) return "START SLAVE" + maria_connection(channel);
  return "START REPLICA" + mysql_channel(channel);
}

std::string reset_replication_statement(Flavour flavour, std::string_view channel) {
  if (flavour == Flavour::kMariaDb) return "RESET SLAVE" + maria_connection(channel) + " ALL";
  return "RESET REPLICA ALL" + mysql_channel(channel);
}

std::string change_source_statement(Flavour flavour, std::string_view channel, const ServerAddress& source,
                                    const ReplicationCredentials* credentials) {
  const bool maria = flavour == Flavour::kMariaDb;
  std::string login;
  if (credentials) {
    const char* prefix = maria ? "MASTER" : "SOURCE";
    login = fmt::format(", {}_USER={}, {}_PASSWORD={}", prefix, net::quote_string(credentials->user), prefix,
                        net::quote_string(credentials->password));
  }
  if (maria) {
    return fmt::format("CHANGE MASTER{} TO MASTER_HOST={}, MASTER_PORT={}{}, MASTER_USE_GTID=slave_pos",
                       maria_connection(channel), net::quote_string(source.host), source.port, login);
  }
  return fmt::format(
      "CHANGE REPLICATION SOURCE TO SOURCE_HOST={}, SOURCE_PORT={}{}, SOURCE_AUTO_POSITION=1{}",
      net::quote_string(source.host), source.port, login, mysql_channel(channel));
}

std::string read_only_statement(Flavour flavour) {
  if (flavour == Flavour::kMariaDb) return "SET GLOBAL read_only=ON";
  return "SET GLOBAL super_read_only=ON";
}

std::string writable_statement(Flavour flavour) {
  if (flavour == Flavour::kMariaDb) return "SET GLOBAL read_only=OFF";
  return "SET GLOBAL super_read_only=OFF, GLOBAL read_only=OFF";
}

std::string privileged_writes_statement(Flavour flavour) {
  return flavour == Flavour::kMariaDb ? "" : "SET GLOBAL super_read_only=OFF";
}

std::string wait_for_gtids_statement(Flavour flavour, std::string_view gtids, double timeout_seconds) {
  if (flavour == Flavour::kMariaDb) {
    return fmt::format("SELECT MASTER_GTID_WAIT({}, {:.3f})", net::quote_string(gtids), timeout_seconds);
  }
  return fmt::format("SELECT WAIT_FOR_EXECUTED_GTID_SET({}, {:.3f})", net::quote_string(gtids),
                     timeout_seconds);
}

std::string client_sessions_query(Flavour flavour) {
  // MariaDB names its replication threads' commands Slave_IO, Slave_SQL, Slave_worker; MySQL runs them as
  // 'system user' with the command Connect (a client's command is never Connect once it is logged in).
  const char* replication_threads =
      flavour == Flavour::kMariaDb ? "'Slave_IO','Slave_SQL','Slave_worker'" : "'Connect'";
  return fmt::format(
      "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN "
      "('Binlog Dump','Binlog Dump GTID','Daemon',{}) AND USER NOT IN ('system user','event_scheduler')",
      replication_threads);
}

std::string slave_pos_from_binlog_statement() {
  return "SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos";
}

std::string reset_binary_logs_statement(Flavour) {
  return "RESET MASTER";
}

std::string set_gtid_state_statement(Flavour flavour, std::string_view gtids) {
  if (flavour == Flavour::kMariaDb) return "SET GLOBAL gtid_slave_pos = " + net::quote_string(gtids);
  return "SET GLOBAL gtid_purged = " + net::quote_string(gtids);
}

}  // namespace mzl::failover
