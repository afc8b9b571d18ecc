#include "mzl/topology/errant.h"

namespace mzl::topology {

gtid::MariaGtidPosition maria_errant(const ServerState& replica, const ServerState& primary) {
  gtid::MariaGtidPosition own = replica.gtid_binlog_pos;
  own.merge(replica.gtid_current_pos);
  gtid::MariaGtidPosition errant;
  for (const auto& [domain, gtid] : own.gtids()) {
    const auto theirs = primary.gtid_binlog_pos.find(domain);
    const bool covered = theirs && (gtid.seq_no < theirs->seq_no ||
                                    (gtid.seq_no == theirs->seq_no && gtid.server_id == theirs->server_id));
    if (!covered) errant.set(gtid);
  }
  return errant;
}

gtid::MysqlGtidSet mysql_errant(const ServerState& replica, const ServerState& primary) {
  return gtid::MysqlGtidSet::difference(replica.gtid_executed, primary.gtid_executed);
}

std::string errant_gtids(const ServerState& replica, const ServerState& primary) {
  if (replica.flavour != primary.flavour) return "";
  if (replica.flavour == Flavour::kMariaDb) return maria_errant(replica, primary).to_string();
  return mysql_errant(replica, primary).to_string(",");
}

}  // namespace mzl::topology
