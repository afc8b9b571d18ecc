#pragma once
// What the snapshot and restore integration tests share: a fresh scratch directory in the sandbox, and the
// library's own connection (net::ServerConnection) to the sandbox primary for a test's queries. Every call
// REQUIREs success.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mzl/net/connection_options.h"
#include "mzl/net/server_connection.h"
#include "mzl/util/option_file.h"
#include "sandbox.h"

namespace mzl::test {

// An empty directory <sandbox>/<group>/<name> (what was there before is removed).
inline std::filesystem::path sandbox_scratch_dir(const std::string& group, const std::string& name) {
  const std::filesystem::path dir = sandbox_dir() / group / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// mzl-snapshot's arguments for the sandbox primary and `repo`, then `more`.
inline std::vector<std::string> snapshot_args(const std::filesystem::path& repo,
                                              std::vector<std::string> more) {
  std::vector<std::string> args{"--defaults-file", primary_server().defaults_file.string(), "--repo",
                                repo.string()};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// `server` as the library's connection options (TCP, TLS off).
inline net::ConnectionOptions connection_to(const SandboxServer& server) {
  net::ConnectionOptions c;
  c.host = server.host;
  c.port = server.port;
  c.user = server.user;
  c.password = server.password;
  c.ssl_mode = net::SslMode::kDisabled;
  return c;
}

// The primary as the mzl programs see it: its option file's [client] groups.
inline net::ConnectionOptions primary_options(bool local_infile = false) {
  OptionFileSet files;
  REQUIRE(files.read(primary_server().defaults_file, true).ok());
  auto options = net::resolve_connection_options({}, files, option_groups("mzl-test", ""));
  REQUIRE(options.ok());
  options->local_infile = local_infile;
  return *options;
}

inline net::ServerConnection connect_primary(bool local_infile = false) {
  auto c = net::ServerConnection::connect(primary_options(local_infile));
  INFO((c.ok() ? "" : c.error().to_string()));
  REQUIRE(c.ok());
  return std::move(*c);
}

inline void run(net::ServerConnection& c, const std::string& sql) {
  auto s = c.execute(sql);
  INFO(sql << ": " << (s.ok() ? "" : s.error().to_string()));
  REQUIRE(s.ok());
}

inline std::vector<net::SqlRow> rows_of(net::ServerConnection& c, const std::string& sql) {
  auto r = c.query(sql);
  INFO(sql << ": " << (r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  return *r;
}

// sysbench's arguments for `server` and database `db`, then `more` (tables, sizes, test name, command).
inline std::vector<std::string> sysbench_args(const SandboxServer& server, const std::string& db,
                                              std::initializer_list<std::string> more) {
  std::vector<std::string> args{"--db-driver=mysql",
                                "--mysql-host=127.0.0.1",
                                "--mysql-port=" + std::to_string(server.port),
                                "--mysql-user=" + server.user,
                                "--mysql-password=" + server.password,
                                "--mysql-db=" + db};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace mzl::test
