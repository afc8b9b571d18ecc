// The file CRCs BinlogArchive records in state.json (current_crc32 at the boundary, each closed file's
// crc32) are computed over its write buffer at flush time; they must equal crc32 of the bytes on disk
// wherever the boundary falls: before the buffer, at its start, inside it, across 1 MiB buffer flushes.
#include <catch2/catch.hpp>

#include "archive_test_support.h"
#include "mzl/archive/binlog_archive.h"
#include "mzl/codec/event_type.h"
#include "mzl/util/crc32.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::archive;
using mzl::test::ServerBinlog;
using mzl::test::TempRepo;

namespace {

std::string dir_of(const TempRepo& repo) {
  return (repo.path / "binlogs" / "db1_3306").string();
}

// state.json's current_crc32 is crc32 of the current file's first durable_position bytes.
void check_current_crc(const TempRepo& repo, const ArchiveState& state) {
  if (state.current_file.empty() || state.durable_position == 0) return;
  auto content = test::archived_content(dir_of(repo), state.current_file);
  REQUIRE(content);
  REQUIRE(content->size() >= state.durable_position);
  CHECK(state.current_crc32 == crc32(Bytes(*content).first(state.durable_position)));
}

}  // namespace

TEST_CASE("archive: state CRCs equal the bytes on disk with the boundary anywhere in the write buffer") {
  auto base = ServerBinlog::from_fixture();
  if (!base) return;
  ServerBinlog server = *base;
  uint64_t seq = 1;
  server.begin_file("mariadb-bin.000001");
  while (server.files().back().bytes.size() < 3 * 1024 * 1024) server.transaction(seq++);  // 1 MiB flushes
  server.rotate("mariadb-bin.000002");
  server.begin_file("mariadb-bin.000002");
  for (int t = 0; t < 40; ++t) server.transaction(seq++);
  server.rotate("mariadb-bin.000003");
  server.begin_file("mariadb-bin.000003");
  server.transaction(seq++);
  const auto dump = server.dump_from("", 4);
  // A TABLE_MAP in the second file: the dump breaks off there, in the middle of a transaction.
  size_t break_at = dump.size() - 60;
  while (dump[break_at].header.type_code != static_cast<uint8_t>(codec::EventType::kTableMap)) ++break_at;

  // No sync at transaction ends (as with --fsync-interval): checkpoints every `every` events fall in the
  // middle of transactions, with the last boundary inside the buffer or before it.
  for (size_t every : {size_t{7}, size_t{3001}}) {
    INFO("checkpoint every " << every << " events");
    TempRepo repo;
    BinlogArchiveOptions options;
    options.repo = repo.path.string();
    options.source = "db1_3306";
    options.server.server_id = 1;
    auto opened = BinlogArchive::open(options);
    REQUIRE(opened.ok());
    BinlogArchive& archive = **opened;
    int checkpoints = 0;
    auto append_all = [&](const std::vector<test::DumpEvent>& events, size_t end) {
      test::DumpStream stream;
      for (size_t i = 0; i < end; ++i) {
        REQUIRE(archive.append_event(stream.take(events[i])).ok());
        if (i % every == every - 1) {
          REQUIRE(archive.checkpoint().ok());
          if (every > 7 || checkpoints % 13 == 0) check_current_crc(repo, archive.state());  // reads the file
          ++checkpoints;
        }
      }
    };
    append_all(dump, break_at + 1);
    // The dump broke off: cut back to the boundary (the state's CRC is the boundary's), then resume there.
    REQUIRE(archive.discard_partial_transaction().ok());
    REQUIRE(archive.checkpoint().ok());
    check_current_crc(repo, archive.state());
    const ResumePoint resume = archive.resume_point();
    CHECK(resume.file == "mariadb-bin.000002");
    const auto rest = server.dump_from(resume.file, resume.position);
    append_all(rest, rest.size());
    CHECK(checkpoints > 1);
    REQUIRE(archive.checkpoint().ok());
    check_current_crc(repo, archive.state());
    REQUIRE(archive.state().closed_files.size() == 2);
    CHECK(archive.state().closed_files[0].crc32 == crc32(server.files()[0].bytes));
    CHECK(archive.state().closed_files[1].crc32 == crc32(server.files()[1].bytes));
    CHECK(archive.state().durable_position == server.files()[2].bytes.size());
  }
}
