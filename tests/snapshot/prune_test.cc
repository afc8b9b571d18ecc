#include "mzl/snapshot/prune.h"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "mzl/archive/archive_state.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/json_reader.h"

namespace mzl::snapshot {
namespace {

namespace fs = std::filesystem;

// A fabricated repository in a fresh temporary directory, removed at the end.
class FakeRepo {
 public:
  FakeRepo() {
    root_ = fs::temp_directory_path() / fmt::format("mzl-prune-test-{}-{}", getpid(), counter_++);
    fs::remove_all(root_);
    fs::create_directories(root_ / "snapshots");
    fs::create_directories(root_ / "binlogs");
  }
  ~FakeRepo() { fs::remove_all(root_); }

  std::string path() const { return root_.string(); }

  // Writes `size` bytes to repo-relative `rel` and remembers the size.
  void write(const std::string& rel, size_t size) { write_text(rel, std::string(size, 'x')); }
  void write_text(const std::string& rel, const std::string& text) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    sizes_[rel] = text.size();
  }
  uint64_t size_of(const std::string& rel) const { return sizes_.at(rel); }
  // Bytes of every file written under the repo-relative directory `dir`.
  uint64_t bytes_under(const std::string& dir) const {
    uint64_t total = 0;
    for (const auto& [rel, size] : sizes_) {
      if (rel.starts_with(dir + "/")) total += size;
    }
    return total;
  }

  // A complete snapshot: one data file of `data_bytes` and its manifest.
  void snapshot(const std::string& id, const std::string& started_at, SnapshotServer server,
                const std::string& binlog_file, size_t data_bytes = 1000) {
    Manifest m;
    m.id = id;
    m.tool_version = "test";
    m.server = std::move(server);
    m.binlog = {binlog_file, 4, "0-1-1"};
    m.started_at = started_at;
    m.finished_at = started_at;
    m.lock = {"none", 0, 1};
    m.databases = {"db"};
    std::string data = "data/db/t.00000.000.tsv.lz4";
    m.tables.push_back(TableEntry{"db", "t", "InnoDB", 10, {"id"}, "`id`", "", {{data, 10, 100}}});
    m.files.push_back({data, data_bytes, std::string(64, '0')});
    write("snapshots/" + id + "/" + data, data_bytes);
    write_text("snapshots/" + id + "/manifest.json", encode_manifest(m));
  }

  void state(const std::string& source, archive::ServerIdentity server, const std::string& current_file) {
    archive::ArchiveState s;
    s.source = source;
    s.server = std::move(server);
    s.current_file = current_file;
    s.durable_position = 100;
    write_text("binlogs/" + source + "/state.json", archive::encode_archive_state(s));
  }

