#include <algorithm>

#include <catch2/catch.hpp>

#include "mzl/verify/snapshot_check.h"
#include "snapshot_test_snapshot.h"

using namespace mzl;
using namespace mzl::verify;
using mzl::snapshot::Compression;

namespace {

std::string describe(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems) out += format_problem(p) + "\n";
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Stream {
  mzl::test::TestSnapshot snapshot;
  snapshot::Manifest manifest;
  std::vector<mzl::test::TestMember> members;
  std::string manifest_json;

  explicit Stream(Compression compression = Compression::kLz4)
      : snapshot(mzl::test::sample_snapshot(compression)),
        members(mzl::test::snapshot_members(snapshot, manifest)),
        manifest_json(snapshot::encode_manifest(manifest)) {}

  std::vector<uint8_t> bytes(bool with_manifest = true) const {
    return mzl::test::tar_stream(snapshot.id, members, with_manifest ? &manifest_json : nullptr);
  }
  mzl::test::TestMember& member(const std::string& path) {
    auto it = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.path == path; });
    REQUIRE(it != members.end());
    return *it;
  }
  std::string data(unsigned t, unsigned i) const { return manifest.tables[t].files[i].path; }
};

SnapshotReport check(const std::vector<uint8_t>& bytes, SnapshotCheckOptions options = {}) {
  auto in = make_memory_input(bytes, "<stdin>");
  auto report = check_snapshot_stream(*in, options);
  REQUIRE(report.ok());
  return *report;
}

Problem only_problem(const SnapshotReport& report) {
  INFO(describe(report.problems));
  REQUIRE(report.problems.size() == 1);
  return report.problems.front();
}

}  // namespace

TEST_CASE("stream: an undamaged snapshot stream verifies", "[snapshot][stream]") {
  const Compression compression = GENERATE(Compression::kLz4, Compression::kZstd, Compression::kNone);
  const bool check_rows = GENERATE(true, false);
  Stream s(compression);
  SnapshotReport report = check(s.bytes(), {1, check_rows});
  INFO(describe(report.problems));
  CHECK(report.ok());
  CHECK(report.id == s.snapshot.id);
  CHECK(report.where == "<stdin>");
  CHECK(report.manifest_read);
  CHECK(report.binlog.gtid == "0-1-99");
  CHECK(report.files_checked == 4);
  CHECK(report.rows_checked == mzl::test::total_rows(s.snapshot));
  uint64_t bytes = 0;
  for (const auto& m : s.members) bytes += m.bytes.size();
  CHECK(report.bytes_checked == bytes);
}

TEST_CASE("stream: a damaged member is named after the manifest arrives", "[snapshot][stream]") {
  Stream s(GENERATE(Compression::kLz4, Compression::kNone));
  auto& m = s.member(s.data(0, 1));
  m.bytes[m.bytes.size() / 2] ^= 0x01;
  const Problem p = only_problem(check(s.bytes()));
  CHECK(p.where == s.snapshot.id + "/" + s.data(0, 1));
  CHECK(contains(p.what, "SHA-256"));
  CHECK(contains(p.what, "cannot restore table shop.orders"));
}

TEST_CASE("stream: a member truncated inside the archive (sizes agree with the tar header)",
          "[snapshot][stream]") {
  Stream s(Compression::kZstd);
  auto& m = s.member(s.data(1, 0));
  const uint64_t size = m.bytes.size();
  m.bytes.resize(size - 3);
  const Problem p = only_problem(check(s.bytes()));
  CHECK(p.where == s.snapshot.id + "/" + s.data(1, 0));
  CHECK(p.offset == size - 3);
  CHECK(contains(p.what, "cut short"));
}

TEST_CASE("stream: without its manifest", "[snapshot][stream]") {
  Stream s;
  SnapshotReport report = check(s.bytes(false));
  const Problem p = only_problem(report);
  CHECK(p.where == s.snapshot.id + "/manifest.json");
  CHECK(contains(p.what, "missing"));
  CHECK_FALSE(report.manifest_read);
  CHECK(report.files_checked == 4);  // read and decoded all the same
}

