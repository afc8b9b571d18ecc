// Framing and checksum layer (raw_event.h) and the streaming file reader (binlog_file_reader.h): every
// fixture's top-level events against its events.tsv, and hand-built bad inputs.
#include <catch2/catch.hpp>

#include <lz4frame.h>

#include <fstream>

#include "codec/fixture_tsv.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/raw_event.h"
#include "mzl/util/crc32.h"
#include "mzl/util/input_stream.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

// An event built by hand: header fields, body, and a CRC32 when `crc` is set.
std::vector<uint8_t> make_event(uint8_t type, std::vector<uint8_t> body, bool crc, uint16_t flags = 0) {
  ByteWriter w;
  EventHeader h;
  h.timestamp = 1700000000;
  h.type_code = type;
  h.server_id = 7;
  h.event_size = static_cast<uint32_t>(kEventHeaderSize + body.size() + (crc ? 4 : 0));
  h.log_pos = 1234;
  h.flags = flags;
  write_event_header(h, w);
  w.bytes(body);
  if (crc) w.u32le(crc32(w.buffer()));
  return w.take();
}

std::vector<uint8_t> with_magic(const std::vector<std::vector<uint8_t>>& events) {
  std::vector<uint8_t> out(kBinlogMagic, kBinlogMagic + kBinlogMagicSize);
  for (const auto& e : events) out.insert(out.end(), e.begin(), e.end());
  return out;
}

// The FORMAT_DESCRIPTION body a server of `version` with `alg` writes (alg byte included, no checksum).
std::vector<uint8_t> fd_body(const std::string& version, ChecksumAlg alg) {
  FormatDescription fd = default_format_description(flavour_of_server_version(version), alg);
  fd.server_version = version;
  fd.server_version_raw.clear();
  ByteWriter w;
  encode_format_description(fd, fd, w);
  return w.take();
}

std::vector<uint8_t> lz4_compress(const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(LZ4F_compressFrameBound(data.size(), nullptr));
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), data.data(), data.size(), nullptr);
  REQUIRE_FALSE(LZ4F_isError(n));
  out.resize(n);
  return out;
}

}  // namespace

TEST_CASE("frame_event: header fields, body and CRC32 of a hand-built event") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  auto bytes = make_event(code(EventType::kXid), {1, 2, 3, 4, 5, 6, 7, 8}, true);
  bytes.push_back(0xAA);  // a following byte that is not part of the event
  auto ev = frame_event(bytes, 500, fd);
  REQUIRE(ev.ok());
  CHECK(ev->header.type_code == 16);
  CHECK(ev->header.server_id == 7);
  CHECK(ev->header.event_size == 31);
  CHECK(ev->data.size() == 31);
  CHECK(ev->body.size() == 8);
  CHECK(ev->body[0] == 1);
  CHECK(ev->checksum_verified);
  CHECK(ev->offset == 500);
}

TEST_CASE("read_event_header reads the six fields once, or fails on fewer than 19 bytes") {
  const EventHeader h{0x01020304, 0x1E, 0xA0B0C0D0, 0x00123456, 0xF1F2F3F4, 0xBEEF};
  ByteWriter w;
  write_event_header(h, w);
  w.u8(0x77);
  const std::vector<uint8_t> bytes = w.take();
  ByteReader in(bytes);
  CHECK(read_event_header(in) == h);
  CHECK(in.ok());
  CHECK(in.position() == kEventHeaderSize);
  CHECK(load_event_header(bytes.data()) == h);

  ByteReader short_in(Bytes(bytes).first(kEventHeaderSize - 1));
  CHECK(read_event_header(short_in) == EventHeader{});
  CHECK(short_in.failed());
}

TEST_CASE("frame_event with the header read already equals framing from the bytes alone") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  auto bytes = make_event(code(EventType::kXid), {1, 2, 3, 4, 5, 6, 7, 8}, true);
  auto from_bytes = frame_event(bytes, 500, fd);
  auto with_header = frame_event(bytes, 500, fd, true, load_event_header(bytes.data()));
  REQUIRE(from_bytes.ok());
  REQUIRE(with_header.ok());
  CHECK(with_header->header == from_bytes->header);
  CHECK(with_header->data.data() == from_bytes->data.data());
  CHECK(with_header->data.size() == from_bytes->data.size());
  CHECK(with_header->body.size() == from_bytes->body.size());
  CHECK(with_header->checksum == from_bytes->checksum);
  CHECK(with_header->checksum_verified);
  bytes[20] ^= 0x10;  // the CRC is still checked
  auto bad = frame_event(bytes, 500, fd, true, load_event_header(bytes.data()));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kChecksumMismatch);
}

