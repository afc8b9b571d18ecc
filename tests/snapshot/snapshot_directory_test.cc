#include "mzl/snapshot/snapshot_directory.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "format_test_support.h"
#include "mzl/snapshot/data_file_writer.h"

using namespace mzl;
using namespace mzl::snapshot;
using mzl::test::TempDir;
namespace fs = std::filesystem;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

Manifest manifest_for(const std::string& id) {
  Manifest m;
  m.id = id;
  m.server.source = "db1_3306";
  m.binlog = {"mariadb-bin.000001", 330, "0-1-5"};
  m.databases = {"d"};
  return m;
}

}  // namespace

TEST_CASE("snapshot ids") {
  using namespace std::chrono;
  // 2026-11-22T04:00:00Z = 1795320000 s since the epoch (date -u -d @1795320000).
  const system_clock::time_point t{seconds(1795320000) + milliseconds(999)};
  CHECK(snapshot_id_for(t) == "20261122T040000Z");
  CHECK(snapshot_id_for(system_clock::time_point{}) == "19700101T000000Z");
  CHECK(is_snapshot_id("20261122T040000Z"));
  CHECK(is_snapshot_id("20261122T040000Z-2"));
  CHECK(is_snapshot_id("20261122T040000Z-10"));
  CHECK_FALSE(is_snapshot_id("20261122T040000Z-"));
  CHECK_FALSE(is_snapshot_id("20261122T040000Z-0"));
  CHECK_FALSE(is_snapshot_id("20261122T040000Z-02"));
  CHECK_FALSE(is_snapshot_id("20261122T040000"));
  CHECK_FALSE(is_snapshot_id("2026112xT040000Z"));
  CHECK_FALSE(is_snapshot_id(".partial-20261122T040000Z"));
  CHECK_FALSE(is_snapshot_id("20261122T040000Zx"));
}

TEST_CASE("begin/finish: a partial directory becomes a complete snapshot in one rename") {
  TempDir tmp;
  const std::string repo = tmp.str("repo");
  std::string id = "20261122T040000Z";
  auto partial = begin_snapshot(repo, id);
  REQUIRE(partial.ok());
  CHECK(id == "20261122T040000Z");
  CHECK(*partial == repo + "/snapshots/.partial-20261122T040000Z");
  CHECK(*partial == partial_snapshot_dir(repo, id));
  CHECK(mode_of(*partial) == 0700);
  CHECK(mode_of(repo + "/snapshots") == 0700);

  // A partial snapshot never lists, even with files in it.
  fs::create_directories(*partial + "/data/d");
  auto w = DataFileWriter::create_file(*partial + "/data/d/t.00000.000.tsv", Compression::kNone);
  REQUIRE(w.ok());
  REQUIRE((*w)->write("1\n").ok());
  REQUIRE((*w)->finish().ok());
  CHECK(list_snapshot_ids(repo)->empty());

  // The same second again: suffixed.
  std::string id2 = "20261122T040000Z";
  auto partial2 = begin_snapshot(repo, id2);
  REQUIRE(partial2.ok());
  CHECK(id2 == "20261122T040000Z-2");

  CHECK(finish_snapshot(repo, id, manifest_for("other")).error().code == ErrorCode::kInvalidArgument);
  REQUIRE(finish_snapshot(repo, id, manifest_for(id)).ok());
  CHECK_FALSE(fs::exists(*partial));
  CHECK(fs::exists(snapshot_dir(repo, id) + "/data/d/t.00000.000.tsv"));
  CHECK(mode_of(snapshot_dir(repo, id) + "/manifest.json") == 0600);
  CHECK(*list_snapshot_ids(repo) == std::vector<std::string>{"20261122T040000Z"});
  auto m = read_manifest(snapshot_dir(repo, id));
  REQUIRE(m.ok());
  CHECK(*m == manifest_for(id));

  // A third one in that second, while -2 is still partial: -3; and a complete id is never reused.
  std::string id3 = "20261122T040000Z";
  REQUIRE(begin_snapshot(repo, id3).ok());
  CHECK(id3 == "20261122T040000Z-3");
  REQUIRE(finish_snapshot(repo, id2, manifest_for(id2)).ok());
  REQUIRE(finish_snapshot(repo, id3, manifest_for(id3)).ok());
  CHECK(*list_snapshot_ids(repo) ==
        std::vector<std::string>{"20261122T040000Z", "20261122T040000Z-2", "20261122T040000Z-3"});
}

