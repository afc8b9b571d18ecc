// StreamCursor fed with a dump rebuilt from a real MariaDB binlog fixture (mariadb-10.5/mariadb-bin.000001):
// the packets a dump thread sends for it (artificial ROTATE, the file's events with the FORMAT_DESCRIPTION's
// in-use flag cleared, a heartbeat, EOF), with and without the semi-sync header, and broken variants.
// Expected offsets and log_pos values come from the fixture's events.tsv; checksums of hand-built events are
// computed with zlib.
#include <zlib.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mzl/net/stream_cursor.h"
#include "test_support.h"

namespace mzl::net {
namespace {

constexpr char kFile[] = "mariadb-bin.000001";
constexpr char kServer[] = "mzl@db:3306";

struct TsvEvent {
  uint64_t offset = 0;
  int type = 0;
  uint64_t size = 0;
  uint64_t log_pos = 0;
};

std::filesystem::path fixture_dir() {
  return test::fixtures_dir() / "mariadb-10.5";
}

std::vector<TsvEvent> tsv_events() {
  std::ifstream in(fixture_dir() / "events.tsv");
  REQUIRE(in);
  std::vector<TsvEvent> out;
  std::string line;
  std::getline(in, line);  // column names
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    REQUIRE(cols.size() >= 9);
    out.push_back({std::stoull(cols[1]), std::stoi(cols[3]), std::stoull(cols[7]), std::stoull(cols[8])});
  }
  return out;
}

void put_le(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void set_crc(std::vector<uint8_t>& event) {
  const uLong crc = ::crc32(0L, event.data(), static_cast<uInt>(event.size() - 4));
  for (int i = 0; i < 4; ++i) event[event.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
}

// A CRC32-terminated event with timestamp 0 and server id 1.
std::vector<uint8_t> make_event(uint8_t type, uint32_t log_pos, uint16_t flags,
                                const std::vector<uint8_t>& body) {
  std::vector<uint8_t> out;
  put_le(out, 0, 4);
  out.push_back(type);
  put_le(out, 1, 4);
  put_le(out, 19 + body.size() + 4, 4);
  put_le(out, log_pos, 4);
  put_le(out, flags, 2);
  out.insert(out.end(), body.begin(), body.end());
  put_le(out, 0, 4);
  set_crc(out);
  return out;
}

std::vector<uint8_t> rotate_body(uint64_t position, const std::string& file) {
  std::vector<uint8_t> body;
  put_le(body, position, 8);
  body.insert(body.end(), file.begin(), file.end());
  return body;
}

std::vector<uint8_t> packet(const std::vector<uint8_t>& event, std::optional<uint8_t> semi_sync_flag = {}) {
  std::vector<uint8_t> out = {0x00};
  if (semi_sync_flag) {
    out.push_back(0xEF);
    out.push_back(*semi_sync_flag);
  }
  out.insert(out.end(), event.begin(), event.end());
  return out;
}

// The fixture's events as the dump thread sends them: the FORMAT_DESCRIPTION with LOG_EVENT_BINLOG_IN_USE_F
// clear (its CRC32 is computed that way in the file already).
std::vector<std::vector<uint8_t>> fixture_events() {
  const std::vector<uint8_t> file = test::read_file(fixture_dir() / kFile);
  std::vector<std::vector<uint8_t>> out;
  for (const TsvEvent& e : tsv_events()) {
    out.emplace_back(file.begin() + static_cast<std::ptrdiff_t>(e.offset),
                     file.begin() + static_cast<std::ptrdiff_t>(e.offset + e.size));
  }
  out[0][17] &= 0xFE;
  return out;
}

StreamCursor fresh_cursor(bool semi_sync = false, bool verify = true) {
  return StreamCursor(kServer,
                      codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32),
                      "", 4, semi_sync, verify);
}

StreamEvent accept_event(StreamCursor& cursor, const std::vector<uint8_t>& bytes) {
  auto accepted = cursor.accept(bytes);
  INFO((accepted.ok() ? std::string() : accepted.error().to_string()));
  REQUIRE(accepted.ok());
  REQUIRE(accepted->has_value());
  return **accepted;
}

void check_whole_dump(bool semi_sync_header) {
  const auto tsv = tsv_events();
  const auto events = fixture_events();
  StreamCursor cursor = fresh_cursor(semi_sync_header);
  const std::optional<uint8_t> no_ack =
      semi_sync_header ? std::optional<uint8_t>(0) : std::optional<uint8_t>();

  const auto fake = packet(make_event(4, 0, codec::kFlagArtificial, rotate_body(4, kFile)), no_ack);
  StreamEvent first = accept_event(cursor, fake);
  CHECK(first.artificial);
  CHECK_FALSE(first.in_file);
  CHECK(cursor.semi_sync_active() == semi_sync_header);
  CHECK(cursor.file() == kFile);
  CHECK(cursor.position() == 4);

  for (size_t i = 0; i < events.size(); ++i) {
    const bool is_xid = tsv[i].type == 16;
    const auto bytes = packet(events[i], semi_sync_header ? std::optional<uint8_t>(is_xid ? 1 : 0) : no_ack);
    StreamEvent e = accept_event(cursor, bytes);
    INFO("event at " << tsv[i].offset);
    CHECK(e.in_file);
    CHECK_FALSE(e.artificial);
    CHECK(e.file == kFile);
    CHECK(e.position == tsv[i].offset);
    CHECK(e.header.type_code == tsv[i].type);
    CHECK(e.need_ack == (semi_sync_header && is_xid));
    CHECK(std::vector<uint8_t>(e.data.begin(), e.data.end()) == events[i]);
    CHECK(cursor.position() == tsv[i].log_pos);
  }
  CHECK(cursor.format().checksum_alg == codec::ChecksumAlg::kCrc32);
  CHECK(cursor.format().server_version == "10.5.15-MariaDB-1:10.5.15+maria~focal-log");

  const uint64_t end = tsv.back().log_pos;
  std::vector<uint8_t> hb_body(kFile, kFile + sizeof(kFile) - 1);
  StreamEvent hb =
      accept_event(cursor, packet(make_event(27, static_cast<uint32_t>(end), 0, hb_body), no_ack));
  CHECK(hb.heartbeat);
  CHECK_FALSE(hb.in_file);
  CHECK(cursor.position() == end);

  auto eof = cursor.accept(std::vector<uint8_t>{0xFE, 0x00, 0x00, 0x02, 0x00});
  REQUIRE(eof.ok());
  CHECK_FALSE(eof->has_value());
}

TEST_CASE("stream cursor: a whole dump of a real MariaDB binlog", "[net]") {
  if (!std::filesystem::exists(fixture_dir())) return;
  SECTION("plain") {
    check_whole_dump(false);
  }
  SECTION("with the semi-sync header; XIDs ask for an ACK") {
    check_whole_dump(true);
  }
}

TEST_CASE("stream cursor: semi-sync asked for but not sent by the server", "[net]") {
  if (!std::filesystem::exists(fixture_dir())) return;
  StreamCursor cursor = fresh_cursor(/*semi_sync=*/true);
  accept_event(cursor, packet(make_event(4, 0, codec::kFlagArtificial, rotate_body(4, kFile))));
  CHECK(cursor.semi_sync_decided());
  CHECK_FALSE(cursor.semi_sync_active());
  StreamEvent fd = accept_event(cursor, packet(fixture_events()[0]));
  CHECK(fd.header.type_code == 15);
  CHECK_FALSE(fd.need_ack);
}

TEST_CASE("stream cursor: a corrupted event is a checksum mismatch at its file and position", "[net]") {
  if (!std::filesystem::exists(fixture_dir())) return;
  const auto tsv = tsv_events();
  auto events = fixture_events();
  StreamCursor cursor = fresh_cursor();
  accept_event(cursor, packet(make_event(4, 0, codec::kFlagArtificial, rotate_body(4, kFile))));
  size_t table_map = 0;
  for (size_t i = 0; i < events.size() && table_map == 0; ++i) {
    if (tsv[i].type == 19) {
      table_map = i;
      break;
    }
    accept_event(cursor, packet(events[i]));
  }
  REQUIRE(table_map > 0);
  const uint64_t before = cursor.position();
  auto bad = events[table_map];
  bad[30] ^= 0x40;
  auto rejected = cursor.accept(packet(bad));
  REQUIRE_FALSE(rejected.ok());
  CHECK(rejected.error().code == ErrorCode::kChecksumMismatch);
  CHECK(rejected.error().where == std::string(kServer) + " " + kFile);
  REQUIRE(rejected.error().offset.has_value());
  CHECK(*rejected.error().offset == tsv[table_map].offset);
  CHECK(cursor.position() == before);

  // The intact event is still taken; without verification the corrupt one would have been too.
  accept_event(cursor, packet(events[table_map]));
  StreamCursor unchecked = fresh_cursor(false, /*verify=*/false);
  accept_event(unchecked, packet(make_event(4, 0, codec::kFlagArtificial, rotate_body(4, kFile))));
  accept_event(unchecked, packet(bad));
}

TEST_CASE("stream cursor: a dump that starts mid-file, then a real ROTATE", "[net]") {
  if (!std::filesystem::exists(fixture_dir())) return;
  const auto tsv = tsv_events();
  auto events = fixture_events();
  StreamCursor cursor = fresh_cursor();
  const uint64_t start = tsv[3].offset;  // the first GTID event
  accept_event(cursor, packet(make_event(4, 0, codec::kFlagArtificial, rotate_body(start, kFile))));
  CHECK(cursor.position() == start);
  // Past position 4 the server sends the FORMAT_DESCRIPTION as a copy with log_pos 0 (CRC recomputed).
  auto fd = events[0];
  for (int i = 13; i < 17; ++i) fd[i] = 0;
  set_crc(fd);
  StreamEvent copy = accept_event(cursor, packet(fd));
  CHECK_FALSE(copy.in_file);
  CHECK(copy.position == start);
  CHECK(cursor.position() == start);
  StreamEvent gtid = accept_event(cursor, packet(events[3]));
  CHECK(gtid.in_file);
  CHECK(gtid.position == start);
  CHECK(cursor.position() == tsv[3].log_pos);

  const uint32_t end = static_cast<uint32_t>(tsv[3].log_pos);
  const auto rotate_event = make_event(4, end + 19 + 8 + 18 + 4, 0, rotate_body(4, "mariadb-bin.000002"));
  StreamEvent rotate = accept_event(cursor, packet(rotate_event));
  CHECK(rotate.in_file);
  CHECK(rotate.file == kFile);
  CHECK(rotate.position == end);
  CHECK(cursor.file() == "mariadb-bin.000002");
  CHECK(cursor.position() == 4);
}

TEST_CASE("stream cursor: bad packets and server errors", "[net]") {
  StreamCursor cursor = fresh_cursor();
  // log_pos before the event's own start.
  auto backwards = cursor.accept(packet(make_event(16, 10, 0, std::vector<uint8_t>(8, 0))));
  REQUIRE_FALSE(backwards.ok());
  CHECK(backwards.error().code == ErrorCode::kCorrupt);
  CHECK(backwards.error().where == kServer);

  // A ROTATE too short for its position field.
  auto short_rotate = cursor.accept(packet(make_event(4, 0, codec::kFlagArtificial, {1, 2, 3})));
  REQUIRE_FALSE(short_rotate.ok());
  CHECK(short_rotate.error().code == ErrorCode::kCorrupt);

  std::vector<uint8_t> error_packet = {0xFF, 0xD4, 0x04, '#', 'H', 'Y', '0', '0', '0'};
  const std::string message = "Could not find GTID state requested by slave in any binlog files";
  error_packet.insert(error_packet.end(), message.begin(), message.end());
  auto purged = cursor.accept(error_packet);
  REQUIRE_FALSE(purged.ok());
  CHECK(purged.error().code == ErrorCode::kNotFound);
  CHECK(purged.error().where == kServer);
  CHECK_THAT(purged.error().message, Catch::Contains(message));
}

}  // namespace
}  // namespace mzl::net