TEST_CASE("frame_event: truncated header is kNeedMoreData") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  auto bytes = make_event(code(EventType::kStop), {}, false);
  bytes.resize(10);
  auto ev = frame_event(bytes, 4, fd);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.error().code == ErrorCode::kNeedMoreData);
  CHECK(ev.error().offset == 4u);
}

TEST_CASE("frame_event: event_size below 19 is kCorrupt") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  auto bytes = make_event(code(EventType::kStop), {0, 0, 0, 0}, false);
  ByteWriter patch(bytes);
  patch.patch_uint_le(9, 18, 4);
  auto ev = frame_event(patch.buffer(), 120, fd);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.error().code == ErrorCode::kCorrupt);
  CHECK(ev.error().offset == 120u);
}

TEST_CASE("frame_event: event_size past the end is kNeedMoreData, not kCorrupt") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  auto bytes = make_event(code(EventType::kQuery), std::vector<uint8_t>(40, 'x'), false);
  bytes.resize(bytes.size() - 1);
  auto ev = frame_event(bytes, 4, fd);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.error().code == ErrorCode::kNeedMoreData);
}

TEST_CASE("frame_event: a flipped byte is kChecksumMismatch naming the offset") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  auto bytes = make_event(code(EventType::kXid), {1, 2, 3, 4, 5, 6, 7, 8}, true);
  bytes[20] ^= 0x10;
  auto ev = frame_event(bytes, 777, fd);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.error().code == ErrorCode::kChecksumMismatch);
  CHECK(ev.error().offset == 777u);
  CHECK(frame_event(bytes, 777, fd, /*verify_checksum=*/false).ok());
}

TEST_CASE(
    "frame_event: FORMAT_DESCRIPTION decides its own checksum, CRC computed with the in-use flag clear") {
  auto none = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  auto body = fd_body("8.0.40", ChecksumAlg::kCrc32);
  // The CRC of the event with flags 0, stored in an event whose flags say "in use".
  auto event = make_event(code(EventType::kFormatDescription), body, true, 0);
  event[17] |= 0x01;
  auto ev = frame_event(event, 4, none);
  REQUIRE(ev.ok());
  CHECK(ev->checksum_verified);
  CHECK(ev->body.size() == body.size());

  // checksum_alg OFF: the 4-byte field is still there but is not verified.
  auto off_event =
      make_event(code(EventType::kFormatDescription), fd_body("5.7.20-log", ChecksumAlg::kOff), false);
  for (int i = 0; i < 4; ++i) off_event.push_back(0x5A);
  ByteWriter patched(off_event);
  patched.patch_uint_le(9, off_event.size(), 4);
  auto off = frame_event(patched.buffer(), 4, none);
  REQUIRE(off.ok());
  CHECK_FALSE(off->checksum_verified);
  CHECK(off->checksum == 0x5A5A5A5Au);

  // A pre-5.6.1 server writes neither the alg byte nor a checksum.
  auto old = frame_event(
      make_event(code(EventType::kFormatDescription), fd_body("5.5.27-log", ChecksumAlg::kUndefined), false),
      4, none);
  REQUIRE(old.ok());
  CHECK_FALSE(old->checksum.has_value());
}

TEST_CASE("server_version_has_checksum_alg: MySQL >= 5.6.1, MariaDB >= 5.3") {
  CHECK(server_version_has_checksum_alg("5.6.1"));
  CHECK(server_version_has_checksum_alg("5.6.4-m7-debug-log"));
  CHECK(server_version_has_checksum_alg("8.0.40"));
  CHECK_FALSE(server_version_has_checksum_alg("5.6.0"));
  CHECK_FALSE(server_version_has_checksum_alg("5.5.27-log"));
  CHECK_FALSE(server_version_has_checksum_alg("5.2.2-a_drop6p13-debug-log"));
  CHECK(server_version_has_checksum_alg("5.3.12-MariaDB"));
  CHECK(server_version_has_checksum_alg("10.5.15-MariaDB-1:10.5.15+maria~focal-log"));
  CHECK_FALSE(server_version_has_checksum_alg("5.2.10-MariaDB"));
}

