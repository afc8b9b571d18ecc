#include "mzl/net/connection_options.h"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mzl::net {

Result<SslMode> parse_ssl_mode(std::string_view text) {
  std::string upper(text);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "DISABLED") return SslMode::kDisabled;
  if (upper == "PREFERRED") return SslMode::kPreferred;
  if (upper == "REQUIRED") return SslMode::kRequired;
  if (upper == "VERIFY_CA") return SslMode::kVerifyCa;
  if (upper == "VERIFY_IDENTITY") return SslMode::kVerifyIdentity;
  return Error(
      ErrorCode::kInvalidArgument,
      fmt::format("ssl-mode '{}' is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY",
                  text));
}

const char* to_string(SslMode mode) {
  switch (mode) {
    case SslMode::kDisabled:
      return "DISABLED";
    case SslMode::kPreferred:
      return "PREFERRED";
    case SslMode::kRequired:
      return "REQUIRED";
    case SslMode::kVerifyCa:
      return "VERIFY_CA";
    case SslMode::kVerifyIdentity:
      return "VERIFY_IDENTITY";
  }
  return "?";
}

std::string ConnectionOptions::describe() const {
  const std::string who = user.empty() ? "" : user + "@";
  if (host == "localhost")
    return fmt::format("{}localhost:{}", who, socket.empty() ? "(default socket)" : socket);
  return fmt::format("{}{}:{}", who, host, port);
}

namespace {

Error bad_value(const std::string& name, const std::string& value, const OptionValue* from, const char* why) {
  Error e(ErrorCode::kInvalidArgument, fmt::format("{} '{}': {}", name, value, why));
  if (from != nullptr) e.at(fmt::format("{}:{}", from->file, from->line));
  return e;
}

Result<unsigned> parse_unsigned(const std::string& name, const std::string& value, const OptionValue* from,
                                unsigned max) {
  unsigned v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v > max) {
    return bad_value(name, value, from, "not a number in range");
  }
  return v;
}

}  // namespace

Result<std::string> read_password_file(const std::string& path) {
  // A directory opens as a stream but reads as nothing: an empty password, and a login refused for a reason
  // the operator cannot see. Say what the file is instead.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error(ErrorCode::kIo, "the password file is a directory").at_r(path);
  }
  std::ifstream in(path);
  if (!in) {
    return Error(ErrorCode::kIo, fmt::format("cannot read the password file: {}", std::strerror(errno)))
        .at_r(path);
  }
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<ConnectionOptions> resolve_connection_options(const ConnectionFlags& flags, const OptionFileSet& files,
                                                     const std::vector<std::string>& groups) {
  ConnectionOptions o;
  if (const char* pwd = std::getenv("MYSQL_PWD"); pwd != nullptr) o.password = pwd;

  // The option files' [client]-style groups.
  for (const auto& opt : files.options(groups)) {
    const std::string v = opt.value.value_or("");
    const OptionValue* from = &opt;
    if (opt.name == "host") {
      o.host = v;
    } else if (opt.name == "port") {
      MZL_TRY(o.port, parse_unsigned("port", v, from, 65535));
    } else if (opt.name == "user") {
      o.user = v;
    } else if (opt.name == "password") {
      if (!opt.value) {
        return bad_value("password", "", from,
                         "a password line without a value asks for a prompt, which mzl does not do; give the "
                         "value or use --password-file");
      }
      o.password = v;
    } else if (opt.name == "socket") {
      o.socket = v;
    } else if (opt.name == "ssl-mode") {
      auto mode = parse_ssl_mode(v);
      if (!mode.ok()) return bad_value("ssl-mode", v, from, "unknown mode");
      o.ssl_mode = *mode;
    } else if (opt.name == "ssl") {  // MariaDB's boolean spelling
      o.ssl_mode = (v == "0" || v == "OFF" || v == "off") ? SslMode::kDisabled : SslMode::kRequired;
    } else if (opt.name == "skip-ssl") {
      o.ssl_mode = SslMode::kDisabled;
    } else if (opt.name == "ssl-verify-server-cert") {
      if (v != "0" && v != "OFF" && v != "off") o.ssl_mode = SslMode::kVerifyIdentity;
    } else if (opt.name == "ssl-ca") {
      o.ssl_ca = v;
    } else if (opt.name == "ssl-capath") {
      o.ssl_capath = v;
    } else if (opt.name == "ssl-cert") {
      o.ssl_cert = v;
    } else if (opt.name == "ssl-key") {
      o.ssl_key = v;
    } else if (opt.name == "ssl-cipher") {
      o.ssl_cipher = v;
    } else if (opt.name == "connect-timeout") {
      MZL_TRY(unsigned t, parse_unsigned("connect-timeout", v, from, 86400));
      o.connect_timeout = std::chrono::seconds(t);
    } else if (opt.name == "default-auth") {
      o.default_auth = v;
    } else if (opt.name == "plugin-dir") {
      o.plugin_dir = v;
    }
    // Other [client] settings (default-character-set, ...) belong to other clients: ignored, as they do.
  }

  if (flags.host) o.host = *flags.host;
  if (flags.port) o.port = *flags.port;
  if (flags.user) o.user = *flags.user;
  if (flags.socket) o.socket = *flags.socket;
  if (flags.ssl_mode) {
    MZL_TRY(o.ssl_mode, parse_ssl_mode(*flags.ssl_mode));
  }
  if (flags.ssl_ca) o.ssl_ca = *flags.ssl_ca;
  if (flags.ssl_capath) o.ssl_capath = *flags.ssl_capath;
  if (flags.ssl_cert) o.ssl_cert = *flags.ssl_cert;
  if (flags.ssl_key) o.ssl_key = *flags.ssl_key;
  if (flags.ssl_cipher) o.ssl_cipher = *flags.ssl_cipher;
  if (flags.default_auth) o.default_auth = *flags.default_auth;
  if (flags.plugin_dir) o.plugin_dir = *flags.plugin_dir;
  if (flags.connect_timeout) o.connect_timeout = std::chrono::seconds(*flags.connect_timeout);
  if (flags.password_file) {
    MZL_TRY(o.password, read_password_file(*flags.password_file));
  }
  // A CA given without a mode means the operator wants the server checked.
  if (!flags.ssl_mode && (flags.ssl_ca || flags.ssl_capath) && o.ssl_mode == SslMode::kPreferred) {
    o.ssl_mode = SslMode::kVerifyCa;
  }
  if ((o.ssl_mode == SslMode::kVerifyCa || o.ssl_mode == SslMode::kVerifyIdentity) && o.ssl_ca.empty() &&
      o.ssl_capath.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("--ssl-mode={} needs --ssl-ca or --ssl-capath to check the server's certificate",
                             to_string(o.ssl_mode)));
  }
  return o;
}

}  // namespace mzl::net
