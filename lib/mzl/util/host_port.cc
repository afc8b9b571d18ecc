#include "mzl/util/host_port.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "mzl/util/parse_number.h"

namespace mzl {

namespace {

std::string canonical_host(std::string_view host) {
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  if (out == "localhost" || out == "::1") return "127.0.0.1";
  return out;
}

}  // namespace

Result<HostPort> HostPort::parse(std::string_view text) {
  HostPort address;
  std::string_view host = text;
  std::string_view port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos)
      return Error(ErrorCode::kInvalidArgument, fmt::format("'{}': missing ']'", text));
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return Error(ErrorCode::kInvalidArgument, fmt::format("'{}': expected ':' after ']'", text));
      port = rest.substr(1);
      has_port = true;
    }
  } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return Error(ErrorCode::kInvalidArgument, fmt::format("'{}': no host", text));
  address.host = std::string(host);
  if (has_port) {
    auto number = parse_uint(port, "port", 65535);
    if (!number.ok() || *number == 0)
      return Error(ErrorCode::kInvalidArgument, fmt::format("'{}': the port must be 1..65535", text));
    address.port = static_cast<unsigned>(*number);
  }
  return address;
}

std::string HostPort::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

bool HostPort::same_as(const HostPort& other) const {
  return port == other.port && canonical_host(host) == canonical_host(other.host);
}

bool same_host_port(std::string_view a, std::string_view b) {
  auto left = HostPort::parse(a);
  auto right = HostPort::parse(b);
  return left.ok() && right.ok() && left->same_as(*right);
}

}  // namespace mzl
