#include "mzl/archive/tail_follow.h"

#include <fmt/format.h>

#include "mzl/archive/binlog_archive.h"
#include "mzl/archive/history_chain.h"
#include "mzl/net/replica_stream.h"
#include "mzl/net/server_connection.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/util/host_port.h"

namespace mzl::archive {

namespace {

// "host:port" of a connection; "" for the Unix socket (its port says nothing).
std::string address_of(const net::ConnectionOptions& connection) {
  if (connection.host == "localhost" && !connection.socket.empty()) return "";
  return HostPort{connection.host, connection.port}.to_string();
}

}  // namespace

std::string ArchiveTarget::address() const {
  if (hop) return hop->record.new_primary.address;
  const std::string text = address_of(connection);
  return text.empty() ? fmt::format("localhost:{}", connection.socket) : text;
}

Result<FailoverFollower> FailoverFollower::open(const std::string& repo, const std::string& base_source,
                                                const net::ConnectionOptions& base, bool watch) {
  FailoverFollower follower;
  follower.repo_ = repo;
  follower.base_source_ = base_source;
  follower.base_ = base;
  if (watch) {
    follower.watch_.emplace(FailoverWatch::open(repo));
  }
  return follower;
}

Result<ArchiveTarget> FailoverFollower::resolve() const {
  ArchivedServer start;
  start.address = address_of(base_);
  MZL_TRY(auto state, read_source_state(repo_, base_source_));
  if (state) start.server_id = state->server.server_id;
  MZL_TRY(const std::vector<repo::FailoverRecord> records, repo::read_failover_records(repo_));
  std::vector<FailoverHop> hops = follow_failovers(records, base_source_, start);
  ArchiveTarget target;
  target.source = base_source_;
  target.connection = base_;
  if (hops.empty()) return target;
  FailoverHop& last = hops.back();
  MZL_TRY(target.source, successor_source_name(base_source_, last.record.id));
  auto address = HostPort::parse(last.record.new_primary.address);
  if (!address.ok()) {
    return Error(ErrorCode::kCorrupt, fmt::format("failover record {}: new primary '{}': {}", last.record.id,
                                                  last.record.new_primary.address, address.error().message))
        .at_r(repo::failovers_dir(repo_));
  }
  // "localhost" means the Unix socket to the connector: the new primary is reached over TCP.
  target.connection.host = address->host == "localhost" ? "127.0.0.1" : address->host;
  target.connection.port = address->port;
  target.connection.socket.clear();
  target.hop = std::move(last);
  return target;
}

Result<bool> FailoverFollower::replaced(const std::string& current_source, bool before_ack) {
  if (!watch_ || !watch_->changed(before_ack)) return false;
  MZL_TRY(ArchiveTarget now, resolve());
  return now.source != current_source;
}

Result<SourceLink> FailoverFollower::link_for(const ArchiveTarget& target) const {
  if (!target.hop) return Error(ErrorCode::kInvalidArgument, "the base source has no predecessor");
  SourceLink link;
  link.source = target.hop->predecessor;
  link.record = target.hop->record.id;
  MZL_TRY(auto state, read_source_state(repo_, link.source));
  if (!state) return link;
  BinlogArchiveOptions options;  // no server identity: nothing is checked, the tail is only made whole
  options.repo = repo_;
  options.source = link.source;
  MZL_TRY(std::unique_ptr<BinlogArchive> predecessor, BinlogArchive::open(options));
  link.from_gtid_position =
      history_fork_point(predecessor->resume_point().gtid_position, target.hop->record.fork_position);
  return link;
}

Result<std::string> binlog_file_after(const net::ConnectionOptions& connection, uint32_t replica_server_id,
                                      const std::string& gtid_position) {
  MZL_TRY(auto server, net::ServerConnection::connect(connection));
  net::ReplicaStreamOptions options;
  options.server_id = replica_server_id;
  options.start_gtid = gtid_position;
  options.non_blocking = true;
  options.heartbeat_period = std::chrono::milliseconds(0);
  MZL_TRY(auto stream, net::ReplicaStream::start(std::move(server), options));
  while (true) {
    MZL_TRY(auto event, stream.next());
    if (!event) {
      return Error(
                 ErrorCode::kNotFound,
                 fmt::format("the server ended the GTID dump from '{}' without naming a file", gtid_position))
          .at_r(stream.server_name());
    }
    if (event->heartbeat) continue;
    if (event->is(codec::EventType::kRotate) && !event->rotate_file.empty()) {
      return std::string(event->rotate_file);
    }
    return Error(ErrorCode::kCorrupt,
                 fmt::format("the GTID dump from '{}' did not start with a ROTATE", gtid_position))
        .at_r(stream.server_name());
  }
}

}  // namespace mzl::archive
