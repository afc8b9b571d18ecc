#pragma once
// Replication lag as pt-heartbeat measures it (man/mzl-promote.1, WATCHING): the watcher writes a row with a
// microsecond UTC timestamp into a table on the primary each check; a replica's lag is how long ago the
// newest row it has applied was written (by its own clock: the servers' clocks must agree, as for
// pt-heartbeat; NTP keeps them within milliseconds). The row replicates like any write, so the figure
// includes every stage: the primary's commit, the IO thread, the relay log, the applier.
//
// Table (default mzl.heartbeat, created on the primary if missing, and replicated from there):
//   server_id INT UNSIGNED PRIMARY KEY  -- the primary that wrote the row (its server_id, written as a
//                                          literal: @@server_id would be the replica's own under
//                                          binlog_format=STATEMENT, as pt-heartbeat notes)
//   ts        DATETIME(6)               -- UTC_TIMESTAMP(6) at the write
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mzl/net/server_connection.h"
#include "mzl/util/result.h"

namespace mzl::watch {

class Heartbeat {
 public:
  // `table` as "database.table" (kInvalidArgument naming --heartbeat-table otherwise).
  static Result<Heartbeat> for_table(std::string_view table);

  // Writes the primary's row (creating database and table the first time). Returns the primary's GTID state
  // after the write (MariaDB gtid_binlog_pos, MySQL gtid_executed): the archive holds this beat once its
  // position reaches it.
  Result<std::string> beat(net::ServerConnection& primary, uint32_t primary_server_id, bool mariadb);

  // Seconds since the newest row of `primary_server_id` that `replica` holds was written; nullopt when it
  // holds none yet (the table or the row has not reached it).
  Result<std::optional<double>> lag(net::ServerConnection& replica, uint32_t primary_server_id) const;

  const std::string& table() const { return table_; }

 private:
  Heartbeat(std::string database, std::string table)
      : database_(std::move(database)), table_(std::move(table)) {}
  std::string database_;  // quoted
  std::string table_;     // quoted database.table
  bool created_ = false;
};

}  // namespace mzl::watch