  // Every file and directory under the repository (relative paths), to compare before/after.
  std::set<std::string> tree() const {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root_))
      out.insert(fs::relative(e.path(), root_).string());
    return out;
  }
  std::set<std::string> names_in(const std::string& rel) const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(root_ / rel)) out.insert(e.path().filename().string());
    return out;
  }
  std::string read_text(const std::string& rel) const {
    std::ifstream in(root_ / rel, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  static inline int counter_ = 0;
  fs::path root_;
  std::map<std::string, uint64_t> sizes_;
};

SnapshotServer mariadb1() {
  return {"db1:3306", "db1_3306", "", 1, "mariadb", "10.11.19-MariaDB-log"};
}

std::string mysql_binlog(int n) {
  return fmt::format("binlog.{:06}", n);
}
std::string maria_binlog(int n) {
  return fmt::format("mariadb-bin.{:06}", n);
}

// The repository of the prune tests:
//  - db1_3306 (MariaDB, server_id 1): a snapshot every day at 04:00 from 2026-11-13 to 2026-11-22; the one of
//    day 13+k starts in mariadb-bin.<10+2k>. Its archive holds mariadb-bin.000010..000029 (000010..000023
//    compressed, 000023 also still plain, 000029 the current file), plus an unfinished .lz4.tmp.
//  - a MySQL server (server_id 3, uuid U3) whose snapshots do not name a source (matched by identity):
//    2026-11-22T05:00 in binlog.000007 and 2026-11-01T04:00 in binlog.000002; archive db3_3306 holds
//    binlog.000001..000009 (current 000009).
//  - another MySQL server with the same server_id 3 but uuid U9, archived as db4_3306 (which has no
//  state.json):
//    one snapshot 2026-11-22T06:00 in binlog.000004.
//  - db2_3306 (MariaDB, server_id 2): an archive (mariadb-bin.000001..000005) no snapshot was taken from.
//  - two leftovers: an interrupted snapshot and an interrupted removal.
void fabricate(FakeRepo& repo) {
  for (int k = 0; k <= 9; ++k) {
    repo.snapshot(fmt::format("202611{:02}T040000Z", 13 + k),
                  fmt::format("2026-11-{:02}T04:00:00.250Z", 13 + k), mariadb1(), maria_binlog(10 + 2 * k),
                  1000 + static_cast<size_t>(k));
  }
  SnapshotServer u3{"db3:3306", "", "U3", 3, "mysql", "8.0.40"};
  SnapshotServer u9{"db4:3306", "db4_3306", "U9", 3, "mysql", "8.0.40"};
  repo.snapshot("20261122T050000Z", "2026-11-22T05:00:00Z", u3, mysql_binlog(7));
  repo.snapshot("20261101T040000Z", "2026-11-01T04:00:00Z", u3, mysql_binlog(2));
  repo.snapshot("20261122T060000Z", "2026-11-22T06:00:00Z", u9, mysql_binlog(4));

  repo.state("db1_3306", {"", 1, "mariadb", "10.11.19-MariaDB-log"}, maria_binlog(29));
  for (int n = 10; n <= 29; ++n)
    repo.write("binlogs/db1_3306/" + maria_binlog(n) + (n <= 23 ? ".lz4" : ""), 100 + n);
  repo.write("binlogs/db1_3306/" + maria_binlog(23), 500);
  repo.write("binlogs/db1_3306/" + maria_binlog(24) + ".lz4.tmp", 50);

  repo.state("db3_3306", {"U3", 3, "mysql", "8.0.40"}, mysql_binlog(9));
  for (int n = 1; n <= 9; ++n) repo.write("binlogs/db3_3306/" + mysql_binlog(n), 200);
  for (int n = 1; n <= 4; ++n) repo.write("binlogs/db4_3306/" + mysql_binlog(n), 300);

  repo.state("db2_3306", {"", 2, "mariadb", "10.11.19-MariaDB-log"}, maria_binlog(5));
  for (int n = 1; n <= 5; ++n) repo.write("binlogs/db2_3306/" + maria_binlog(n), 400);

  repo.write("snapshots/.partial-20261122T070000Z/data/db/t.00000.000.tsv.lz4", 777);
  repo.write("snapshots/.partial-20261110T040000Z.removing/manifest.json", 88);
}

const RetentionPolicy kPolicy{.keep_last = 3, .keep_daily = 3};

std::map<std::string, std::vector<std::string>> kept_of(const PrunePlan& plan) {
  std::map<std::string, std::vector<std::string>> out;
  for (const SnapshotVerdict& s : plan.snapshots) {
    if (s.keep) out[s.id] = s.reasons;
  }
  return out;
}

const BinlogSourcePlan& source_of(const PrunePlan& plan, const std::string& name) {
  for (const BinlogSourcePlan& s : plan.sources) {
    if (s.source == name) return s;
  }
  FAIL("no source " << name);
  throw 0;
}

std::vector<std::string> removed_names(const BinlogSourcePlan& s) {
  std::vector<std::string> out;
  for (const PrunedEntry& e : s.removed) out.push_back(e.name);
  return out;
}

TEST_CASE("prune plans exactly what the policy and the snapshots' binlog needs say") {
  FakeRepo repo;
  fabricate(repo);
  auto planned = plan_prune(repo.path(), kPolicy);
  REQUIRE(planned.ok());
  const PrunePlan& plan = *planned;

  // keep-last 3: the three newest (22nd 06:00, 05:00, 04:00); keep-daily 3: the newest of the 22nd, 21st,
  // 20th.
  std::map<std::string, std::vector<std::string>> expected_kept = {
      {"20261122T060000Z", {"last", "daily"}}, {"20261122T050000Z", {"last"}},
      {"20261122T040000Z", {"last"}},          {"20261121T040000Z", {"daily"}},
      {"20261120T040000Z", {"daily"}},
  };
  CHECK(kept_of(plan) == expected_kept);
  REQUIRE(plan.snapshots.size() == 13);
  CHECK(plan.snapshots.front().id == "20261122T060000Z");
  CHECK(plan.snapshots.back().id == "20261101T040000Z");
  CHECK(plan.kept_snapshots() == 5);
  CHECK(plan.removed_snapshots() == 8);

  // db1: the oldest remaining snapshot of it (the 20th, k=7) starts in mariadb-bin.000024.
  const BinlogSourcePlan& db1 = source_of(plan, "db1_3306");
  CHECK(db1.first_needed == "mariadb-bin.000024");
  CHECK(db1.needed_by == "20261120T040000Z");
  CHECK(db1.current_file == "mariadb-bin.000029");
  std::vector<std::string> db1_removed;
  for (int n = 10; n <= 22; ++n) db1_removed.push_back(maria_binlog(n) + ".lz4");
  db1_removed.push_back(maria_binlog(23));
  db1_removed.push_back(maria_binlog(23) + ".lz4");
  CHECK(removed_names(db1) == db1_removed);
  CHECK(db1.kept_files == 6);  // 000024..000029; the .lz4.tmp is not a binlog file
  CHECK(db1.kept_bytes == 124 + 125 + 126 + 127 + 128 + 129);

  // db3: matched by server_id 3 + mysql + uuid U3 (the U9 snapshot, also server_id 3, is another server).
  const BinlogSourcePlan& db3 = source_of(plan, "db3_3306");
  CHECK(db3.first_needed == "binlog.000007");
  CHECK(db3.needed_by == "20261122T050000Z");
  CHECK(removed_names(db3) == std::vector<std::string>{mysql_binlog(1), mysql_binlog(2), mysql_binlog(3),
                                                       mysql_binlog(4), mysql_binlog(5), mysql_binlog(6)});
  CHECK(db3.kept_files == 3);

  // db2: no snapshot of that server; db4: named by a snapshot but without state.json. Both keep everything.
  const BinlogSourcePlan& db2 = source_of(plan, "db2_3306");
  CHECK(db2.removed.empty());
  CHECK(db2.first_needed.empty());
  CHECK(db2.kept_files == 5);
  CHECK_FALSE(db2.note.empty());
  const BinlogSourcePlan& db4 = source_of(plan, "db4_3306");
  CHECK(db4.removed.empty());
  CHECK(db4.kept_files == 4);
  CHECK_FALSE(db4.note.empty());

  REQUIRE(plan.leftovers.size() == 2);
  CHECK(plan.leftovers[0].name == ".partial-20261110T040000Z.removing");
  CHECK(plan.leftovers[1].name == ".partial-20261122T070000Z");
  CHECK(plan.leftovers[1].bytes == 777);

  uint64_t freed = 777 + 88;
  for (const SnapshotVerdict& s : plan.snapshots) {
    CHECK(s.bytes == repo.bytes_under("snapshots/" + s.id));
    if (!s.keep) freed += repo.bytes_under("snapshots/" + s.id);
  }
  for (int n = 10; n <= 23; ++n) freed += 100 + static_cast<uint64_t>(n);
  freed += 500 + 6 * 200;
  CHECK(plan.freed_bytes == freed);
  CHECK(plan.removed_binlogs() == 15 + 6);
}

TEST_CASE("a dry run (plan and describe only) changes nothing, apply removes exactly the plan") {
  FakeRepo repo;
  fabricate(repo);
  const std::set<std::string> before = repo.tree();
  const std::string db1_state = repo.read_text("binlogs/db1_3306/state.json");
  auto plan = plan_prune(repo.path(), kPolicy);
  REQUIRE(plan.ok());
  std::string text = describe_prune_plan(*plan, false);
  std::string json = describe_prune_plan(*plan, true);
  CHECK(repo.tree() == before);

  CHECK(text.find("keep    20261122T060000Z") != std::string::npos);
  CHECK(text.find("remove  20261113T040000Z") != std::string::npos);
  CHECK(text.find("binlogs/db1_3306: snapshot 20261120T040000Z needs mariadb-bin.000024 onwards") !=
        std::string::npos);
  CHECK(text.find("remove  mariadb-bin.000010.lz4") != std::string::npos);
  CHECK(text.find("snapshots: 5 kept, 8 removed; 2 incomplete removed; binlog files: 21 removed;") !=
        std::string::npos);
  auto parsed = parse_json(json, "plan");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->find("freed_bytes") != nullptr);
  CHECK(parsed->find("freed_bytes")->as_uint64() == plan->freed_bytes);
  CHECK(parsed->find("snapshots")->as_array()->size() == 13);
  CHECK(parsed->find("binlogs")->as_array()->size() == 4);

  REQUIRE(apply_prune(repo.path(), *plan).ok());
  CHECK(repo.names_in("snapshots") == std::set<std::string>{"20261122T060000Z", "20261122T050000Z",
                                                            "20261122T040000Z", "20261121T040000Z",
                                                            "20261120T040000Z"});
  std::set<std::string> db1 = {"state.json", "pruned_through", maria_binlog(24) + ".lz4.tmp"};
  for (int n = 24; n <= 29; ++n) db1.insert(maria_binlog(n));
  CHECK(repo.names_in("binlogs/db1_3306") == db1);
  CHECK(repo.names_in("binlogs/db3_3306") == std::set<std::string>{"state.json", "pruned_through",
                                                                   mysql_binlog(7), mysql_binlog(8),
                                                                   mysql_binlog(9)});
  // The newest file removed from each source, which mzl-verify uses to tell pruned files from lost ones.
  CHECK(repo.read_text("binlogs/db1_3306/pruned_through") == maria_binlog(23) + "\n");
  CHECK(repo.read_text("binlogs/db3_3306/pruned_through") == mysql_binlog(6) + "\n");
  CHECK(repo.names_in("binlogs/db2_3306").size() == 6);
  CHECK(repo.names_in("binlogs/db4_3306").size() == 4);
  CHECK(repo.read_text("binlogs/db1_3306/state.json") == db1_state);  // never modified
  // Every remaining snapshot is whole.
  for (const std::string& id : repo.names_in("snapshots")) {
    CHECK(repo.names_in("snapshots/" + id) == std::set<std::string>{"data", "manifest.json"});
  }

  // A second run with the same policy finds nothing more to do.
  auto again = plan_prune(repo.path(), kPolicy);
  REQUIRE(again.ok());
  CHECK(again->kept_snapshots() == 5);
  CHECK(again->removed_snapshots() == 0);
  CHECK(again->removed_binlogs() == 0);
  CHECK(again->leftovers.empty());
  CHECK(again->freed_bytes == 0);
}