TEST_CASE("stream: a listed member missing, an unlisted one, one twice, one after the manifest",
          "[snapshot][stream]") {
  Stream s;
  SECTION("missing") {
    const std::string path = s.data(0, 0);
    s.members.erase(
        std::find_if(s.members.begin(), s.members.end(), [&](const auto& m) { return m.path == path; }));
    const Problem p = only_problem(check(s.bytes()));
    CHECK(p.where == s.snapshot.id + "/" + path);
    CHECK(contains(p.what, "listed in the manifest but not in the stream"));
  }
  SECTION("unlisted") {
    s.members.push_back({"data/shop/extra.00000.000.tsv", {'1', '\n'}});
    const Problem p = only_problem(check(s.bytes()));
    CHECK(p.where == s.snapshot.id + "/data/shop/extra.00000.000.tsv");
    CHECK(contains(p.what, "does not list"));
  }
  SECTION("twice") {
    s.members.push_back(s.member(s.data(1, 0)));
    const Problem p = only_problem(check(s.bytes()));
    CHECK(p.where == s.snapshot.id + "/" + s.data(1, 0));
    CHECK(contains(p.what, "occurs twice"));
  }
  SECTION("after the manifest") {
    std::vector<uint8_t> bytes;
    auto sink = make_memory_output(bytes);
    snapshot::TarWriter tar(*sink);
    for (const auto& m : s.members) REQUIRE(tar.add_file(s.snapshot.id + "/" + m.path, m.bytes, 0).ok());
    REQUIRE(tar.add_file(s.snapshot.id + "/manifest.json", s.manifest_json, 0).ok());
    REQUIRE(tar.add_file(s.snapshot.id + "/late", std::string("x"), 0).ok());
    REQUIRE(tar.finish().ok());
    SnapshotReport report = check(bytes);
    INFO(describe(report.problems));
    REQUIRE(report.problems.size() == 2);
    CHECK(report.problems[0].where == s.snapshot.id + "/late");
    CHECK(contains(report.problems[0].what, "after manifest.json"));
    CHECK(report.problems[1].where == s.snapshot.id + "/late");
    CHECK(contains(report.problems[1].what, "does not list"));
  }
  SECTION("outside the snapshot's folder") {
    std::vector<uint8_t> bytes;
    auto sink = make_memory_output(bytes);
    snapshot::TarWriter tar(*sink);
    for (const auto& m : s.members) REQUIRE(tar.add_file(s.snapshot.id + "/" + m.path, m.bytes, 0).ok());
    REQUIRE(tar.add_file("elsewhere/x", std::string("x"), 0).ok());
    REQUIRE(tar.add_file(s.snapshot.id + "/manifest.json", s.manifest_json, 0).ok());
    REQUIRE(tar.finish().ok());
    const Problem p = only_problem(check(bytes));
    CHECK(p.where == "elsewhere/x");
    CHECK(contains(p.what, "outside the snapshot's folder"));
  }
}

TEST_CASE("stream: a manifest edited by hand", "[snapshot][stream]") {
  Stream s(Compression::kZstd);
  SECTION("a changed row count") {
    s.manifest.tables[1].files[0].rows = 3;
    s.manifest.tables[1].rows = 3;
    s.manifest_json = snapshot::encode_manifest(s.manifest);
    const Problem p = only_problem(check(s.bytes()));
    CHECK(p.where == s.snapshot.id + "/" + s.data(1, 0));
    CHECK(contains(p.what, "holds 2 rows, the manifest lists 3"));
  }
  SECTION("no longer parses") {
    s.manifest_json = "{\"format\":1,";
    const Problem p = only_problem(check(s.bytes()));
    CHECK(p.where == s.snapshot.id + "/manifest.json");
    CHECK(contains(p.what, "does not parse"));
  }
}

TEST_CASE("stream: a cut or damaged tar archive stops the check with the stream's offset",
          "[snapshot][stream]") {
  Stream s;
  std::vector<uint8_t> bytes = s.bytes();
  SECTION("cut inside a member") {
    // The first member's header is 512 bytes; cut 100 bytes into its data.
    bytes.resize(512 + 100);
    const Problem p = only_problem(check(bytes));
    CHECK(p.where == "<stdin>");
    CHECK(p.offset.has_value());
    CHECK(contains(p.what, "not a whole snapshot stream"));
  }
  SECTION("a header's checksum") {
    bytes[0] ^= 0x01;  // the first member's name
    const Problem p = only_problem(check(bytes));
    CHECK(p.where == "<stdin>");
    CHECK(p.offset == 0);
  }
}