TEST_CASE("BinlogFileReader: wrong magic is kCorrupt at offset 0") {
  std::vector<uint8_t> bytes = {0xFE, 'b', 'i', 'x', 0, 0, 0, 0};
  BinlogFileReader reader(make_memory_input(bytes, "bad"));
  auto ev = reader.next();
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.error().code == ErrorCode::kCorrupt);
  CHECK(ev.error().where == "bad");
  CHECK(ev.error().offset == 0u);
}

TEST_CASE("BinlogFileReader: truncated last event is kNeedMoreData at its offset, retry after growth works") {
  auto stop = make_event(code(EventType::kStop), {}, false);
  auto query = make_event(code(EventType::kQuery), std::vector<uint8_t>(300, 'q'), false);
  auto whole = with_magic({stop, query});
  std::vector<uint8_t> cut(whole.begin(), whole.end() - 7);
  BinlogFileReader reader(make_memory_input(cut, "cut"));
  auto first = reader.next();
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->offset == 4);
  auto second = reader.next();
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kNeedMoreData);
  CHECK(second.error().where == "cut");
  CHECK(second.error().offset == 4u + stop.size());
}

TEST_CASE("BinlogFileReader: events larger than the read buffer") {
  auto big = make_event(code(EventType::kQuery), std::vector<uint8_t>(5000, 'q'), false);
  auto stop = make_event(code(EventType::kStop), {}, false);
  auto whole = with_magic({big, stop, big});
  BinlogFileReader reader(make_memory_input(whole), BinlogFileReaderOptions{true, 64});
  std::vector<uint64_t> offsets;
  for (;;) {
    auto ev = reader.next();
    REQUIRE(ev.ok());
    if (!ev->has_value()) break;
    offsets.push_back((*ev)->offset);
    CHECK((*ev)->data.size() == (*ev)->header.event_size);
  }
  CHECK(offsets == std::vector<uint64_t>{4, 4 + big.size(), 4 + big.size() + stop.size()});
}

// Walks every fixture binlog at the framing level and compares each top-level event with events.tsv.
TEST_CASE("BinlogFileReader: every fixture's top-level events match events.tsv") {
  for (const auto& path : test::all_fixture_binlogs()) {
    SECTION(path.filename().string()) {
      auto expected = test::tsv_events_for(path);
      std::erase_if(expected, [](const test::TsvEvent& e) { return e.depth != 0; });
      REQUIRE_FALSE(expected.empty());
      auto reader = BinlogFileReader::open(path.string());
      REQUIRE(reader.ok());
      for (const auto& want : expected) {
        INFO("offset " << want.offset);
        auto got = reader->next();
        if (want.truncated) {
          REQUIRE_FALSE(got.ok());
          CHECK(got.error().code == ErrorCode::kNeedMoreData);
          CHECK(got.error().offset == want.offset);
          CHECK(got.error().where == path.string());
          break;
        }
        REQUIRE(got.ok());
        REQUIRE(got->has_value());
        const RawEvent& ev = **got;
        CHECK(ev.offset == want.offset);
        CHECK(ev.header.type_code == want.type_code);
        CHECK(std::string(event_type_name(ev.header.type_code)) == want.type_name);
        CHECK(ev.header.timestamp == want.timestamp);
        CHECK(ev.header.server_id == want.server_id);
        CHECK(ev.header.event_size == want.event_size);
        CHECK(ev.header.log_pos == want.log_pos);
        CHECK(ev.header.flags == want.flags);
        CHECK(ev.checksum_verified == (want.crc32.rfind("ok", 0) == 0));
      }
      if (!expected.back().truncated) {
        auto end = reader->next();
        REQUIRE(end.ok());
        CHECK_FALSE(end->has_value());
      }
    }
  }
}

