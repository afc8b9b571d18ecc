#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mzl/net/connection_options.h"

using namespace mzl;
using namespace mzl::net;

namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("connection options: option file, then flags, password never from flags") {
  ::unsetenv("MYSQL_PWD");
  const auto cnf = write_temp("mzl-conn.cnf",
                              "[client]\nhost=db.example\nport=3307\nuser=backup\npassword=s3cret\n"
                              "default-character-set=utf8mb4\n[mzl-binlog-tail]\nuser=archiver\n");
  OptionFileSet files;
  REQUIRE(files.read(cnf, true).ok());
  ConnectionFlags flags;
  auto o = resolve_connection_options(flags, files, option_groups("mzl-binlog-tail", ""));
  REQUIRE(o.ok());
  CHECK(o->host == "db.example");
  CHECK(o->port == 3307);
  CHECK(o->user == "archiver");  // the program's group overrides [client]
  CHECK(o->password == "s3cret");
  CHECK(o->ssl_mode == SslMode::kPreferred);
  CHECK(o->describe() == "archiver@db.example:3307");  // no password in messages

  flags.host = "127.0.0.1";
  flags.port = 4000;
  auto o2 = resolve_connection_options(flags, files, option_groups("mzl-binlog-tail", ""));
  REQUIRE(o2.ok());
  CHECK(o2->host == "127.0.0.1");
  CHECK(o2->port == 4000);
  std::filesystem::remove(cnf);
}

TEST_CASE("connection options: MYSQL_PWD is overridden by option files and --password-file") {
  ::setenv("MYSQL_PWD", "from-env", 1);
  OptionFileSet none;
  ConnectionFlags flags;
  auto env_only = resolve_connection_options(flags, none, option_groups("mzl-verify", ""));
  REQUIRE(env_only.ok());
  CHECK(env_only->password == "from-env");

  const auto pw = write_temp("mzl-pw", "from-file\nignored second line\n");
  flags.password_file = pw.string();
  auto from_file = resolve_connection_options(flags, none, option_groups("mzl-verify", ""));
  REQUIRE(from_file.ok());
  CHECK(from_file->password == "from-file");
  ::unsetenv("MYSQL_PWD");

  flags.password_file = "/nonexistent/mzl-password";
  auto missing = resolve_connection_options(flags, none, option_groups("mzl-verify", ""));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kIo);
  std::filesystem::remove(pw);
}

TEST_CASE("connection options: bad values are usage errors naming the file and line") {
  const auto cnf = write_temp("mzl-bad.cnf", "[client]\nport=70000\n");
  OptionFileSet files;
  REQUIRE(files.read(cnf, true).ok());
  auto o = resolve_connection_options({}, files, option_groups("mzl-verify", ""));
  REQUIRE_FALSE(o.ok());
  CHECK(o.error().code == ErrorCode::kInvalidArgument);
  CHECK(o.error().where == cnf.string() + ":2");

  ConnectionFlags flags;
  flags.ssl_mode = "verify_identity";
  auto no_ca = resolve_connection_options(flags, OptionFileSet{}, option_groups("mzl-verify", ""));
  REQUIRE_FALSE(no_ca.ok());
  CHECK(no_ca.error().code == ErrorCode::kInvalidArgument);
  flags.ssl_mode = "sometimes";
  CHECK_FALSE(resolve_connection_options(flags, OptionFileSet{}, option_groups("mzl-verify", "")).ok());
  flags.ssl_mode.reset();
  flags.ssl_ca = "/etc/ssl/ca.pem";
  auto with_ca = resolve_connection_options(flags, OptionFileSet{}, option_groups("mzl-verify", ""));
  REQUIRE(with_ca.ok());
  CHECK(with_ca->ssl_mode == SslMode::kVerifyCa);
  std::filesystem::remove(cnf);
}
