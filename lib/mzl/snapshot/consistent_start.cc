#include "mzl/snapshot/consistent_start.h"

namespace mzl::snapshot {

Status ConsistentStart::release_lock() {
  return Error(ErrorCode::kInternal, "release_lock: not implemented yet");
}

Result<ConsistentStart> open_consistent_snapshots(const net::ConnectionOptions&,
                                                  const ConsistentStartOptions&) {
  return Error(ErrorCode::kInternal, "open_consistent_snapshots: not implemented yet");
}

Result<SnapshotServer> read_server_identity(net::ServerConnection&, const std::string&) {
  return Error(ErrorCode::kInternal, "read_server_identity: not implemented yet");
}

}  // namespace mzl::snapshot
