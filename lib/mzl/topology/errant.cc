#include "mzl/topology/errant.h"

namespace mzl::topology {

namespace {

// Per domain, the replica's own further GTID that `source` does not cover.
gtid::MariaGtidPosition not_covered(const ServerState& replica, const gtid::MariaGtidPosition& source) {
  gtid::MariaGtidPosition own = replica.gtid_binlog_pos;
  own.merge(replica.gtid_current_pos);
  gtid::MariaGtidPosition errant;
  for (const auto& [domain, gtid] : own.gtids()) {
    const auto theirs = source.find(domain);
    const bool covered = theirs && (gtid.seq_no < theirs->seq_no ||
                                    (gtid.seq_no == theirs->seq_no && gtid.server_id == theirs->server_id));
    if (!covered) errant.set(gtid);
  }
  return errant;
}

}  // namespace

gtid::MariaGtidPosition maria_errant(const ServerState& replica, const ServerState& primary) {
  gtid::MariaGtidPosition errant;
  // A transaction the primary itself wrote is not errant even when the primary's position, read a moment
  // before the replica's, does not reach it yet (a topology read under load).
  const gtid::MariaGtidPosition uncovered = not_covered(replica, primary.gtid_binlog_pos);
  for (const auto& [domain, gtid] : uncovered.gtids()) {
    if (gtid.server_id != primary.server_id) errant.set(gtid);
  }
  return errant;
}

std::string errant_gtids_without_primary(const ServerState& replica) {
  if (replica.flavour == Flavour::kMariaDb) {
    gtid::MariaGtidPosition replicated = replica.gtid_slave_pos;
    for (const auto& channel : replica.channels) replicated.merge(channel.maria_received);
    return not_covered(replica, replicated).to_string();
  }
  gtid::MysqlGtidSet own;
  auto uuid = gtid::Uuid::parse(replica.server_uuid);
  if (!uuid) return "";
  for (const auto& [tsid, intervals] : replica.gtid_executed.intervals()) {
    if (tsid.uuid != *uuid) continue;
    for (const auto& interval : intervals) (void)own.add_interval(tsid, interval.start, interval.end);
  }
  return own.to_string(",");
}

gtid::MysqlGtidSet mysql_errant(const ServerState& replica, const ServerState& primary) {
  gtid::MysqlGtidSet errant = gtid::MysqlGtidSet::difference(replica.gtid_executed, primary.gtid_executed);
  // As for MariaDB: what the primary wrote itself (its server_uuid) is not errant.
  if (auto uuid = gtid::Uuid::parse(primary.server_uuid)) {
    gtid::MysqlGtidSet own;
    for (const auto& [tsid, intervals] : errant.intervals()) {
      if (tsid.uuid != *uuid) continue;
      for (const auto& interval : intervals) (void)own.add_interval(tsid, interval.start, interval.end);
    }
    errant.subtract(own);
  }
  return errant;
}

std::string errant_gtids(const ServerState& replica, const ServerState& primary) {
  if (replica.flavour != primary.flavour) return "";
  if (replica.flavour == Flavour::kMariaDb) return maria_errant(replica, primary).to_string();
  return mysql_errant(replica, primary).to_string(",");
}

}  // namespace mzl::topology