TEST_CASE("an interrupted prune is finished by the next run") {
  FakeRepo repo;
  fabricate(repo);
  // A prune stopped after renaming the 13th's snapshot to its trash name and deleting part of it.
  fs::path snapshots = fs::path(repo.path()) / "snapshots";
  fs::rename(snapshots / "20261113T040000Z", snapshots / ".partial-20261113T040000Z.removing");
  fs::remove(snapshots / ".partial-20261113T040000Z.removing" / "manifest.json");
  auto plan = plan_prune(repo.path(), kPolicy);
  REQUIRE(plan.ok());
  CHECK(plan->snapshots.size() == 12);  // the half-deleted one is not a snapshot any more
  REQUIRE(plan->leftovers.size() == 3);
  CHECK(plan->leftovers[0].name == ".partial-20261110T040000Z.removing");
  CHECK(plan->leftovers[1].name == ".partial-20261113T040000Z.removing");
  CHECK(plan->leftovers[1].bytes == 1000);
  REQUIRE(apply_prune(repo.path(), *plan).ok());
  CHECK(repo.names_in("snapshots").size() == 5);
  for (const std::string& name : repo.names_in("snapshots")) CHECK_FALSE(name.starts_with(".partial-"));
}

TEST_CASE("prune refuses a policy without rules and a snapshot it cannot read") {
  FakeRepo repo;
  fabricate(repo);
  const std::set<std::string> before = repo.tree();
  auto none = plan_prune(repo.path(), RetentionPolicy{});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::kInvalidArgument);
  CHECK(exit_code_for(none.error()) == kExitUsage);

  repo.write_text("snapshots/20261115T040000Z/manifest.json", "{\"format\":1,");
  auto corrupt = plan_prune(repo.path(), kPolicy);
  REQUIRE_FALSE(corrupt.ok());
  CHECK(corrupt.error().code == ErrorCode::kCorrupt);
  CHECK(repo.tree() == before);
}

