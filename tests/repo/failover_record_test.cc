#include "mzl/repo/failover_record.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "mzl/repo/directory_lock.h"
#include "mzl/repo/repository_layout.h"

using namespace mzl;
using namespace mzl::repo;
namespace fs = std::filesystem;

namespace {

std::string scratch_repo() {
  std::string pattern = (fs::temp_directory_path() / "mzl-failovers-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

FailoverRecord sample() {
  FailoverRecord r;
  r.kind = RunKind::kFailover;
  r.outcome = Outcome::kPromoted;
  r.started = "2026-12-07T04:15:00Z";
  r.finished = "2026-12-07T04:15:01Z";
  r.old_primary = {"127.0.0.1:3306", 1};
  r.new_primary = {"127.0.0.1:3307", 2};
  r.fork_position = "0-1-5500";
  r.archive = ArchiveVerdict{"db1", "0-1-5500", true};
  r.nothing_acknowledged_lost = true;
  r.candidate = "it received the most";
  r.excluded = {"127.0.0.1:3308: --never"};
  r.before = {{"127.0.0.1:3307", "replica", false, "0-1-5400", "127.0.0.1:3306"}};
  r.steps = {{"stop replication", "127.0.0.1:3307", 3, 1, true, ""}};
  r.message = "a \"quoted\" word";
  return r;
}

}  // namespace

TEST_CASE("failover record: what is written is read back") {
  const FailoverRecord r = sample();
  const std::string json = encode_failover_record(r);
  CHECK_THAT(json, Catch::Contains(R"("kind":"failover")") && Catch::Contains(R"("outcome":"promoted")") &&
                       Catch::Contains(R"("nothing_acknowledged_lost":true)") &&
                       Catch::Contains(R"("write_downtime_ms":null)"));
  auto back = decode_failover_record(json, "r.json");
  REQUIRE(back.ok());
  CHECK(back->kind == RunKind::kFailover);
  CHECK(back->outcome == Outcome::kPromoted);
  CHECK(back->old_primary.address == "127.0.0.1:3306");
  CHECK(back->old_primary.server_id == 1);
  CHECK(back->new_primary.server_id == 2);
  CHECK(back->fork_position == "0-1-5500");
  REQUIRE(back->archive.has_value());
  CHECK(back->archive->acknowledged == "0-1-5500");
  CHECK(back->archive->new_primary_holds);
  CHECK(back->nothing_acknowledged_lost == std::optional<bool>(true));
  CHECK_FALSE(back->write_downtime_ms.has_value());
  CHECK(back->excluded == r.excluded);
  CHECK(back->message == r.message);
  CHECK_THAT(json, Catch::Contains(R"("term":null)"));
  CHECK_FALSE(back->term.has_value());
}

TEST_CASE("failover record: the term of a watcher's failover reads back") {
  FailoverRecord r = sample();
  r.term = 4711;
  const std::string json = encode_failover_record(r);
  CHECK_THAT(json, Catch::Contains(R"("term":4711)"));
  auto back = decode_failover_record(json, "r.json");
  REQUIRE(back.ok());
  CHECK(back->term == std::optional<uint64_t>(4711));
}

TEST_CASE("failover record: a run without an archive verdict (null) reads back") {
  FailoverRecord r = sample();
  r.archive.reset();
  r.nothing_acknowledged_lost.reset();
  r.write_downtime_ms = 12.5;
  const std::string json = encode_failover_record(r);
  CHECK_THAT(json, Catch::Contains(R"("archive":null)"));
  auto back = decode_failover_record(json, "r.json");
  REQUIRE(back.ok());
  CHECK_FALSE(back->archive.has_value());
  CHECK_FALSE(back->nothing_acknowledged_lost.has_value());
  CHECK(back->write_downtime_ms == std::optional<double>(12.5));
}

TEST_CASE("failover record: bad records are kCorrupt at the file") {
  auto not_object = decode_failover_record("[1]", "r.json");
  REQUIRE_FALSE(not_object.ok());
  CHECK(not_object.error().code == ErrorCode::kCorrupt);
  CHECK(not_object.error().where == "r.json");

  std::string json = encode_failover_record(sample());
  const std::string kind = R"("kind":"failover")";
  json.replace(json.find(kind), kind.size(), R"("kind":"sideways")");
  auto bad_kind = decode_failover_record(json, "r.json");
  REQUIRE_FALSE(bad_kind.ok());
  CHECK_THAT(bad_kind.error().message, Catch::Contains("kind") && Catch::Contains("sideways"));

  auto future =
      decode_failover_record(R"({"format":2,"id":"x","kind":"failover","outcome":"promoted"})", "r");
  REQUIRE_FALSE(future.ok());
  CHECK_THAT(future.error().message, Catch::Contains("format 2"));
}

TEST_CASE("failover record: records are written 0600 under REPO/failovers and listed oldest first") {
  const std::string repo = scratch_repo();
  auto none = read_failover_records(repo);
  REQUIRE(none.ok());
  CHECK(none->empty());

  FailoverRecord first = sample();
  auto path1 = write_failover_record(repo, first);
  REQUIRE(path1.ok());
  FailoverRecord second = sample();
  second.kind = RunKind::kRejoin;
  auto path2 = write_failover_record(repo, second);
  REQUIRE(path2.ok());
  CHECK(*path1 != *path2);  // the same second: the second record's id gets "-2"
  CHECK(is_snapshot_id(first.id));
  CHECK(is_snapshot_id(second.id));
  struct stat st {};
  REQUIRE(::stat(path1->c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::ofstream(repo + "/failovers/notes.txt") << "not a record\n";

  auto records = read_failover_records(repo);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].id == first.id);
  CHECK((*records)[1].kind == RunKind::kRejoin);
  fs::remove_all(repo);
}

TEST_CASE("failover record: the repository's failover lock admits one run") {
  const std::string repo = scratch_repo();
  auto held = lock_failovers(repo);
  REQUIRE(held.ok());
  auto second = lock_failovers(repo);
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.error().message, Catch::Contains("another mzl-promote"));
  fs::remove_all(repo);
}

TEST_CASE("failover record: the UTC time text reads back, other text does not") {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1'796'601'601));
  CHECK(utc_time_text(t) == "2026-12-07T00:00:01Z");
  CHECK(parse_utc_time_text("2026-12-07T00:00:01Z") == std::optional(t));
  for (const char* bad : {"", "2026-12-07 00:00:01Z", "2026-12-07T00:00:01", "2026-13-07T00:00:01Z",
                          "2026-02-30T00:00:01Z", "2026-12-07T24:00:01Z", "x026-12-07T00:00:01Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_utc_time_text(bad).has_value());
  }
}