TEST_CASE("open_input: an LZ4-compressed copy of a fixture reads the same as the plain file") {
  auto dir = test::fixtures_dir();
  if (dir.empty()) return;
  const auto plain_path = dir / "mysql-5.7" / "mysql-bin.checksum-crc32";
  const auto plain = test::read_file(plain_path);
  const auto compressed = lz4_compress(plain);
  const auto tmp = std::filesystem::temp_directory_path() / "mzl_codec_lz4_test.binlog";  // no .lz4: magic
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(compressed.data()),
              static_cast<std::streamsize>(compressed.size()));
  }
  auto in = open_input(tmp.string());
  REQUIRE(in.ok());
  auto all = read_all(**in);
  REQUIRE(all.ok());
  CHECK(*all == plain);

  auto plain_reader = BinlogFileReader::open(plain_path.string());
  auto lz4_reader = BinlogFileReader::open(tmp.string());
  REQUIRE(plain_reader.ok());
  REQUIRE(lz4_reader.ok());
  size_t events = 0;
  for (;;) {
    auto a = plain_reader->next();
    auto b = lz4_reader->next();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(a->has_value() == b->has_value());
    if (!a->has_value()) break;
    CHECK(std::equal((*a)->data.begin(), (*a)->data.end(), (*b)->data.begin(), (*b)->data.end()));
    ++events;
  }
  CHECK(events == 303);
  std::filesystem::remove(tmp);

  // A compressed stream cut inside its frame is not a clean end.
  auto cut = compressed;
  cut.resize(cut.size() / 2);
  auto cut_in = make_lz4_input(make_memory_input(cut));
  CHECK_FALSE(read_all(*cut_in).ok());
}

TEST_CASE("BinlogFileReader: a CRC32 mismatch names the offset and reading continues after it") {
  FormatDescription fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  ByteWriter fd_body;
  encode_format_description(fd, fd, fd_body);
  auto fde = make_event(code(EventType::kFormatDescription), fd_body.take(), true);
  auto xid1 = make_event(code(EventType::kXid), {1, 0, 0, 0, 0, 0, 0, 0}, true);
  auto xid2 = make_event(code(EventType::kXid), {2, 0, 0, 0, 0, 0, 0, 0}, true);
  xid1[20] ^= 0x01;
  BinlogFileReader reader(make_memory_input(with_magic({fde, xid1, xid2}), "crc"));
  auto first = reader.next();
  REQUIRE(first.ok());
  CHECK(reader.format().has_crc32());
  auto bad = reader.next();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kChecksumMismatch);
  CHECK(bad.error().offset == 4u + fde.size());
  CHECK(bad.error().where == "crc");
  auto after = reader.next();
  REQUIRE(after.ok());
  REQUIRE(after->has_value());
  CHECK((*after)->offset == 4u + fde.size() + xid1.size());
  CHECK((*after)->body[0] == 2);
}

TEST_CASE("open_input: the .lz4 suffix selects LZ4 decompression, plain files and missing files") {
  const auto plain = with_magic({make_event(code(EventType::kStop), {}, false)});
  const auto compressed = lz4_compress(plain);
  const auto dir = std::filesystem::temp_directory_path();
  const auto lz4_path = dir / "mzl_codec_suffix_test.bin.lz4";
  const auto plain_path = dir / "mzl_codec_plain_test.bin";
  for (const auto& [path, bytes] : {std::pair{lz4_path, compressed}, std::pair{plain_path, plain}}) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  for (const auto& path : {lz4_path, plain_path}) {
    auto in = open_input(path.string());
    REQUIRE(in.ok());
    auto all = read_all(**in);
    REQUIRE(all.ok());
    CHECK(*all == plain);
    std::filesystem::remove(path);
  }
  auto missing = open_input((dir / "mzl_codec_no_such_file").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
}

TEST_CASE("frame_event: a FORMAT_DESCRIPTION too short for the checksum its version implies is kCorrupt") {
  auto none = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  auto body = fd_body("8.0.40", ChecksumAlg::kCrc32);
  body.resize(2 + 50 + 2);  // version present, the rest cut
  auto ev = frame_event(make_event(code(EventType::kFormatDescription), body, false), 4, none);
  REQUIRE_FALSE(ev.ok());
  CHECK(ev.error().code == ErrorCode::kCorrupt);
}
