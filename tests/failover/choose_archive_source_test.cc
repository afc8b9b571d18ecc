// choose_archive_source (gap_fill.h): which archive in a repository holds the old primary's last
// transactions, when nothing names it.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "mzl/archive/archive_state.h"
#include "mzl/failover/gap_fill.h"
#include "mzl/repo/repository_layout.h"

namespace mzl::failover {
namespace {

namespace fs = std::filesystem;

// REPO/binlogs/<source>/state.json of an archive of server `server_id`, following `follows` when set.
void write_source(const fs::path& repo, const std::string& source, uint32_t server_id,
                  const std::optional<std::string>& follows = std::nullopt) {
  archive::ArchiveState state;
  state.source = source;
  state.server.server_id = server_id;
  state.server.flavour = "mariadb";
  if (follows) state.follows = archive::SourceLink{*follows, source.substr(source.rfind('.') + 1), "0-1-5"};
  fs::create_directories(repo::source_dir(repo.string(), source));
  std::ofstream(repo::archive_state_path(repo.string(), source)) << archive::encode_archive_state(state);
}

struct ScratchRepo {
  fs::path dir = fs::temp_directory_path() / fmt::format("mzl-choose-source-{}", ::getpid());
  ScratchRepo() {
    fs::remove_all(dir);
    fs::create_directories(dir / "binlogs");
  }
  ~ScratchRepo() { fs::remove_all(dir); }
};

}  // namespace

TEST_CASE("choose_archive_source: the one archive of the old primary, found by its server_id") {
  ScratchRepo repo;
  write_source(repo.dir, "db1", 1);
  write_source(repo.dir, "other", 7);
  auto chosen = choose_archive_source(repo.dir.string(), "", 1);
  REQUIRE(chosen.ok());
  CHECK(*chosen == "db1");
  CHECK_FALSE(choose_archive_source(repo.dir.string(), "", 3).ok());  // none of server 3
}

TEST_CASE(
    "choose_archive_source: a server primary again after two failovers has an archive per term, the live "
    "one is the one no later source follows") {
  ScratchRepo repo;
  // Server 1 was primary (db1), failed over to 2 (db1.A follows db1), then back to 1 (db1.B follows db1.A).
  write_source(repo.dir, "db1", 1);
  write_source(repo.dir, "db1.20261207T225657Z", 2, "db1");
  write_source(repo.dir, "db1.20261207T225756Z", 1, "db1.20261207T225657Z");
  auto chosen = choose_archive_source(repo.dir.string(), "", 1);
  INFO((chosen.ok() ? *chosen : chosen.error().to_string()));
  REQUIRE(chosen.ok());
  CHECK(*chosen == "db1.20261207T225756Z");
  auto of_two = choose_archive_source(repo.dir.string(), "", 2);
  REQUIRE(of_two.ok());
  CHECK(*of_two == "db1.20261207T225657Z");
}

TEST_CASE("choose_archive_source: two live archives of one server are for the operator to choose") {
  ScratchRepo repo;
  write_source(repo.dir, "db1", 1);
  write_source(repo.dir, "db1-second-archiver", 1);
  auto chosen = choose_archive_source(repo.dir.string(), "", 1);
  REQUIRE_FALSE(chosen.ok());
  CHECK_THAT(chosen.error().to_string(), Catch::Contains("name the one to fill the gap from with --source"));
  auto named = choose_archive_source(repo.dir.string(), "db1-second-archiver", 1);
  REQUIRE(named.ok());
  CHECK(*named == "db1-second-archiver");
}

}  // namespace mzl::failover
