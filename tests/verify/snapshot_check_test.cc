#include "mzl/verify/snapshot_check.h"

#include <algorithm>
#include <optional>

#include <catch2/catch.hpp>

#include "snapshot/format_test_support.h"
#include "snapshot_test_snapshot.h"

using namespace mzl;
using namespace mzl::verify;
using mzl::snapshot::Compression;
using mzl::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string describe(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems) out += format_problem(p) + "\n";
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A copy of a good repository, to damage.
struct Repo {
  TempDir tmp;
  std::string repo = tmp.str("repo");
  mzl::test::TestSnapshot snapshot;
  snapshot::Manifest manifest;
  std::string dir;  // the snapshot's directory
  std::string rel;  // "snapshots/<id>/"

  explicit Repo(Compression compression = Compression::kLz4)
      : snapshot(mzl::test::sample_snapshot(compression)),
        manifest(mzl::test::write_snapshot_directory(repo, snapshot)),
        dir(snapshot::snapshot_dir(repo, snapshot.id)),
        rel("snapshots/" + snapshot.id + "/") {}

  // The path (relative to the snapshot) of data file `i` of table `t`.
  std::string data(unsigned t, unsigned i) const { return manifest.tables[t].files[i].path; }

  SnapshotReport check(SnapshotCheckOptions options = {}) const {
    auto report = check_snapshot_directory(repo, snapshot.id, options);
    REQUIRE(report.ok());
    return *report;
  }

  void rewrite_manifest(const snapshot::Manifest& m) const {
    mzl::test::write_bytes(dir + "/manifest.json", snapshot::encode_manifest(m));
  }
};

void flip_byte(const std::string& path, uint64_t offset, uint8_t value) {
  std::string bytes = mzl::test::read_bytes(path);
  REQUIRE(offset < bytes.size());
  bytes[offset] = static_cast<char>(value);
  mzl::test::write_bytes(path, bytes);
}

Problem only_problem(const SnapshotReport& report) {
  INFO(describe(report.problems));
  REQUIRE(report.problems.size() == 1);
  return report.problems.front();
}

}  // namespace

TEST_CASE("an undamaged snapshot directory verifies, every file read, every row counted", "[snapshot]") {
  const Compression compression = GENERATE(Compression::kLz4, Compression::kZstd, Compression::kNone);
  const unsigned threads = GENERATE(1u, 4u);
  const bool check_rows = GENERATE(true, false);
  Repo r(compression);
  SnapshotReport report = r.check({threads, check_rows});
  INFO(describe(report.problems));
  CHECK(report.ok());
  CHECK(report.id == r.snapshot.id);
  CHECK(report.where == "snapshots/" + r.snapshot.id);
  CHECK(report.manifest_read);
  CHECK(report.binlog.gtid == "0-1-99");
  CHECK(report.binlog.file == "mariadb-bin.000007");
  CHECK(report.source == "db1_3306");
  CHECK(report.started_at == "2026-11-22T04:00:00.000Z");
  CHECK(report.files_checked == 4);  // schema.jsonl and the three data files
  CHECK(report.rows_checked == 3 + 4000 + 2);
  uint64_t bytes = 0;
  for (const auto& f : r.manifest.files) bytes += fs::file_size(r.dir + "/" + f.path);
  CHECK(report.bytes_checked == bytes);
}

TEST_CASE("a flipped byte in a data file is named, with the table it cannot restore", "[snapshot]") {
  const Compression compression = GENERATE(Compression::kLz4, Compression::kZstd, Compression::kNone);
  Repo r(compression);
  const std::string path = r.dir + "/" + r.data(0, 1);
  const uint64_t middle = fs::file_size(path) / 2;
  flip_byte(path, middle, static_cast<uint8_t>(mzl::test::read_bytes(path)[middle] ^ 0x20));
  const Problem p = only_problem(r.check());
  CHECK(p.where == r.rel + r.data(0, 1));
  CHECK(contains(p.what, "SHA-256"));
  CHECK(contains(p.what, "the checksum cannot say where"));
  CHECK(contains(p.what, "cannot restore table shop.orders"));
}

TEST_CASE("a damaged row in an uncompressed file is located at the byte the test changed", "[snapshot]") {
  Repo r(Compression::kNone);
  const std::string path = r.dir + "/" + r.data(0, 0);
  // "1\tapple\t\\N\n": the 'p' at byte 3 becomes a backslash, escaping the next 'p' (not an escape).
  flip_byte(path, 3, '\\');
  const Problem p = only_problem(r.check({0, true}));
  CHECK(p.where == r.rel + r.data(0, 0));
  REQUIRE(p.offset);
  CHECK(*p.offset == 3);
  CHECK(contains(p.what, "SHA-256"));
  CHECK(contains(p.what, "do not parse at byte 3"));
}

