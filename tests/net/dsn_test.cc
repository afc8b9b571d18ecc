#include "mzl/net/dsn.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace mzl::net {
namespace {

ConnectionOptions base() {
  ConnectionOptions o;
  o.user = "backup";
  o.password = "from-the-program";
  return o;
}

TEST_CASE("DSN: key=value pairs override the program's settings") {
  auto o = apply_dsn(base(), "h=10.0.0.2,P=3307,u=checker");
  REQUIRE(o.ok());
  CHECK(o->host == "10.0.0.2");
  CHECK(o->port == 3307);
  CHECK(o->user == "checker");
  CHECK(o->password == "from-the-program");

  auto s = apply_dsn(base(), "S=/run/mysqld/mysqld.sock");
  REQUIRE(s.ok());
  CHECK(s->host == "localhost");
  CHECK(s->socket == "/run/mysqld/mysqld.sock");
  CHECK(s->user == "backup");
}

TEST_CASE("DSN: host[:port]") {
  auto o = apply_dsn(base(), "db2.example.com:3310");
  REQUIRE(o.ok());
  CHECK(o->host == "db2.example.com");
  CHECK(o->port == 3310);
  auto h = apply_dsn(base(), "db3");
  REQUIRE(h.ok());
  CHECK(h->host == "db3");
  CHECK(h->port == 3306);
}

TEST_CASE("DSN: F= reads an option file's [client] group, pairs beside it win") {
  const auto dir = std::filesystem::temp_directory_path() / ("mzl-dsn-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "replica.cnf";
  std::ofstream(path) << "[client]\nhost=127.0.0.1\nport=3401\nuser=mzl\npassword=secret\n";
  auto o = apply_dsn(base(), "F=" + path.string() + ",P=3402");
  REQUIRE(o.ok());
  CHECK(o->host == "127.0.0.1");
  CHECK(o->port == 3402);
  CHECK(o->user == "mzl");
  CHECK(o->password == "secret");
  CHECK(!apply_dsn(base(), "F=" + (dir / "missing.cnf").string()).ok());
  std::filesystem::remove_all(dir);
}

TEST_CASE("DSN: a password, an unknown key, a bad port or pair are usage errors") {
  for (const char* bad :
       {"h=a,p=secret", "h=a,x=1", "h=a,P=99999", "h=a,P=", "h=a,,P=1", "hostonly:", ":3306", ""}) {
    INFO(bad);
    auto o = apply_dsn(base(), bad);
    REQUIRE(!o.ok());
    CHECK(o.error().code == ErrorCode::kInvalidArgument);
  }
  CHECK(apply_dsn(base(), "h=a,p=secret").error().message.find("option file") != std::string::npos);
}

}  // namespace
}  // namespace mzl::net
