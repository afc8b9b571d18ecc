// Every fixture that is a server's own binlog file (one FORMAT_DESCRIPTION at offset 4, every log_pos the end
// of its event) is streamed through a dump into an archive: the archived file must be the fixture itself
// (with LOG_EVENT_BINLOG_IN_USE_F clear), for every server version and both flavours.
#include <catch2/catch.hpp>

#include "archive_test_support.h"
#include "mzl/archive/binlog_archive.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/event_type.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::archive;

namespace {

struct FixtureDump {
  std::vector<test::DumpEvent> events;
  bool ends_with_transaction_end = false;
};

// The dumps of these files start with an artificial ROTATE framed without checksum.
const codec::FormatDescription& mysql_dump_format() {
  static const codec::FormatDescription fd =
      codec::default_format_description(codec::Flavour::kMySQL, codec::ChecksumAlg::kOff);
  return fd;
}

// nullopt when the file is not a plain server binlog (relay log, v1/v3 format, damaged on purpose).
std::optional<FixtureDump> dump_of(const std::filesystem::path& path) {
  auto reader = codec::BinlogFileReader::open(path.string());
  if (!reader.ok()) return std::nullopt;
  FixtureDump dump;
  codec::Event fake{codec::EventHeader{0, 4, 1, 0, 0, codec::kFlagArtificial},
                    codec::RotateEvent{4, path.filename().string()}, std::nullopt, 0};
  auto fake_bytes = codec::encode_event(fake, mysql_dump_format());
  dump.events.push_back(test::DumpEvent{fake_bytes, test::header_of(fake_bytes)});
  int fds = 0;
  while (true) {
    auto event = reader->next();
    if (!event.ok()) return std::nullopt;
    if (!*event) break;
    const auto& raw = **event;
    if (raw.header.type_code == static_cast<uint8_t>(codec::EventType::kFormatDescription) &&
        (++fds > 1 || raw.offset != 4)) {
      return std::nullopt;
    }
    if (raw.header.log_pos != raw.offset + raw.header.event_size) return std::nullopt;
    dump.events.push_back(
        test::DumpEvent{std::vector<uint8_t>(raw.data.begin(), raw.data.end()), raw.header});
    dump.ends_with_transaction_end = raw.header.type_code == static_cast<uint8_t>(codec::EventType::kXid);
  }
  if (fds != 1) return std::nullopt;
  return dump;
}

}  // namespace

TEST_CASE("archive: every server binlog fixture is archived byte for byte and resumes at a boundary") {
  int archived = 0;
  for (const auto& path : test::all_fixture_binlogs()) {
    auto dump = dump_of(path);
    if (!dump) continue;
    INFO(path.string());
    std::vector<uint8_t> expected = test::read_file(path);
    expected[21] &= static_cast<uint8_t>(~codec::kFlagBinlogInUse);
    test::TempRepo repo;
    BinlogArchiveOptions options;
    options.repo = repo.path.string();
    options.source = "fixture";
    std::string name = path.filename().string();
    std::string dir = (repo.path / "binlogs" / "fixture").string();
    {
      auto archive = BinlogArchive::open(options);
      REQUIRE(archive.ok());
      auto fed = test::feed(**archive, dump->events, 4, mysql_dump_format());
      if (fed.error) FAIL(fed.error->to_string());
      auto content = test::archived_content(dir, name);
      REQUIRE(content);
      CHECK(*content == expected);
      if (dump->ends_with_transaction_end) CHECK((*archive)->resume_point().position == expected.size());
    }
    // Reopening cuts a trailing partial transaction (if any) and keeps the rest.
    auto reopened = BinlogArchive::open(options);
    if (!reopened.ok()) FAIL(reopened.error().to_string());
    auto rp = (*reopened)->resume_point();
    auto content = test::archived_content(dir, name);
    REQUIRE(content);
    if (rp.file == name) {
      CHECK(content->size() == rp.position);
      CHECK(std::equal(content->begin(), content->end(), expected.begin()));
    } else {
      // The file ends with its ROTATE: it was closed, whole, and the dump continues in the next file.
      CHECK(*content == expected);
      REQUIRE((*reopened)->state().closed_files.size() == 1);
      CHECK((*reopened)->state().closed_files[0].name == name);
      CHECK(rp.position == 4);
    }
    ++archived;
  }
  if (!test::fixtures_dir().empty()) CHECK(archived >= 10);
  WARN(archived << " fixture files archived");
}

TEST_CASE("archive: MySQL GTID transactions (events.tsv of binlog_transaction_with_GTID.000001)") {
  auto dir = test::fixtures_dir();
  if (dir.empty()) return;
  auto dump = dump_of(dir / "mysql-5.6" / "binlog_transaction_with_GTID.000001");
  REQUIRE(dump);
  const std::string uuid = "006c2cf2-b1ea-11e4-9057-8c705a3d3e78";
  test::TempRepo repo;
  BinlogArchiveOptions options;
  options.repo = repo.path.string();
  options.source = "mysql56";
  SECTION("the whole file: DDL, BEGIN..COMMIT, DDL, STOP") {
    auto archive = BinlogArchive::open(options);
    REQUIRE(archive.ok());
    REQUIRE_FALSE(test::feed(**archive, dump->events, 4, mysql_dump_format()).error);
    CHECK((*archive)->resume_point() ==
          ResumePoint{"binlog_transaction_with_GTID.000001", 789, uuid + ":1-3"});
    CHECK((*archive)->state().current_first_gtid == uuid + ":1");
    CHECK((*archive)->state().current_last_gtid == uuid + ":3");
    CHECK((*archive)->state().server.flavour == "mysql");
  }
  SECTION("cut inside the BEGIN..COMMIT transaction: resumes before its GTID event") {
    // dump: fake ROTATE, FD, PREVIOUS_GTIDS, GTID 1, DDL, GTID 2, BEGIN, INSERT (ends at 523), COMMIT, ...
    std::vector<test::DumpEvent> part(dump->events.begin(), dump->events.begin() + 8);
    {
      auto archive = BinlogArchive::open(options);
      REQUIRE(archive.ok());
      REQUIRE_FALSE(test::feed(**archive, part, 4, mysql_dump_format()).error);
      CHECK((*archive)->current_size() == 523);
      CHECK((*archive)->resume_point() ==
            ResumePoint{"binlog_transaction_with_GTID.000001", 297, uuid + ":1"});
    }
    auto reopened = BinlogArchive::open(options);
    REQUIRE(reopened.ok());
    CHECK((*reopened)->current_size() == 297);
    CHECK((*reopened)->resume_point() ==
          ResumePoint{"binlog_transaction_with_GTID.000001", 297, uuid + ":1"});
    std::vector<test::DumpEvent> rest(dump->events.begin() + 5, dump->events.end());
    rest.insert(rest.begin(), dump->events.begin(), dump->events.begin() + 2);  // fake ROTATE and FD again
    REQUIRE_FALSE(test::feed(**reopened, rest, 4, mysql_dump_format()).error);
    auto content = test::archived_content((repo.path / "binlogs" / "mysql56").string(),
                                          "binlog_transaction_with_GTID.000001");
    REQUIRE(content);
    CHECK(*content == test::read_file(dir / "mysql-5.6" / "binlog_transaction_with_GTID.000001"));
  }
}
