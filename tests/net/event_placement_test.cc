// place_event() and locate_event() (net/event_placement.h), table-driven over the dump sequences of
// replica_stream.h: each row is one event as the cursor describes it and the copy's file and end, with the
// placement a copy must make of it (or the error). The events are hand-built headers; only their size and
// the fields the cursor fills in matter here.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mzl/codec/event_header.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/format_description.h"
#include "mzl/net/event_placement.h"
#include "mzl/util/crc32.h"

namespace mzl::net {
namespace {

constexpr char kFile[] = "mariadb-bin.000007";
constexpr char kNext[] = "mariadb-bin.000008";

struct Row {
  const char* what;
  codec::EventType type;
  uint32_t size;
  uint64_t position;  // StreamEvent::position
  bool in_file;
  bool artificial;
  const char* file;         // StreamEvent::file
  const char* rotate_file;  // for ROTATE events
  uint64_t copy_end;
  const char* copy_file;
  std::optional<Placement> expected;  // nullopt: an error
  ErrorCode error = ErrorCode::kInternal;
};

StreamEvent event_of(const Row& row, const std::vector<uint8_t>& bytes) {
  StreamEvent event;
  event.data = Bytes(bytes.data(), row.size);
  event.header.type_code = codec::code(row.type);
  event.header.event_size = row.size;
  event.header.log_pos = row.in_file ? static_cast<uint32_t>(row.position + row.size) : 0;
  event.header.flags = row.artificial ? codec::kFlagArtificial : 0;
  event.position = row.position;
  event.in_file = row.in_file;
  event.artificial = row.artificial;
  event.heartbeat = row.type == codec::EventType::kHeartbeat;
  event.file = row.file;
  if (row.rotate_file != nullptr) {
    event.rotate_file = row.rotate_file;
    event.rotate_position = 4;
  }
  return event;
}

TEST_CASE("event placement: what a copy does with each event of a dump", "[net]") {
  using codec::EventType;
  const std::vector<Row> rows = {
      {"a heartbeat, even before any file", EventType::kHeartbeat, 40, 4, false, true, "", nullptr, 0, "",
       Placement::kNotStored},
      {"the dump's first artificial ROTATE", EventType::kRotate, 45, 4, false, true, "", kFile, 0, "",
       Placement::kNewFile},
      {"an artificial ROTATE naming the copy's file (a resumed dump)", EventType::kRotate, 45, 900, false,
       true, kFile, kFile, 900, kFile, Placement::kNotStored},
      {"an artificial ROTATE naming the next file after a crash of the server", EventType::kRotate, 45, 900,
       false, true, kFile, kNext, 900, kFile, Placement::kNewFile},
      {"the file's FORMAT_DESCRIPTION, nothing of the file yet", EventType::kFormatDescription, 256, 4, false,
       false, kFile, nullptr, 0, kFile, Placement::kFormatDescription},
      {"the FORMAT_DESCRIPTION again (log_pos 0) on a resumed dump", EventType::kFormatDescription, 256, 900,
       false, false, kFile, nullptr, 900, kFile, Placement::kRepeatedFormatDescription},
      {"an artificial GTID_LIST", EventType::kMariaGtidList, 30, 900, false, true, kFile, nullptr, 900, kFile,
       Placement::kNotStored},
      {"the event at the copy's end", EventType::kXid, 31, 900, true, false, kFile, nullptr, 900, kFile,
       Placement::kAppend},
      {"an event the copy has (ends at its end)", EventType::kXid, 31, 869, true, false, kFile, nullptr, 900,
       kFile, Placement::kNotStored},
      {"the file's real ROTATE at the copy's end", EventType::kRotate, 45, 900, true, false, kFile, kNext,
       900, kFile, Placement::kAppendLast},
      {"an event after a gap", EventType::kXid, 31, 931, true, false, kFile, nullptr, 900, kFile,
       std::nullopt, ErrorCode::kCorrupt},
      {"an event overlapping the copy's end", EventType::kXid, 31, 880, true, false, kFile, nullptr, 900,
       kFile, std::nullopt, ErrorCode::kCorrupt},
      {"an event of another file at the copy's end", EventType::kXid, 31, 900, true, false, kNext, nullptr,
       900, kFile, std::nullopt, ErrorCode::kCorrupt},
      {"an event before the file's FORMAT_DESCRIPTION", EventType::kXid, 31, 4, true, false, kFile, nullptr,
       0, kFile, std::nullopt, ErrorCode::kCorrupt},
      {"a FORMAT_DESCRIPTION before any file was named", EventType::kFormatDescription, 256, 4, false, false,
       "", nullptr, 0, "", std::nullopt, ErrorCode::kInvalidArgument},
  };
  const std::vector<uint8_t> bytes(1024, 0);
  for (const Row& row : rows) {
    INFO(row.what);
    auto placed = place_event(event_of(row, bytes), CopyEnd{row.copy_file, row.copy_end});
    if (row.expected) {
      INFO((placed.ok() ? std::string() : placed.error().to_string()));
      REQUIRE(placed.ok());
      CHECK(*placed == *row.expected);
    } else {
      REQUIRE_FALSE(placed.ok());
      CHECK(placed.error().code == row.error);
    }
  }
}

TEST_CASE("event placement: the cursor's side, where the dump put an event", "[net]") {
  codec::EventHeader header;
  header.type_code = codec::code(codec::EventType::kXid);
  header.event_size = 31;
  header.log_pos = 931;
  auto in_file = locate_event(header, 120);
  REQUIRE(in_file.ok());
  CHECK(in_file->in_file);
  CHECK(in_file->position == 900);

  header.log_pos = 0;  // a copy made up by the dump thread: where the dump stands
  auto copy = locate_event(header, 120);
  REQUIRE(copy.ok());
  CHECK_FALSE(copy->in_file);
  CHECK(copy->position == 120);

  header.log_pos = 931;
  header.flags = codec::kFlagArtificial;
  CHECK_FALSE(locate_event(header, 120)->in_file);

  header.flags = 0;
  header.type_code = codec::code(codec::EventType::kHeartbeat);
  auto beat = locate_event(header, 120);
  REQUIRE(beat.ok());
  CHECK(beat->heartbeat);
  CHECK_FALSE(beat->in_file);

  header.type_code = codec::code(codec::EventType::kXid);
  header.log_pos = 20;  // ends before its own start
  auto backwards = locate_event(header, 120);
  REQUIRE_FALSE(backwards.ok());
  CHECK(backwards.error().code == ErrorCode::kCorrupt);
}

TEST_CASE("event placement: --output without an archive resumes where the dump named the file", "[net]") {
  const std::vector<uint8_t> bytes(1024, 0);
  StreamPlacement placement;
  Row rotate{"", codec::EventType::kRotate, 45, 4, false, true, "", kFile, 0, "", {}};
  StreamEvent event = event_of(rotate, bytes);
  event.rotate_position = 1500;
  auto placed = placement.place(event);
  REQUIRE(placed.ok());
  CHECK_FALSE(placed->has_value());
  CHECK(placement.file() == kFile);
  CHECK(placement.position() == 1500);
}

// A FORMAT_DESCRIPTION as a dump from position 4 sends it (log_pos its end at offset 4, with a CRC32).
std::vector<uint8_t> format_description_event() {
  const codec::FormatDescription fd =
      codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32);
  ByteWriter body;
  codec::encode_format_description(fd, fd, body);
  codec::EventHeader header;
  header.type_code = codec::code(codec::EventType::kFormatDescription);
  header.server_id = 1;
  header.event_size = static_cast<uint32_t>(codec::kEventHeaderSize + body.buffer().size() + 4);
  header.log_pos = 4 + header.event_size;
  ByteWriter w;
  codec::write_event_header(header, w);
  w.bytes(body.buffer());
  w.u32le(crc32(w.buffer()));
  return w.take();
}

// The dump's start as a MariaDB server sends it for @slave_connect_state: the file's header events, then
// the first transaction after the position, far into the file.
std::vector<Result<std::optional<StreamPlacement::Placed>>> place_gtid_dump_start(
    StreamPlacement& placement) {
  const std::vector<uint8_t> bytes(1024, 0);
  const std::vector<uint8_t> fd_bytes = format_description_event();
  const uint64_t fd_end = 4 + fd_bytes.size();
  std::vector<Result<std::optional<StreamPlacement::Placed>>> placed;
  placed.push_back(placement.place(
      event_of(Row{"", codec::EventType::kRotate, 45, 4, false, true, "", kFile, 0, "", {}}, bytes)));
  StreamEvent fd = event_of(
      Row{"", codec::EventType::kFormatDescription, 0, 4, false, false, kFile, nullptr, 0, kFile, {}}, bytes);
  fd.data = Bytes(fd_bytes.data(), fd_bytes.size());
  placed.push_back(placement.place(fd));
  placed.push_back(placement.place(event_of(
      Row{"", codec::EventType::kMariaGtidList, 30, fd_end, true, false, kFile, nullptr, 0, kFile, {}},
      bytes)));
  placed.push_back(placement.place(event_of(
      Row{"", codec::EventType::kMariaGtid, 42, 202064, true, false, kFile, nullptr, 0, kFile, {}}, bytes)));
  return placed;
}

TEST_CASE("event placement: --output without an archive, a dump started at a GTID position skips ahead",
          "[net]") {
  StreamPlacement placement;
  placement.start_dump(true);
  auto placed = place_gtid_dump_start(placement);
  for (const auto& p : placed) {
    INFO((p.ok() ? std::string() : p.error().to_string()));
    REQUIRE(p.ok());
  }
  REQUIRE(placed[1]->has_value());
  CHECK((*placed[1])->offset == 4);
  REQUIRE(placed[3]->has_value());
  CHECK((*placed[3])->offset == 202064);  // the server skipped the transactions the position holds
  CHECK(placement.position() == 202064 + 42);
  // Only forward, and only to where an event starts: an event overlapping what was passed on is an error.
  const std::vector<uint8_t> bytes(1024, 0);
  auto overlap = placement.place(event_of(
      Row{"", codec::EventType::kXid, 31, 202100, true, false, kFile, nullptr, 0, kFile, {}}, bytes));
  CHECK_FALSE(overlap.ok());

  StreamPlacement by_file;  // a dump started at a file and position (or restarted) has no gap
  by_file.start_dump(false);
  auto strict = place_gtid_dump_start(by_file);
  REQUIRE(strict[2].ok());
  REQUIRE_FALSE(strict[3].ok());
  CHECK(strict[3].error().code == ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace mzl::net
