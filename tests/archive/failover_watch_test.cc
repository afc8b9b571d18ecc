#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "mzl/archive/failover_watch.h"

using namespace mzl;
using namespace mzl::archive;
namespace fs = std::filesystem;

TEST_CASE("failover watch: waits for REPO/failovers without creating it, then sees each new record") {
  std::string repo = (fs::temp_directory_path() / "mzl-watch-XXXXXX").string();
  REQUIRE(::mkdtemp(repo.data()) != nullptr);
  FailoverWatch watch = FailoverWatch::open(repo);
  CHECK_FALSE(watch.changed(true));  // nothing to watch yet, and nothing to read
  CHECK_FALSE(fs::exists(fs::path(repo) / "failovers"));

  fs::create_directories(fs::path(repo) / "failovers");
  std::ofstream(fs::path(repo) / "failovers" / "20261207T041500Z.json") << "{}";
  // Before an ACK the directory is tried at once: it appeared, what it holds is to be read.
  CHECK(watch.changed(true));
  CHECK_FALSE(watch.changed(true));

  std::ofstream(fs::path(repo) / "failovers" / "20261207T041600Z.json.tmp") << "{}";
  fs::rename(fs::path(repo) / "failovers" / "20261207T041600Z.json.tmp",
             fs::path(repo) / "failovers" / "20261207T041600Z.json");
  CHECK(watch.changed());
  CHECK_FALSE(watch.changed());
  fs::remove_all(repo);
}