TEST_CASE("a repository without snapshots or binlogs prunes nothing") {
  FakeRepo repo;
  auto plan = plan_prune(repo.path(), {.keep_last = 1});
  REQUIRE(plan.ok());
  CHECK(plan->snapshots.empty());
  CHECK(plan->sources.empty());
  CHECK(plan->freed_bytes == 0);
  CHECK(apply_prune(repo.path(), *plan).ok());
  CHECK(describe_prune_plan(*plan, false).find("snapshots: 0 kept, 0 removed") != std::string::npos);
}

TEST_CASE("a source with files of another log-bin name keeps them") {
  FakeRepo repo;
  repo.snapshot("20261122T040000Z", "2026-11-22T04:00:00Z", mariadb1(), maria_binlog(5));
  repo.state("db1_3306", {"", 1, "mariadb", ""}, maria_binlog(6));
  for (int n = 1; n <= 6; ++n) repo.write("binlogs/db1_3306/" + maria_binlog(n), 10);
  repo.write("binlogs/db1_3306/old-bin.000003", 10);
  auto plan = plan_prune(repo.path(), {.keep_last = 1});
  REQUIRE(plan.ok());
  const BinlogSourcePlan& db1 = source_of(*plan, "db1_3306");
  CHECK(removed_names(db1) ==
        std::vector<std::string>{maria_binlog(1), maria_binlog(2), maria_binlog(3), maria_binlog(4)});
  CHECK(db1.kept_files == 3);
  CHECK(db1.note.find("old-bin") == std::string::npos);
  CHECK(db1.note.find("mariadb-bin.*") != std::string::npos);
}

