#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "mzl/archive/archive_state.h"
#include "mzl/archive/history_chain.h"

using namespace mzl;
using namespace mzl::archive;
namespace fs = std::filesystem;

namespace {

std::string scratch_repo() {
  std::string pattern = (fs::temp_directory_path() / "mzl-history-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

void write_state(const std::string& repo, const std::string& source, std::optional<SourceLink> follows) {
  ArchiveState state;
  state.source = source;
  state.follows = std::move(follows);
  fs::create_directories(fs::path(repo) / "binlogs" / source);
  std::ofstream(fs::path(repo) / "binlogs" / source / "state.json") << encode_archive_state(state);
}

}  // namespace

TEST_CASE("history chain: the successors of a source, in order") {
  const std::string repo = scratch_repo();
  write_state(repo, "db1", std::nullopt);
  write_state(repo, "db1.20261207T041500Z", SourceLink{"db1", "20261207T041500Z", "0-1-10"});
  write_state(repo, "db1.20261208T041500Z", SourceLink{"db1.20261207T041500Z", "20261208T041500Z", "0-2-20"});
  write_state(repo, "other", std::nullopt);

  auto chain = successors_of(repo, "db1");
  REQUIRE(chain.ok());
  REQUIRE(chain->size() == 2);
  CHECK((*chain)[0].source == "db1.20261207T041500Z");
  CHECK((*chain)[0].link.from_gtid_position == "0-1-10");
  CHECK((*chain)[1].source == "db1.20261208T041500Z");
  CHECK((*chain)[1].link.source == "db1.20261207T041500Z");
  auto none = successors_of(repo, "other");
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto link = read_source_link(repo, "db1.20261207T041500Z");
  REQUIRE(link.ok());
  REQUIRE(link->has_value());
  CHECK((*link)->record == "20261207T041500Z");
  auto missing = read_source_link(repo, "nothing-here");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());

  // Two sources continuing one history: not a history.
  write_state(repo, "db1.stray", SourceLink{"db1", "20261209T041500Z", "0-1-10"});
  auto forked = successors_of(repo, "db1");
  REQUIRE_FALSE(forked.ok());
  CHECK(forked.error().code == ErrorCode::kCorrupt);
  fs::remove_all(repo);
}

TEST_CASE("history chain: GTID bounds of MariaDB positions and MySQL sets") {
  auto maria = GtidBound::parse("0-1-10,1-2-5");
  REQUIRE(maria.ok());
  CHECK(maria->contains("0-1-10"));
  CHECK(maria->contains("0-2-3"));  // per domain, whichever server
  CHECK_FALSE(maria->contains("0-2-11"));
  CHECK_FALSE(maria->contains("7-1-1"));
  CHECK_FALSE(maria->contains(""));
  auto lower = GtidBound::parse("0-1-9");
  REQUIRE(lower.ok());
  CHECK(maria->covers(*lower));
  CHECK_FALSE(lower->covers(*maria));
  auto empty = GtidBound::parse("");
  REQUIRE(empty.ok());
  CHECK(maria->covers(*empty));
  CHECK_FALSE(empty->contains("0-1-1"));

  const std::string uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  auto mysql = GtidBound::parse(uuid + ":1-100");
  REQUIRE(mysql.ok());
  CHECK(mysql->contains(uuid + ":100"));
  CHECK_FALSE(mysql->contains(uuid + ":101"));
  CHECK_FALSE(mysql->contains("0-1-5"));
  auto part = GtidBound::parse(uuid + ":1-90");
  REQUIRE(part.ok());
  CHECK(mysql->covers(*part));
  CHECK_FALSE(part->covers(*mysql));

  CHECK_FALSE(GtidBound::parse("not a gtid").ok());
}
