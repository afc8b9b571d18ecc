#pragma once
// What one server says about itself: identity, whether it takes writes, its GTID state and its replication
// channels. Parsing is a pure function of the rows the server returned (column name -> value), so both
// flavours are tested without a server: MariaDB against rows recorded from the sandbox, MySQL against rows
// written from MySQL's documentation. server_probe.h gathers the rows.
//
// Sources of the fields:
//   MariaDB: https://mariadb.com/kb/en/show-replica-status/ (SHOW ALL SLAVES STATUS: Connection_name,
//     Master_Host, Master_Port, Slave_IO_Running, Slave_SQL_Running, Seconds_Behind_Master, Last_IO_Errno,
//     Last_IO_Error, Last_SQL_Errno, Last_SQL_Error, Master_Server_Id, Using_Gtid, Gtid_IO_Pos) and
//     https://mariadb.com/kb/en/gtid/ (gtid_binlog_pos, gtid_current_pos, gtid_slave_pos, gtid_domain_id).
//   MySQL 8.0.22+: https://dev.mysql.com/doc/refman/8.0/en/show-replica-status.html (Source_Host,
//     Source_Port, Replica_IO_Running, Replica_SQL_Running, Seconds_Behind_Source, Source_Server_Id,
//     Source_UUID, Retrieved_Gtid_Set, Executed_Gtid_Set, Auto_Position, Channel_Name); before 8.0.22 the
//     same columns are spelled Master_* / Slave_* (SHOW SLAVE STATUS), which the parser also accepts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/net/server_connection.h"
#include "mzl/util/host_port.h"
#include "mzl/util/result.h"

namespace mzl::topology {

enum class Flavour { kMariaDb, kMysql };
const char* json_name(Flavour flavour);

// host:port as given with --servers or named by a replica as its source (util/host_port.h: "localhost" and
// 127.0.0.1 are one host, host names compare without case).
using ServerAddress = HostPort;

// One replication channel (MariaDB: a named connection of multi-source replication, "" the default one;
// MySQL: a channel, "" the default one).
struct ReplicationChannel {
  std::string name;
  ServerAddress source;
  std::optional<uint32_t> source_server_id;  // 0 (never connected) is nullopt
  std::string io_running;                    // "Yes", "No" or "Connecting", as the server says
  bool sql_running = false;
  std::string sql_state;  // Slave_SQL_Running_State / Replica_SQL_Running_State: what the SQL thread does
  std::string
      using_gtid;  // MariaDB Using_Gtid: "No", "Current_Pos", "Slave_Pos"; MySQL: "Auto_Position" or "No"
  std::optional<uint64_t> seconds_behind;  // NULL (nullopt) when the SQL thread is not running
  unsigned last_io_errno = 0;
  std::string last_io_error;
  unsigned last_sql_errno = 0;
  std::string last_sql_error;
  // What the IO thread has received: MariaDB Gtid_IO_Pos, MySQL Retrieved_Gtid_Set.
  gtid::MariaGtidPosition maria_received;
  gtid::MysqlGtidSet mysql_received;

  bool io_thread_running() const { return io_running == "Yes"; }
  // The SQL thread waits for more: it has applied everything in its relay log ("Slave has read all relay
  // log; waiting for more updates", MySQL 8.0.26+ "Replica has read all relay log; ...").
  bool relay_log_applied() const {
    return sql_running && sql_state.find("has read all relay log") != std::string::npos;
  }
};

struct ServerState {
  ServerAddress address;
  Flavour flavour = Flavour::kMariaDb;
  std::string version;
  uint32_t server_id = 0;
  bool read_only = false;
  bool super_read_only = false;  // MySQL only
  bool log_bin = false;
  // MariaDB (https://mariadb.com/kb/en/gtid/): the last GTID per domain written to its binlog, applied or
  // written (current), and applied by its replication threads (slave).
  uint32_t gtid_domain_id = 0;
  gtid::MariaGtidPosition gtid_binlog_pos, gtid_current_pos, gtid_slave_pos;
  // MySQL: every transaction it has committed.
  std::string server_uuid;
  gtid::MysqlGtidSet gtid_executed;
  std::vector<ReplicationChannel> channels;

  bool writable() const { return !read_only && !super_read_only; }
};

// The statement whose single row parse_server_state() reads, for a server of `flavour`.
std::string server_variables_query(Flavour flavour);
// The statement listing every replication channel.
std::string replication_channels_query(Flavour flavour);
// The flavour from @@version ("10.11.19-MariaDB-..." is MariaDB).
Flavour flavour_of_version(std::string_view version);

// One channel from one row of SHOW ALL SLAVES STATUS / SHOW REPLICA STATUS. kCorrupt naming the column when
// a value is malformed (a GTID set, a number) or a required column (the source host) is missing.
Result<ReplicationChannel> parse_replication_channel(Flavour flavour, const net::NamedRow& row);

// The state from the row of server_variables_query() and the channel rows. The flavour comes from the
// row's `version`.
Result<ServerState> parse_server_state(const ServerAddress& address, const net::NamedRow& variables,
                                       const std::vector<net::NamedRow>& channel_rows);

}  // namespace mzl::topology