TEST_CASE("a truncated data file: the offset is where it now ends", "[snapshot]") {
  const Compression compression = GENERATE(Compression::kLz4, Compression::kNone);
  Repo r(compression);
  const std::string path = r.dir + "/" + r.data(0, 1);
  const uint64_t size = fs::file_size(path);
  fs::resize_file(path, size - 10);
  const Problem p = only_problem(r.check());
  CHECK(p.where == r.rel + r.data(0, 1));
  REQUIRE(p.offset);
  CHECK(*p.offset == size - 10);
  CHECK(contains(p.what, fmt::format("has {} bytes, the manifest says {}", size - 10, size)));
  CHECK(contains(p.what, "cut short"));
  CHECK(contains(p.what, "cannot restore table shop.orders"));
}

TEST_CASE("bytes appended to a file: the offset is the first extra byte", "[snapshot]") {
  Repo r(Compression::kZstd);
  const std::string path = r.dir + "/" + r.data(1, 0);
  const uint64_t size = fs::file_size(path);
  mzl::test::write_bytes(path, mzl::test::read_bytes(path) + "more");
  const Problem p = only_problem(r.check());
  CHECK(p.where == r.rel + r.data(1, 0));
  CHECK(p.offset == size);
  CHECK(contains(p.what, "4 bytes were added"));
  CHECK(contains(p.what, "cannot restore table shop.notes"));
}

TEST_CASE("a missing data file, a missing schema", "[snapshot]") {
  Repo r;
  fs::remove(r.dir + "/" + r.data(0, 0));
  fs::remove(r.dir + "/schema.jsonl");
  SnapshotReport report = r.check();
  INFO(describe(report.problems));
  REQUIRE(report.problems.size() == 2);
  // In the manifest's order: data/... before schema.jsonl.
  CHECK(report.problems[0].where == r.rel + r.data(0, 0));
  CHECK(contains(report.problems[0].what, "listed in the manifest but missing"));
  CHECK(contains(report.problems[0].what, "cannot restore table shop.orders"));
  CHECK(report.problems[1].where == r.rel + "schema.jsonl");
  CHECK(contains(report.problems[1].what, "cannot restore its schema"));
  CHECK(report.files_checked == 2);
}

TEST_CASE("extra files and directories are named, a listed path that is not a file is a problem",
          "[snapshot]") {
  Repo r;
  mzl::test::write_bytes(r.dir + "/data/shop/extra.tsv", "9\tx\ty\n");
  fs::create_directories(r.dir + "/data/other/deeper");
  mzl::test::write_bytes(r.dir + "/data/other/deeper/f", "x");
  mzl::test::write_bytes(r.dir + "/notes.txt", "x");
  fs::create_symlink("schema.jsonl", r.dir + "/link");
  SnapshotReport report = r.check();
  INFO(describe(report.problems));
  REQUIRE(report.problems.size() == 4);
  std::vector<std::string> wheres;
  for (const Problem& p : report.problems) wheres.push_back(p.where);
  std::sort(wheres.begin(), wheres.end());
  CHECK(wheres == std::vector<std::string>{r.rel + "data/other", r.rel + "data/shop/extra.tsv",
                                           r.rel + "link", r.rel + "notes.txt"});
  for (const Problem& p : report.problems) {
    if (p.where == r.rel + "data/shop/extra.tsv") CHECK(contains(p.what, "not listed in the manifest"));
    if (p.where == r.rel + "data/other") CHECK(contains(p.what, "a directory"));
    if (p.where == r.rel + "link") CHECK(contains(p.what, "not a regular file"));
  }

  Repo listed_dir;
  fs::remove(listed_dir.dir + "/" + listed_dir.data(1, 0));
  fs::create_directory(listed_dir.dir + "/" + listed_dir.data(1, 0));
  const Problem p = only_problem(listed_dir.check());
  CHECK(p.where == listed_dir.rel + listed_dir.data(1, 0));
  CHECK(contains(p.what, "not a regular file"));
}

