// ServerConnection against the sandbox's real MariaDB: option files, TLS with certificate checks, and the
// error kinds (and so the exit codes) of a wrong password and an unreachable server.
#include <catch2/catch.hpp>

#include "mzl/net/server_connection.h"
#include "sandbox.h"

namespace mzl::test {
namespace {

net::ConnectionOptions options_from(const std::filesystem::path& cnf) {
  OptionFileSet files;
  REQUIRE(files.read(cnf, true).ok());
  auto options = net::resolve_connection_options({}, files, option_groups("mzl-test", ""));
  REQUIRE(options.ok());
  return *options;
}

TEST_CASE("server connection: connects from an option file and queries", "[net]") {
  auto connection = net::ServerConnection::connect(options_from(primary_server().defaults_file));
  REQUIRE(connection.ok());
  CHECK(connection->is_mariadb());
  auto log_bin = connection->scalar("SELECT @@global.log_bin");
  REQUIRE(log_bin.ok());
  CHECK(*log_bin == "1");
  auto null_value = connection->scalar("SELECT NULL");
  REQUIRE(null_value.ok());
  CHECK_FALSE(null_value->has_value());
  auto bad = connection->query("SELECT * FROM no_such_db.no_such_table");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kServer);
  CHECK(exit_code_for(bad.error()) == kExitServer);
}

TEST_CASE("server connection: TLS verified against the sandbox CA", "[net][tls]") {
  const auto server = primary_server();
  auto options = options_from(server.defaults_file);
  options.user = kSandboxTlsUser;
  options.ssl_mode = net::SslMode::kVerifyIdentity;
  options.ssl_ca = server.tls_ca.string();
  auto connection = net::ServerConnection::connect(options);
  REQUIRE(connection.ok());
  CHECK_FALSE(connection->tls_cipher().empty());

  // A user that requires TLS cannot log in without it.
  options.ssl_mode = net::SslMode::kDisabled;
  auto plain = net::ServerConnection::connect(options);
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.error().code == ErrorCode::kAuth);

  // A CA that did not sign the server's certificate is refused.
  options.ssl_mode = net::SslMode::kVerifyCa;
  options.ssl_ca = "/etc/ssl/certs/ca-certificates.crt";
  auto wrong_ca = net::ServerConnection::connect(options);
  REQUIRE_FALSE(wrong_ca.ok());
  CHECK(wrong_ca.error().code == ErrorCode::kNetwork);
}

TEST_CASE("server connection: a wrong password and an unreachable server are clear errors", "[net]") {
  auto options = options_from(primary_server().defaults_file);
  options.password = "wrong-password";
  auto denied = net::ServerConnection::connect(options);
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code == ErrorCode::kAuth);
  CHECK(exit_code_for(denied.error()) == kExitServer);
  CHECK(denied.error().to_string().find("mzl@127.0.0.1:") == 0);
  CHECK(denied.error().to_string().find("wrong-password") == std::string::npos);

  auto unknown = options_from(primary_server().defaults_file);
  unknown.host = "no-such-host.invalid";
  auto unreachable = net::ServerConnection::connect(unknown);
  REQUIRE_FALSE(unreachable.ok());
  CHECK(unreachable.error().code == ErrorCode::kNetwork);

  auto closed = options_from(primary_server().defaults_file);
  closed.port = 1;  // nothing listens there
  auto refused = net::ServerConnection::connect(closed);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kNetwork);
}

}  // namespace
}  // namespace mzl::test
