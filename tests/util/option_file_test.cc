#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "mzl/util/option_file.h"

using namespace mzl;

namespace {

struct TempFiles {
  std::filesystem::path dir;
  TempFiles() {
    dir = std::filesystem::temp_directory_path() / ("mzl-optfile-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
  }
  ~TempFiles() { std::filesystem::remove_all(dir); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
};

}  // namespace

TEST_CASE("option files: groups, quoting, escapes, comments, loose- and underscores") {
  TempFiles files;
  auto path = files.write("my.cnf",
                          "# a comment\n"
                          "[client]\n"
                          "user = backup\n"
                          "password=\"p#ss w\\\"rd\" # trailing comment\n"
                          "host=db1 ; comment after whitespace\n"
                          "socket=/run/a#b.sock\n"
                          "ssl\n"
                          "\n"
                          "[mysqld]\n"
                          "port=3307\n"
                          "[mzl-binlog-tail]\n"
                          "server_id=1234\n"
                          "loose-future-option=x\n"
                          "password='single\\tquoted'\n");
  OptionFileSet set;
  REQUIRE(set.read(path, true).ok());
  const auto groups = option_groups("mzl-binlog-tail", "");
  CHECK(set.find("user", groups)->value == "backup");
  CHECK(set.find("host", groups)->value == "db1");
  CHECK(set.find("socket", groups)->value == "/run/a#b.sock");
  CHECK_FALSE(set.find("ssl", groups)->value.has_value());
  CHECK_FALSE(set.find("port", groups));  // [mysqld] is not read by clients
  CHECK(set.find("server-id", groups)->value == "1234");
  CHECK(set.find("future-option", groups)->loose);
  // The program's own group comes after [client], so its password wins.
  CHECK(set.find("password", groups)->value == "single\tquoted");
  CHECK(set.find("password", {"client"})->value == "p#ss w\"rd");
}

TEST_CASE("option files: !include and !includedir, group suffixes") {
  TempFiles files;
  std::filesystem::create_directories(files.dir / "conf.d");
  files.write("conf.d/b.cnf", "[client]\nuser=from-b\n");
  files.write("conf.d/a.cnf", "[client]\nuser=from-a\nport=1\n");
  files.write("conf.d/ignored.txt", "[client]\nuser=ignored\n");
  files.write("extra.cnf", "[client_backup]\nhost=backup-host\n");
  auto main = files.write("main.cnf", "[client]\nhost=h\n!includedir " + (files.dir / "conf.d").string() +
                                          "\n!include extra.cnf\n");
  OptionFileSet set;
  REQUIRE(set.read(main, true).ok());
  CHECK(set.find("user", option_groups("mzl-verify", ""))->value == "from-b");  // b.cnf read after a.cnf
  CHECK(set.find("port", option_groups("mzl-verify", ""))->value == "1");
  CHECK(set.find("host", option_groups("mzl-verify", ""))->value == "h");
  CHECK(set.find("host", option_groups("mzl-verify", "_backup"))->value == "backup-host");
}

TEST_CASE("option files: errors name the file and line") {
  TempFiles files;
  OptionFileSet set;
  auto missing = set.read(files.dir / "nope.cnf", true);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK(set.read(files.dir / "nope.cnf", false).ok());

  auto bad = files.write("bad.cnf", "[client]\npassword=\"open\n");
  auto result = set.read(bad, true);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().where == bad.string() + ":2");
  auto orphan = files.write("orphan.cnf", "user=x\n");
  CHECK_FALSE(set.read(orphan, true).ok());
  auto loop = files.write("loop.cnf", "[client]\n!include loop.cnf\n");
  CHECK_FALSE(set.read(loop, true).ok());
}
