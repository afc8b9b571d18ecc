#pragma once
// "host:port" text as the failover records name servers (repo/failover_record.h), parsed and compared below
// the topology area, for the archiver that follows a failover (archive/failover_follow.h). Same rules as
// topology::ServerAddress, which the topology area keeps for itself (the layers forbid archive -> topology).
#include <string>
#include <string_view>

#include "mzl/util/result.h"

namespace mzl {

struct HostPort {
  std::string host;
  unsigned port = 3306;

  // "host:port" or "host" (port 3306); "[v6]:port" for IPv6 literals. kInvalidArgument otherwise.
  static Result<HostPort> parse(std::string_view text);
  std::string to_string() const;
  // The same host and port; "localhost", "::1" and "127.0.0.1" are one host; host names compare without case.
  bool same_as(const HostPort& other) const;
};

// Both parse and name the same host and port; false when either does not parse.
bool same_host_port(std::string_view a, std::string_view b);

}  // namespace mzl