TEST_CASE("a manifest edited by hand", "[snapshot]") {
  Repo r(Compression::kZstd);
  snapshot::Manifest m = r.manifest;

  SECTION("a file's row count and its table's, changed together") {
    m.tables[0].files[1].rows += 1;
    m.tables[0].rows += 1;
    r.rewrite_manifest(m);
    const Problem p = only_problem(r.check({0, true}));
    CHECK(p.where == r.rel + r.data(0, 1));
    CHECK(contains(p.what, "holds 4000 rows, the manifest lists 4001"));
    CHECK(contains(p.what, "the manifest was changed"));
  }
  SECTION("a row count changed without its table's: both named") {
    m.tables[1].files[0].rows = 5;
    r.rewrite_manifest(m);
    SnapshotReport report = r.check();
    INFO(describe(report.problems));
    REQUIRE(report.problems.size() == 2);
    CHECK(report.problems[0].where == r.rel + "manifest.json");
    CHECK(contains(report.problems[0].what, "table shop.notes is listed with 2 rows, its data files with 5"));
    CHECK(report.problems[1].where == r.rel + r.data(1, 0));
    CHECK(contains(report.problems[1].what, "holds 2 rows, the manifest lists 5"));
  }
  SECTION("without parsing rows, the row counts are still compared") {
    m.tables[0].files[1].rows += 1;
    m.tables[0].rows += 1;
    r.rewrite_manifest(m);
    const Problem p = only_problem(r.check({1, false}));
    CHECK(contains(p.what, "holds 4000 rows, the manifest lists 4001"));
  }
  SECTION("a changed size") {
    const auto f = std::find_if(m.files.begin(), m.files.end(),
                                [&](const snapshot::SnapshotFile& x) { return x.path == r.data(0, 0); });
    const uint64_t size = f->size;
    f->size += 1;
    r.rewrite_manifest(m);
    const Problem p = only_problem(r.check());
    CHECK(p.where == r.rel + r.data(0, 0));
    CHECK(p.offset == size);
    CHECK(contains(p.what, fmt::format("has {} bytes, the manifest says {}", size, size + 1)));
  }
  SECTION("a changed SHA-256") {
    const auto f = std::find_if(m.files.begin(), m.files.end(),
                                [&](const snapshot::SnapshotFile& x) { return x.path == "schema.jsonl"; });
    f->sha256 = std::string(64, '0');
    r.rewrite_manifest(m);
    const Problem p = only_problem(r.check());
    CHECK(p.where == r.rel + "schema.jsonl");
    CHECK(contains(p.what, "differs from the manifest's " + std::string(64, '0')));
  }
  SECTION("a column added to a table") {
    m.tables[1].columns.push_back("extra");
    r.rewrite_manifest(m);
    const Problem p = only_problem(r.check({0, true}));
    CHECK(p.where == r.rel + r.data(1, 0));
    CHECK(contains(p.what, "its rows have 2 fields, the manifest's table shop.notes has 3 columns"));
    CHECK(r.check({0, false}).ok());  // fields are counted only when rows are parsed
  }
  SECTION("a file dropped from the list: it is unlisted, and its table's data file is unchecked") {
    m.files.erase(std::find_if(m.files.begin(), m.files.end(),
                               [&](const snapshot::SnapshotFile& x) { return x.path == r.data(1, 0); }));
    r.rewrite_manifest(m);
    SnapshotReport report = r.check();
    INFO(describe(report.problems));
    REQUIRE(report.problems.size() == 2);
    CHECK(report.problems[0].where == r.rel + "manifest.json");
    CHECK(contains(report.problems[0].what, "is not among the manifest's files"));
    CHECK(report.problems[1].where == r.rel + r.data(1, 0));
    CHECK(contains(report.problems[1].what, "not listed in the manifest"));
  }
  SECTION("a path outside the snapshot is never opened") {
    m.files.push_back({"../../outside", 1, std::string(64, 'a')});
    r.rewrite_manifest(m);
    mzl::test::write_bytes(r.tmp.str("outside"), "x");
    const Problem p = only_problem(r.check());
    CHECK(p.where == r.rel + "manifest.json");
    CHECK(contains(p.what, "\"../../outside\""));
  }
  SECTION("another snapshot's id") {
    m.id = "20261122T050000Z";
    r.rewrite_manifest(m);
    const Problem p = only_problem(r.check());
    CHECK(p.where == r.rel + "manifest.json");
    CHECK(contains(p.what, "is of snapshot 20261122T050000Z"));
  }
  SECTION("a manifest that no longer parses") {
    std::string text = mzl::test::read_bytes(r.dir + "/manifest.json");
    text.resize(text.size() / 2);
    mzl::test::write_bytes(r.dir + "/manifest.json", text);
    SnapshotReport report = r.check();
    const Problem p = only_problem(report);
    CHECK(p.where == r.rel + "manifest.json");
    CHECK(contains(p.what, "does not parse"));
    CHECK_FALSE(report.manifest_read);
    CHECK(report.files_checked == 0);
  }
  SECTION("no manifest") {
    fs::remove(r.dir + "/manifest.json");
    const Problem p = only_problem(r.check());
    CHECK(p.where == r.rel + "manifest.json");
    CHECK(contains(p.what, "missing"));
  }
}

