#pragma once
// What a server holds, as GTIDs of either flavour: a MariaDB position (per domain the last GTID; a GTID is
// held when its domain is there with a sequence number at least as high, https://mariadb.com/kb/en/gtid/)
// or a MySQL GTID set. The gap fill asks it which archived transactions a candidate lacks, and the verdict
// whether the new primary holds what the archive acknowledged.
#include <string>
#include <string_view>

#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/topology/server_state.h"
#include "mzl/util/result.h"

namespace mzl::failover {

class HeldTransactions {
 public:
  explicit HeldTransactions(topology::Flavour flavour) : flavour_(flavour) {}
  // What `state` has executed: MariaDB gtid_binlog_pos merged with gtid_slave_pos, MySQL gtid_executed.
  static HeldTransactions of_server(const topology::ServerState& state);
  // A MariaDB position or MySQL set as text (kInvalidArgument when it does not parse).
  static Result<HeldTransactions> parse(topology::Flavour flavour, std::string_view text);

  // Whether the GTID ("domain-server-seq" / "uuid[:tag]:n") is held. A GTID that does not parse is not.
  bool holds(std::string_view gtid) const;
  bool holds(const HeldTransactions& other) const;
  // Adds one GTID (ignored when it does not parse: a transaction without one).
  void add(std::string_view gtid);
  void add(const HeldTransactions& other);
  bool empty() const;
  std::string to_string() const;

 private:
  topology::Flavour flavour_;
  gtid::MariaGtidPosition maria_;
  gtid::MysqlGtidSet mysql_;
};

}  // namespace mzl::failover
