#pragma once
// How to reach a server: the settings every mzl program takes like the server's own clients do (-h -P -u -S,
// option files, MYSQL_PWD, TLS). Passwords never come from argv: from an option file, --password-file or
// MYSQL_PWD only.
#include <chrono>
#include <optional>
#include <string>

#include "mzl/util/option_file.h"
#include "mzl/util/result.h"

namespace mzl::net {

// --ssl-mode, as MySQL's clients spell it.
enum class SslMode {
  kDisabled,        // plain TCP
  kPreferred,       // TLS when the server offers it (the default)
  kRequired,        // TLS or fail; the certificate is not checked
  kVerifyCa,        // TLS, certificate signed by --ssl-ca (libmariadb also checks the host name then)
  kVerifyIdentity,  // TLS, certificate signed by --ssl-ca and issued for the host name
};

Result<SslMode> parse_ssl_mode(std::string_view text);
const char* to_string(SslMode mode);

struct ConnectionOptions {
  std::string host = "localhost";  // "localhost" means the Unix socket, as for the server's clients
  unsigned port = 3306;
  std::string user;  // empty: the login name, as libmariadb does
  std::optional<std::string> password;
  std::string socket;  // Unix socket path (used when host is "localhost")
  SslMode ssl_mode = SslMode::kPreferred;
  std::string ssl_ca, ssl_capath, ssl_cert, ssl_key, ssl_cipher;
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{0};  // 0: no timeout (a replication stream waits for events)
  std::string default_auth;              // e.g. "caching_sha2_password", "client_ed25519"
  std::string plugin_dir;
  // Lets the session run LOAD DATA LOCAL INFILE (the client capability must be announced at connect; the
  // data then comes from the handler set with mysql_set_local_infile_handler()). Off: the server cannot ask
  // this client for a file.
  bool local_infile = false;

  // "user@host:port" or "user@localhost:socket", for messages; never the password.
  std::string describe() const;
};

// Command-line values, each unset when the flag was not given.
struct ConnectionFlags {
  std::optional<std::string> host, user, socket, ssl_mode, ssl_ca, ssl_capath, ssl_cert, ssl_key, ssl_cipher;
  std::optional<std::string> default_auth, plugin_dir, password_file;
  std::optional<unsigned> port;
  std::optional<unsigned> connect_timeout;
};

// Builds the options from, in increasing priority: built-in defaults, MYSQL_PWD (password only), the option
// files' client groups (`groups`, see option_groups()), then the command-line flags; --password-file's
// first line (without the newline) is the password. kInvalidArgument for bad values (the message names the
// option file and line when the value came from one), kIo when the password file cannot be read.
// The first line of a password file, without its line end (--password-file). kIo when it cannot be read.
Result<std::string> read_password_file(const std::string& path);

Result<ConnectionOptions> resolve_connection_options(const ConnectionFlags& flags, const OptionFileSet& files,
                                                     const std::vector<std::string>& groups);

}  // namespace mzl::net