TEST_CASE("a file written damaged (its SHA-256 matches the manifest) is still found by decoding it",
          "[snapshot]") {
  Repo r(Compression::kNone);
  snapshot::Manifest m = r.manifest;
  const std::string path = r.dir + "/" + r.data(1, 0);
  // "1\thello\n2\t\\N\n" with the last LF removed: a row cut short; the manifest made to match.
  const std::string bad = "1\thello\n2\t\\N";
  mzl::test::write_bytes(path, bad);
  for (auto& f : m.files) {
    if (f.path == r.data(1, 0)) {
      f.size = bad.size();
      f.sha256 = snapshot::sha256_hex({reinterpret_cast<const uint8_t*>(bad.data()), bad.size()});
    }
  }
  r.rewrite_manifest(m);
  const Problem p = only_problem(r.check());
  CHECK(p.where == r.rel + r.data(1, 0));
  CHECK(p.offset == bad.size());
  CHECK(contains(p.what, "although its SHA-256 matches"));
}

TEST_CASE("check_snapshot_directory: bad id, missing snapshot", "[snapshot]") {
  Repo r;
  CHECK(check_snapshot_directory(r.repo, "../x").error().code == ErrorCode::kInvalidArgument);
  CHECK(check_snapshot_directory(r.repo, "20261122T050000Z").error().code == ErrorCode::kNotFound);
}

TEST_CASE("check_repository_snapshots: every snapshot, partial ones, stray entries", "[snapshot]") {
  Repo r;
  mzl::test::TestSnapshot second = mzl::test::sample_snapshot(Compression::kZstd);
  second.id = "20261122T040000Z-2";
  mzl::test::write_snapshot_directory(r.repo, second);
  mzl::test::TestSnapshot third = mzl::test::sample_snapshot(Compression::kNone);
  third.id = "20261123T040000Z";
  mzl::test::write_snapshot_directory(r.repo, third);
  fs::remove(snapshot::snapshot_dir(r.repo, third.id) + "/" +
             r.data(0, 1).substr(0, r.data(0, 1).size() - 4));

  std::string interrupted = "20261124T040000Z";
  REQUIRE(snapshot::begin_snapshot(r.repo, interrupted).ok());
  std::string running = "20261125T040000Z";
  auto running_dir = snapshot::begin_snapshot(r.repo, running);
  REQUIRE(running_dir.ok());
  fs::create_directories(snapshot::snapshot_dir(r.repo, "20261126T040000Z"));  // no manifest
  mzl::test::write_bytes(snapshot::snapshots_dir(r.repo) + "/README", "x");

  // The running snapshot's writer holds its lock (a second open file description conflicts, as another
  // process's would).
  std::optional<snapshot::PartialSnapshotLock> lock;
  {
    auto locked = snapshot::lock_partial_snapshot(*running_dir);
    REQUIRE(locked.ok());
    lock.emplace(std::move(*locked));
  }
  auto report = check_repository_snapshots(r.repo, {2, true});
  REQUIRE(report.ok());
  CHECK_FALSE(report->ok());
  REQUIRE(report->snapshots.size() == 4);
  CHECK(report->snapshots[0].id == "20261122T040000Z");
  CHECK(report->snapshots[0].ok());
  CHECK(report->snapshots[1].id == "20261122T040000Z-2");
  CHECK(report->snapshots[1].ok());
  CHECK(report->snapshots[2].id == "20261123T040000Z");
  const Problem missing = only_problem(report->snapshots[2]);
  CHECK(missing.where == "snapshots/20261123T040000Z/data/shop/orders.00001.000.tsv");
  CHECK(report->snapshots[3].id == "20261126T040000Z");
  CHECK(only_problem(report->snapshots[3]).where == "snapshots/20261126T040000Z/manifest.json");
  CHECK(report->in_progress == std::vector<std::string>{".partial-20261125T040000Z"});
  INFO(describe(report->problems));
  REQUIRE(report->problems.size() == 2);
  CHECK(report->problems[0].where == "snapshots/.partial-20261124T040000Z");
  CHECK(contains(report->problems[0].what, "an interrupted snapshot"));
  CHECK(report->problems[1].where == "snapshots/README");

  // Once its writer has ended, the running one is interrupted too.
  lock.reset();
  auto after = check_repository_snapshots(r.repo);
  REQUIRE(after.ok());
  CHECK(after->in_progress.empty());
  CHECK(after->problems.size() == 3);
}

TEST_CASE("check_repository_snapshots: a repository without snapshots", "[snapshot]") {
  TempDir tmp;
  auto report = check_repository_snapshots(tmp.str("repo"));
  REQUIRE(report.ok());
  CHECK(report->ok());
  CHECK(report->snapshots.empty());
}
