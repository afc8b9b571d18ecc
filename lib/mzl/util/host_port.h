#pragma once
// "host:port" as mzl-promote's --servers and the failover records name servers (repo/failover_record.h):
// parsed and compared here, below the topology area (topology::ServerAddress is this type) and the archiver
// that follows a failover (archive/failover_follow.h).
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
  bool operator==(const HostPort&) const = default;
};

// Both parse and name the same host and port; false when either does not parse.
bool same_host_port(std::string_view a, std::string_view b);

}  // namespace mzl