TEST_CASE("the current file is kept even below the first needed file") {
  // The archiver stopped in mariadb-bin.000006 while the server went on to 000008, where the snapshot starts.
  FakeRepo repo;
  repo.snapshot("20261122T040000Z", "2026-11-22T04:00:00Z", mariadb1(), maria_binlog(8));
  repo.state("db1_3306", {"", 1, "mariadb", ""}, maria_binlog(6));
  for (int n = 1; n <= 6; ++n) repo.write("binlogs/db1_3306/" + maria_binlog(n), 10);
  auto plan = plan_prune(repo.path(), {.keep_last = 1});
  REQUIRE(plan.ok());
  const BinlogSourcePlan& db1 = source_of(*plan, "db1_3306");
  CHECK(db1.first_needed == "mariadb-bin.000008");
  CHECK(removed_names(db1) == std::vector<std::string>{maria_binlog(1), maria_binlog(2), maria_binlog(3),
                                                       maria_binlog(4), maria_binlog(5)});
  CHECK(db1.kept_files == 1);
}

TEST_CASE("snapshots without usable binlog coordinates remove no binlog") {
  FakeRepo repo;
  repo.state("db1_3306", {"", 1, "mariadb", ""}, maria_binlog(6));
  for (int n = 1; n <= 6; ++n) repo.write("binlogs/db1_3306/" + maria_binlog(n), 10);
  SECTION("a server without binary log") {
    repo.snapshot("20261122T040000Z", "2026-11-22T04:00:00Z", mariadb1(), "");
  }
  SECTION("a binlog file name without a number") {
    repo.snapshot("20261122T040000Z", "2026-11-22T04:00:00Z", mariadb1(), "mariadb-bin");
  }
  SECTION("the only snapshot of the server is removed by the policy") {
    repo.snapshot("20261122T040000Z", "2026-11-22T04:00:00Z", mariadb1(), maria_binlog(5));
    SnapshotServer other{"db9:3306", "db9_3306", "", 9, "mariadb", ""};
    repo.snapshot("20261122T050000Z", "2026-11-22T05:00:00Z", other, maria_binlog(7));
  }
  auto plan = plan_prune(repo.path(), {.keep_last = 1});
  REQUIRE(plan.ok());
  const BinlogSourcePlan& db1 = source_of(*plan, "db1_3306");
  CHECK(db1.removed.empty());
  CHECK(db1.kept_files == 6);
  CHECK_FALSE(db1.note.empty());
}

TEST_CASE("human_bytes") {
  CHECK(human_bytes(0) == "0 B");
  CHECK(human_bytes(1023) == "1023 B");
  CHECK(human_bytes(1536) == "1.50 KiB");
  CHECK(human_bytes(12345678) == "11.8 MiB");
  CHECK(human_bytes(uint64_t{3} << 40) == "3.00 TiB");
}

}  // namespace
}  // namespace mzl::snapshot
