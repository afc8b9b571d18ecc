#include "mzl/repo/repository_layout.h"

#include "mzl/repo/local_storage.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include <catch2/catch.hpp>

using namespace mzl::repo;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "mzl-repo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

}  // namespace

TEST_CASE("repository paths are the documented layout (man/mzl.7)") {
  CHECK(binlogs_dir("/r") == "/r/binlogs");
  CHECK(source_dir("/r", "db1_3306") == "/r/binlogs/db1_3306");
  CHECK(archive_state_path("/r", "db1_3306") == "/r/binlogs/db1_3306/state.json");
  CHECK(snapshots_dir("/r") == "/r/snapshots");
  CHECK(snapshot_dir("/r", "20261122T040000Z") == "/r/snapshots/20261122T040000Z");
  CHECK(partial_snapshot_dir("/r", "20261122T040000Z") == "/r/snapshots/.partial-20261122T040000Z");
  CHECK(manifest_path("/r/snapshots/x") == "/r/snapshots/x/manifest.json");
}

TEST_CASE("snapshot ids: format and order") {
  using namespace std::chrono;
  // 2026-11-22T04:00:00Z = 1795320000 s since the epoch (date -u -d @1795320000).
  CHECK(snapshot_id_for(system_clock::time_point{seconds(1795320000)}) == "20261122T040000Z");
  CHECK(is_snapshot_id("20261122T040000Z"));
  CHECK(is_snapshot_id("20261122T040000Z-2"));
  CHECK_FALSE(is_snapshot_id("20261122T040000Z-02"));
  CHECK_FALSE(is_snapshot_id("20261122T040000Z-"));
  CHECK_FALSE(is_snapshot_id("20261122X040000Z"));
  CHECK_FALSE(is_snapshot_id(".partial-20261122T040000Z"));

  std::vector<std::string> ids = {"20261122T040000Z-10", "20261122T050000Z", "20261122T040000Z-2",
                                  "20261122T040000Z", "20251231T235959Z"};
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return snapshot_id_before(a, b); });
  CHECK(ids == std::vector<std::string>{"20251231T235959Z", "20261122T040000Z", "20261122T040000Z-2",
                                        "20261122T040000Z-10", "20261122T050000Z"});
}

TEST_CASE("is_repository: binlogs/ or snapshots/, nothing else") {
  ScratchDir dir;
  CHECK_FALSE(is_repository(dir.path));
  CHECK(may_create_repository(dir.path));               // empty
  CHECK(may_create_repository(dir.path + "/missing"));  // missing
  CHECK_FALSE(is_repository(dir.path + "/missing"));
  std::ofstream(dir.path + "/unrelated") << "x";
  CHECK_FALSE(is_repository(dir.path));
  CHECK_FALSE(may_create_repository(dir.path));  // a directory with other things in it (/etc)
  CHECK_FALSE(may_create_repository(dir.path + "/unrelated"));
  fs::create_directory(dir.path + "/snapshots");
  CHECK(is_repository(dir.path));
  CHECK(may_create_repository(dir.path));
  fs::remove(dir.path + "/snapshots");
  fs::create_directory(dir.path + "/binlogs");
  CHECK(is_repository(dir.path));
}

TEST_CASE("require_repository: exit 2 for a directory that is not a repository, 1 for a missing one") {
  ScratchDir dir;
  auto not_repo = require_repository(dir.path);
  REQUIRE_FALSE(not_repo.ok());
  CHECK(not_repo.error().code == mzl::ErrorCode::kInvalidArgument);
  CHECK(not_repo.error().where == dir.path);
  auto missing = require_repository(dir.path + "/missing");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == mzl::ErrorCode::kNotFound);
  fs::create_directory(dir.path + "/binlogs");
  CHECK(require_repository(dir.path).ok());
}

TEST_CASE("list_sources: the directories under binlogs/, sorted") {
  ScratchDir dir;
  auto none = list_sources(local_storage(), dir.path);
  REQUIRE(none.ok());
  CHECK(none->empty());
  fs::create_directories(dir.path + "/binlogs/db2_3306");
  fs::create_directories(dir.path + "/binlogs/db1_3306");
  std::ofstream(dir.path + "/binlogs/stray-file") << "x";
  auto sources = list_sources(local_storage(), dir.path);
  REQUIRE(sources.ok());
  CHECK(*sources == std::vector<std::string>{"db1_3306", "db2_3306"});
}