TEST_CASE("list_snapshot_ids: sorted by time then suffix, ignores partial, stray and manifest-less entries") {
  TempDir tmp;
  const std::string repo = tmp.str("repo");
  CHECK(list_snapshot_ids(repo)->empty());  // no snapshots/ yet
  for (const char* id : {"20261122T050000Z", "20261122T040000Z-10", "20261122T040000Z-2", "20261122T040000Z",
                         "20251231T235959Z"}) {
    fs::create_directories(snapshot_dir(repo, id));
    mzl::test::write_bytes(snapshot_dir(repo, id) + "/manifest.json", "{}");
  }
  fs::create_directories(snapshot_dir(repo, "20261122T060000Z"));  // no manifest
  fs::create_directories(partial_snapshot_dir(repo, "20261122T070000Z"));
  mzl::test::write_bytes(partial_snapshot_dir(repo, "20261122T070000Z") + "/manifest.json", "{}");
  fs::create_directories(snapshot_dir(repo, "notes"));
  mzl::test::write_bytes(snapshot_dir(repo, "20261122T080000Z"), "a file, not a directory");
  CHECK(*list_snapshot_ids(repo) == std::vector<std::string>{"20251231T235959Z", "20261122T040000Z",
                                                             "20261122T040000Z-2", "20261122T040000Z-10",
                                                             "20261122T050000Z"});
}

TEST_CASE("remove_partial_snapshots and remove_snapshot") {
  TempDir tmp;
  const std::string repo = tmp.str("repo");
  CHECK(remove_partial_snapshots(repo).ok());  // nothing there
  std::string a = "20261122T040000Z";
  auto pa = begin_snapshot(repo, a);
  REQUIRE(pa.ok());
  fs::create_directories(*pa + "/data/x");
  mzl::test::write_bytes(*pa + "/data/x/f", "data");
  std::string b = "20261122T050000Z";
  REQUIRE(begin_snapshot(repo, b).ok());
  REQUIRE(finish_snapshot(repo, b, manifest_for(b)).ok());
  REQUIRE(remove_partial_snapshots(repo).ok());
  CHECK_FALSE(fs::exists(*pa));
  CHECK(*list_snapshot_ids(repo) == std::vector<std::string>{b});

  CHECK(remove_snapshot(repo, "20261122T060000Z").error().code == ErrorCode::kNotFound);
  CHECK(remove_snapshot(repo, "../repo").error().code == ErrorCode::kNotFound);
  REQUIRE(remove_snapshot(repo, b).ok());
  CHECK(list_snapshot_ids(repo)->empty());
  CHECK(fs::is_empty(repo + "/snapshots"));
}

// A snapshot being written holds the lock on its partial directory: cleanup leaves it alone until it ends.
TEST_CASE("remove_partial_snapshots leaves a partial snapshot whose writer holds its lock") {
  TempDir tmp;
  const std::string repo = tmp.str("repo");
  std::string id = "20261122T040000Z";
  auto partial = begin_snapshot(repo, id);
  REQUIRE(partial.ok());
  {
    auto lock = lock_partial_snapshot(*partial);
    REQUIRE(lock.ok());
    CHECK(partial_snapshot_in_use(*partial));
    CHECK_FALSE(lock_partial_snapshot(*partial).ok());  // a second writer is refused
    REQUIRE(remove_partial_snapshots(repo).ok());
    CHECK(fs::exists(*partial));
  }
  CHECK_FALSE(partial_snapshot_in_use(*partial));
  REQUIRE(remove_partial_snapshots(repo).ok());
  CHECK_FALSE(fs::exists(*partial));
}

TEST_CASE("read_manifest: missing is kNotFound, bad is kCorrupt naming the file") {
  TempDir tmp;
  auto missing = read_manifest(tmp.str());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  mzl::test::write_bytes(tmp.str("manifest.json"), "{\"format\":1,");
  auto bad = read_manifest(tmp.str());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kCorrupt);
  CHECK(bad.error().where == tmp.str("manifest.json"));
}
