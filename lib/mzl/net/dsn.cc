#include "mzl/net/dsn.h"

#include <fmt/format.h>

#include <charconv>
#include <string>
#include <vector>

#include "mzl/util/option_file.h"

namespace mzl::net {

namespace {

Error bad(std::string_view dsn, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("DSN '{}': {}", dsn, why));
}

Result<unsigned> parse_port(std::string_view dsn, std::string_view text) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return bad(dsn, fmt::format("'{}' is not a TCP port", text));
  }
  return port;
}

// The [client] settings of an option file over `options` (host, port, user, password, socket, ssl-*).
Status apply_option_file(ConnectionOptions& options, const std::string& path) {
  OptionFileSet files;
  MZL_CHECK(files.read(path, /*must_exist=*/true));
  MZL_TRY(
      ConnectionOptions from_file,
      resolve_connection_options(ConnectionFlags{}, files, {"client", "client-server", "client-mariadb"}));
  const ConnectionOptions defaults;
  auto take = [](auto& to, const auto& from, const auto& if_default) {
    if (from != if_default) to = from;
  };
  take(options.host, from_file.host, defaults.host);
  take(options.port, from_file.port, defaults.port);
  take(options.user, from_file.user, defaults.user);
  take(options.socket, from_file.socket, defaults.socket);
  if (from_file.password) options.password = from_file.password;
  take(options.ssl_mode, from_file.ssl_mode, defaults.ssl_mode);
  take(options.ssl_ca, from_file.ssl_ca, defaults.ssl_ca);
  take(options.ssl_cert, from_file.ssl_cert, defaults.ssl_cert);
  take(options.ssl_key, from_file.ssl_key, defaults.ssl_key);
  return ok_status();
}

}  // namespace

Result<ConnectionOptions> apply_dsn(ConnectionOptions options, std::string_view dsn) {
  if (dsn.empty()) return bad(dsn, "empty");
  if (dsn.find('=') == std::string_view::npos) {  // host[:port]
    const size_t colon = dsn.rfind(':');
    options.host = std::string(dsn.substr(0, colon));
    if (options.host.empty()) return bad(dsn, "no host");
    if (colon != std::string_view::npos) {
      MZL_TRY(options.port, parse_port(dsn, dsn.substr(colon + 1)));
    }
    return options;
  }
  std::vector<std::pair<char, std::string>> pairs;
  size_t at = 0;
  while (at <= dsn.size()) {
    size_t comma = dsn.find(',', at);
    if (comma == std::string_view::npos) comma = dsn.size();
    const std::string_view pair = dsn.substr(at, comma - at);
    if (pair.size() < 2 || pair[1] != '=') return bad(dsn, fmt::format("'{}' is not key=value", pair));
    const char key = pair[0];
    if (key == 'p') {
      return bad(dsn,
                 "a password does not belong on the command line (every user can read it there): put it "
                 "in an option file named by F=, in the program's option files, or in MYSQL_PWD");
    }
    if (std::string_view("hPuSF").find(key) == std::string_view::npos) {
      return bad(
          dsn, fmt::format("unknown key '{}' (known: h host, P port, u user, S socket, F option file)", key));
    }
    pairs.emplace_back(key, std::string(pair.substr(2)));
    at = comma + 1;
  }
  for (const auto& [key, value] : pairs) {
    if (key == 'F') MZL_CHECK(apply_option_file(options, value));
  }
  for (const auto& [key, value] : pairs) {
    switch (key) {
      case 'h':
        options.host = value;
        break;
      case 'P': {
        MZL_TRY(options.port, parse_port(dsn, value));
        break;
      }
      case 'u':
        options.user = value;
        break;
      case 'S':
        options.socket = value;
        options.host = "localhost";
        break;
      default:
        break;
    }
  }
  return options;
}

}  // namespace mzl::net
