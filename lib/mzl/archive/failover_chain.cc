#include "mzl/archive/failover_chain.h"

#include <fmt/format.h>

#include "mzl/archive/binlog_archive.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/util/host_port.h"

namespace mzl::archive {

bool record_replaces(const repo::FailoverRecord& record, const ArchivedServer& server) {
  if (record.outcome != repo::Outcome::kPromoted) return false;
  if (record.kind != repo::RunKind::kFailover && record.kind != repo::RunKind::kSwitchover) return false;
  if (!server.address.empty() && same_host_port(record.old_primary.address, server.address)) return true;
  return server.server_id != 0 && record.old_primary.server_id == server.server_id;
}

std::vector<FailoverHop> follow_failovers(const std::vector<repo::FailoverRecord>& records,
                                          const std::string& base_source, const ArchivedServer& start) {
  std::vector<FailoverHop> hops;
  ArchivedServer current = start;
  std::string source = base_source;
  for (const repo::FailoverRecord& record : records) {
    if (!record_replaces(record, current)) continue;
    FailoverHop hop;
    hop.record = record;
    hop.predecessor = source;
    // An invalid name is reported when the archiver opens it (successor_source_name()).
    hop.source = fmt::format("{}.{}", base_source, record.id);
    source = hop.source;
    current = ArchivedServer{record.new_primary.address, record.new_primary.server_id};
    hops.push_back(std::move(hop));
  }
  return hops;
}

std::string history_fork_point(const std::string& archived, const std::string& fork_position) {
  if (archived.empty() || fork_position.empty()) return archived;
  // A MySQL set names UUIDs (':' inside); a MariaDB position never does.
  const bool mysql = archived.find(':') != std::string::npos || fork_position.find(':') != std::string::npos;
  if (mysql) {
    auto archived_set = gtid::MysqlGtidSet::parse(archived);
    auto fork_set = gtid::MysqlGtidSet::parse(fork_position);
    if (!archived_set.ok() || !fork_set.ok()) return archived;
    return gtid::MysqlGtidSet::intersection(std::move(*archived_set), *fork_set).to_string(",");
  }
  auto archived_position = gtid::MariaGtidPosition::parse(archived);
  auto fork = gtid::MariaGtidPosition::parse(fork_position);
  if (!archived_position.ok() || !fork.ok()) return archived;
  gtid::MariaGtidPosition capped;
  for (const auto& [domain, gtid] : archived_position->gtids()) {
    const std::optional<gtid::MariaGtid> at_fork = fork->find(domain);
    if (!at_fork) continue;
    capped.set(at_fork->seq_no < gtid.seq_no ? *at_fork : gtid);
  }
  return capped.to_string();
}

Result<std::string> successor_source_name(const std::string& base_source, const std::string& record_id) {
  std::string name = fmt::format("{}.{}", base_source, record_id);
  Status valid = validate_source_name(name);
  if (!valid.ok()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("the successor source for failover record {} of source {} cannot be named: {}; "
                             "use a shorter --source",
                             record_id, base_source, valid.error().message));
  }
  return name;
}

}  // namespace mzl::archive
