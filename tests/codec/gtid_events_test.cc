// GTID-family events over the real fixtures, read with BinlogFileReader (values from each folder's
// events.tsv "info" column and header fields) and over hand-built bodies whose bytes follow the format
// documents cited in gtid_events.h.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

struct TsvRow {
  std::string file;
  uint64_t offset = 0;
  int depth = 0;
  int type_code = -1;
  uint32_t server_id = 0;
  uint32_t event_size = 0;
  std::string crc32;
  std::string info;
};

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, '\t')) out.push_back(field);
  return out;
}

// Rows of every events.tsv under the fixtures folder (columns: file offset depth type_code type_name
// timestamp server_id event_size log_pos flags crc32 info).
std::vector<TsvRow> all_tsv_rows() {
  std::vector<TsvRow> rows;
  const auto dir = test::fixtures_dir();
  if (dir.empty() || !std::filesystem::exists(dir)) return rows;
  for (const auto& folder : std::filesystem::directory_iterator(dir)) {
    const auto tsv = folder.path() / "events.tsv";
    if (!std::filesystem::exists(tsv)) continue;
    std::ifstream in(tsv);
    std::string line;
    std::getline(in, line);  // column names
    while (std::getline(in, line)) {
      const auto f = split_tabs(line);
      if (f.size() < 11 || f[3] == "" || f[3] == "-") continue;
      TsvRow r;
      r.file = (folder.path() / f[0]).string();
      r.offset = std::stoull(f[1]);
      r.depth = std::stoi(f[2]);
      try {
        r.type_code = std::stoi(f[3]);
        r.server_id = static_cast<uint32_t>(std::stoul(f[6]));
        r.event_size = static_cast<uint32_t>(std::stoul(f[7]));
      } catch (const std::exception&) {
        continue;  // TRUNCATED rows
      }
      r.crc32 = f[10];
      r.info = f.size() > 11 ? f[11] : "";
      rows.push_back(r);
    }
  }
  return rows;
}

std::string uuid_text(const Sid& sid) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += hex[sid[i] >> 4];
    s += hex[sid[i] & 15];
  }
  return s;
}

std::vector<uint8_t> encode_with(auto encode, const auto& event) {
  ByteWriter out;
  encode(event, FormatDescription{}, out);
  return out.take();
}

const FormatDescription kFd{};

void append(std::vector<uint8_t>& out, std::initializer_list<uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

bool is_gtid_family(int t) {
  return t == 33 || t == 34 || t == 35 || t == 42 || t == 161 || t == 162 || t == 163;
}

// Decodes one GTID-family body, checks it against its events.tsv row and returns the re-encoded body.
std::vector<uint8_t> check_against_tsv(const TsvRow& row, Bytes body) {
  const int t = row.type_code;
  ByteReader in(body);
  std::vector<uint8_t> again;
  if (t == 33 || t == 34 || t == 42) {
    auto ev = decode_mysql_gtid_event(static_cast<uint8_t>(t), in, kFd);
    REQUIRE(ev.ok());
    CHECK(uuid_text(ev->sid) + ":" + std::to_string(ev->gno) == row.info.substr(0, row.info.find(' ')));
    CHECK("flags=" + std::to_string(ev->flags) == row.info.substr(row.info.find(' ') + 1));
    if (t == 34) CHECK(ev->gno == 0);
    again = encode_with(encode_mysql_gtid_event, *ev);
  } else if (t == 35) {
    auto ev = decode_previous_gtids_event(in, kFd);
    REQUIRE(ev.ok());
    std::string text;
    for (const auto& s : ev->sids) {
      text += uuid_text(s.sid);
      for (const auto& iv : s.intervals) {
        text += ":" + std::to_string(iv.start);
        if (iv.end - 1 != iv.start) text += "-" + std::to_string(iv.end - 1);
      }
    }
    CHECK((text.empty() ? "(empty)" : text) == row.info);
    again = encode_with(encode_previous_gtids_event, *ev);
  } else if (t == 162) {
    auto ev = decode_maria_gtid_event(in, kFd);
    REQUIRE(ev.ok());
    // The tsv shows domain-server-seq, the server from the event header.
    CHECK(std::to_string(ev->domain_id) + "-" + std::to_string(row.server_id) + "-" +
              std::to_string(ev->seq_no) + " flags2=" + std::to_string(ev->flags2) ==
          row.info);
    again = encode_with(encode_maria_gtid_event, *ev);
  } else if (t == 163) {
    auto ev = decode_maria_gtid_list_event(in, kFd);
    REQUIRE(ev.ok());
    if (row.info == "(empty)") CHECK(ev->list.empty());
    again = encode_with(encode_maria_gtid_list_event, *ev);
  } else if (t == 161) {
    auto ev = decode_binlog_checkpoint_event(in, kFd);
    REQUIRE(ev.ok());
    CHECK(ev->binlog_file_name == row.info);
    again = encode_with(encode_binlog_checkpoint_event, *ev);
  }
  CHECK(in.empty());
  return again;
}

}  // namespace

TEST_CASE("GTID-family fixture events decode to the events.tsv values and re-encode byte for byte") {
  const auto rows = all_tsv_rows();
  if (rows.empty()) return;  // fixtures_dir() already reported why
  std::map<std::pair<std::string, uint64_t>, TsvRow> by_offset;
  for (const auto& row : rows) {
    if (row.depth == 0) by_offset[{std::filesystem::path(row.file).filename().string(), row.offset}] = row;
  }
  std::map<int, int> seen;
  for (const auto& path : test::all_fixture_binlogs()) {
    auto reader = BinlogFileReader::open(path.string());
    REQUIRE(reader.ok());
    while (true) {
      auto next = reader->next();
      if (!next.ok() && next.error().code == ErrorCode::kChecksumMismatch) continue;
      if (!next.ok() || !next->has_value()) break;  // end, or the malformed files' truncation
      const RawEvent& raw = **next;
      if (!is_gtid_family(raw.header.type_code)) continue;
      INFO(path.string() << " @" << raw.offset << " type " << int{raw.header.type_code});
      auto row = by_offset.find({path.filename().string(), raw.offset});
      REQUIRE(row != by_offset.end());
      CHECK(row->second.type_code == raw.header.type_code);
      INFO("info " << row->second.info);
      CHECK(check_against_tsv(row->second, raw.body) ==
            std::vector<uint8_t>(raw.body.begin(), raw.body.end()));
      ++seen[raw.header.type_code];
    }
  }
  // Every GTID-family event of the fixtures (counts from the events.tsv files) was visited.
  CHECK(seen[33] == 46);
  CHECK(seen[34] == 169);
  CHECK(seen[35] == 24);
  CHECK(seen[161] == 1);
  CHECK(seen[162] == 2);
  CHECK(seen[163] == 1);
}

TEST_CASE("GTID event layouts of 5.6, 5.7 and 8.0 keep their optional fields") {
  const FormatDescription fd;
  // MySQL 5.6: flags, SID, GNO only.
  std::vector<uint8_t> b56 = {0x01};
  for (int i = 0; i < 16; ++i) b56.push_back(0x11);
  append(b56, {7, 0, 0, 0, 0, 0, 0, 0});
  ByteReader r56{Bytes(b56)};
  auto e56 = decode_mysql_gtid_event(33, r56, fd);
  REQUIRE(e56.ok());
  CHECK(e56->gno == 7);
  CHECK(!e56->lt_type);
  CHECK(encode_with(encode_mysql_gtid_event, *e56) == b56);

  // 8.0 relayed: both timestamps (high bit on immediate), 3-byte packed length, both versions, ticket.
  std::vector<uint8_t> b80 = b56;
  b80.push_back(2);                                         // lt_type
  append(b80, {5, 0, 0, 0, 0, 0, 0, 0});                    // last_committed 5
  append(b80, {6, 0, 0, 0, 0, 0, 0, 0});                    // sequence_number 6
  append(b80, {0x10, 0x20, 0x30, 0x40, 0x50, 0x06, 0x80});  // immediate, MSB set
  append(b80, {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x00});  // original
  append(b80, {0xFC, 0x34, 0x12});                          // transaction_length 0x1234
  append(b80, {0x10, 0x3A, 0x01, 0x80});                    // immediate 80400, MSB set
  append(b80, {0xB8, 0x3A, 0x01, 0x00});                    // original 80568
  append(b80, {9, 0, 0, 0, 0, 0, 0, 0});                    // commit_group_ticket 9
  ByteReader r80{Bytes(b80)};
  auto e80 = decode_mysql_gtid_event(33, r80, fd);
  REQUIRE(e80.ok());
  CHECK(e80->last_committed == 5);
  CHECK(e80->sequence_number == 6);
  CHECK(e80->immediate_commit_timestamp == 0x065040302010ull);
  CHECK(e80->original_commit_timestamp == 0x060504030201ull);
  CHECK(e80->transaction_length == 0x1234);
  CHECK(e80->immediate_server_version == 80400);
  CHECK(e80->original_server_version == 80568);
  CHECK(e80->commit_group_ticket == 9);
  CHECK(e80->trailing.empty());
  CHECK(encode_with(encode_mysql_gtid_event, *e80) == b80);

  // A 5.7.4-and-older logical clock type: the rest is kept, not interpreted.
  std::vector<uint8_t> bold = b56;
  append(bold, {1, 0xAA, 0xBB});
  ByteReader rold{Bytes(bold)};
  auto eold = decode_mysql_gtid_event(33, rold, fd);
  REQUIRE(eold.ok());
  CHECK(eold->lt_type == 1);
  CHECK(eold->trailing == std::vector<uint8_t>{0xAA, 0xBB});
  CHECK(encode_with(encode_mysql_gtid_event, *eold) == bold);

  // Bad GNOs and truncations are kCorrupt.
  auto bad = b56;
  std::memset(bad.data() + 17, 0, 8);
  ByteReader rbad{Bytes(bad)};
  CHECK(decode_mysql_gtid_event(33, rbad, fd).error().code == ErrorCode::kCorrupt);
  ByteReader ranon{Bytes(b56)};
  CHECK(decode_mysql_gtid_event(34, ranon, fd).error().code == ErrorCode::kCorrupt);
  for (size_t n : {size_t{0}, size_t{24}, size_t{30}, b56.size() + 1 + 16 + 7 + 3}) {
    std::vector<uint8_t> cut(b80.begin(), b80.begin() + n);
    ByteReader rc{Bytes(cut)};
    auto e = decode_mysql_gtid_event(33, rc, fd);
    CHECK_FALSE(e.ok());
  }
  ByteReader rwrong{Bytes(b56)};
  CHECK(decode_mysql_gtid_event(35, rwrong, fd).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("GTID_TAGGED follows the serialization framework's message format") {
  // Bytes computed by hand from libs/mysql/serialization/readme.md: varlen integers carry their length in
  // the trailing ones of the first byte; signed values are zigzagged; the examples 65535 (FB FF 07),
  // signed 65535 (F3 FF 0F) and -65535 (EB FF 0F) come from that document.
  std::vector<uint8_t> b = {0x02, 0x6E, 0x00,     // format version 1, message size 55, last non-ignorable 0
                            0x00, 0x02,           // field 0 gtid_flags = 1
                            0x02};                // field 1 uuid: 16 varlen bytes
  for (int i = 0; i < 8; ++i) b.push_back(0x22);  // 0x11
  for (int i = 0; i < 8; ++i) {
    b.push_back(0xA9);  // 0xAA needs two bytes
    b.push_back(0x02);
  }
  append(b, {0x04, 0x14,                   // field 2 gno = 5
             0x06, 0x06, 'a',  'b',  'c',  // field 3 tag "abc"
             0x08, 0xEB, 0xFF, 0x0F,       // field 4 last_committed = -65535
             0x0A, 0xF3, 0xFF, 0x0F,       // field 5 sequence_number = 65535
             0x0C, 0xFB, 0xFF, 0x07,       // field 6 immediate_commit_timestamp = 65535
             0x10, 0xC8,                   // field 8 transaction_length = 100
             0x12, 0x83, 0xD0, 0x09});     // field 9 immediate_server_version = 80400
  REQUIRE(b.size() == 55);
  const FormatDescription fd;
  ByteReader r{Bytes(b)};
  auto e = decode_mysql_gtid_event(42, r, fd);
  REQUIRE(e.ok());
  CHECK(e->flags == 1);
  CHECK(uuid_text(e->sid) == "11111111-1111-1111-aaaa-aaaaaaaaaaaa");
  CHECK(e->gno == 5);
  CHECK(e->tag == "abc");
  CHECK(e->last_committed == -65535);
  CHECK(e->sequence_number == 65535);
  CHECK(e->immediate_commit_timestamp == 65535);
  CHECK(!e->original_commit_timestamp);
  CHECK(e->transaction_length == 100);
  CHECK(e->immediate_server_version == 80400);
  CHECK(!e->original_server_version);
  CHECK(!e->commit_group_ticket);
  CHECK(encode_with(encode_mysql_gtid_event, *e) == b);

  SECTION("unknown ignorable fields and bytes after the message are kept") {
    auto longer = b;
    longer[1] = 0x74;                    // size 58
    append(longer, {0x20, 0x02, 0x05});  // field 16 = 1 (unknown)
    longer.push_back(0xEE);              // after the message
    ByteReader rl{Bytes(longer)};
    auto el = decode_mysql_gtid_event(42, rl, fd);
    REQUIRE(el.ok());
    CHECK(el->tagged_unknown_fields == std::vector<uint8_t>{0x20, 0x02, 0x05});
    CHECK(el->trailing == std::vector<uint8_t>{0xEE});
    CHECK(encode_with(encode_mysql_gtid_event, *el) == longer);
  }
  SECTION("an unknown non-ignorable field, a wrong version or a cut message is kCorrupt") {
    auto nonign = b;
    nonign[2] = 0x1A;  // last_non_ignorable_field_id = 13
    ByteReader r1{Bytes(nonign)};
    CHECK(decode_mysql_gtid_event(42, r1, fd).error().code == ErrorCode::kCorrupt);
    auto version = b;
    version[0] = 0x04;
    ByteReader r2{Bytes(version)};
    CHECK(decode_mysql_gtid_event(42, r2, fd).error().code == ErrorCode::kCorrupt);
    for (size_t n = 0; n < b.size(); ++n) {
      std::vector<uint8_t> cut(b.begin(), b.begin() + n);
      ByteReader rc{Bytes(cut)};
      CHECK_FALSE(decode_mysql_gtid_event(42, rc, fd).ok());
    }
  }
}

TEST_CASE("a GTID_TAGGED body written by a real 8.4 server decodes and re-encodes") {
  // Gtid_tagged_log_event body (checksum removed) captured from Percona Server 8.4.11-11, published with
  // its meaning in a third-party test: GTID 77d1902c-01da-11f1-9a41-908d6e5f6e8d:test_tag:1,
  // transaction_length 337.
  const std::vector<uint8_t> body = {
      0x02, 0x7c, 0x00, 0x00, 0x02, 0x02, 0xee, 0x45, 0x03, 0x41, 0x02, 0x58, 0x02, 0x69, 0x03, 0x22,
      0xc5, 0x03, 0x69, 0x02, 0x82, 0x41, 0x02, 0x35, 0x02, 0xdc, 0xbe, 0xdc, 0x35, 0x02, 0x04, 0x04,
      0x06, 0x10, 0x74, 0x65, 0x73, 0x74, 0x5f, 0x74, 0x61, 0x67, 0x08, 0x00, 0x0a, 0x04, 0x0c, 0x7f,
      0x00, 0x3e, 0x89, 0x00, 0xfa, 0x5b, 0x06, 0x10, 0x45, 0x05, 0x12, 0xdb, 0xd0, 0x09};
  ByteReader r{Bytes(body)};
  auto e = decode_mysql_gtid_event(42, r, FormatDescription{});
  REQUIRE(e.ok());
  CHECK(uuid_text(e->sid) == "77d1902c-01da-11f1-9a41-908d6e5f6e8d");
  CHECK(e->tag == "test_tag");
  CHECK(e->gno == 1);
  CHECK(e->transaction_length == 337);
  // The first transaction of a binlog file: last_committed 0, sequence_number 1 (logical clock).
  CHECK(e->last_committed == 0);
  CHECK(e->sequence_number == 1);
  CHECK(e->trailing.empty());
  CHECK(encode_with(encode_mysql_gtid_event, *e) == body);
}

TEST_CASE("PREVIOUS_GTIDS tagged format carries the format in n_sids and a tag per SID") {
  // n_sids word (1 << 56) | (1 << 8) | 1 (sql/rpl_gtid_set.cc encode_nsids_format).
  std::vector<uint8_t> b = {0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
  for (int i = 0; i < 16; ++i) b.push_back(0x11);
  append(b, {0x06, 'a', 'b', 'c'});
  append(b, {2, 0, 0, 0, 0, 0, 0, 0});  // 2 intervals
  append(b, {1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0});
  append(b, {8, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0});
  ByteReader r{Bytes(b)};
  auto e = decode_previous_gtids_event(r, FormatDescription{});
  REQUIRE(e.ok());
  CHECK(e->tagged);
  REQUIRE(e->sids.size() == 1);
  CHECK(e->sids[0].tag == "abc");
  CHECK(e->sids[0].intervals == std::vector<GtidInterval>{{1, 6}, {8, 10}});
  CHECK(encode_with(encode_previous_gtids_event, *e) == b);

  SECTION("touching or reversed intervals are rejected as the server does") {
    auto touching = b;
    touching[b.size() - 16] = 6;  // second interval starts where the first ends
    ByteReader rt{Bytes(touching)};
    CHECK(decode_previous_gtids_event(rt, FormatDescription{}).error().code == ErrorCode::kCorrupt);
  }
  SECTION("a huge n_intervals does not allocate") {
    auto huge = b;
    huge[28] = 0xFF;
    huge[35] = 0x7F;
    ByteReader rh{Bytes(huge)};
    CHECK(decode_previous_gtids_event(rh, FormatDescription{}).error().code == ErrorCode::kCorrupt);
  }
  SECTION("a tag length in a non-minimal varlen encoding is rejected (found by gtid_events_fuzz)") {
    std::vector<uint8_t> two_byte_len(b.begin(), b.begin() + 24);
    append(two_byte_len, {0x01, 0x00});  // length 0 in two bytes: could not be written back
    two_byte_len.insert(two_byte_len.end(), b.begin() + 28, b.end());
    ByteReader rn{Bytes(two_byte_len)};
    CHECK(decode_previous_gtids_event(rn, FormatDescription{}).error().code == ErrorCode::kCorrupt);
  }
  SECTION("an unknown format byte is rejected") {
    auto fmt = b;
    fmt[7] = 2;
    ByteReader rf{Bytes(fmt)};
    CHECK_FALSE(decode_previous_gtids_event(rf, FormatDescription{}).ok());
  }
}

TEST_CASE("MariaDB GTID optional parts: commit id, XA xid, extra flags") {
  const FormatDescription fd;
  // seq 0x0102, domain 3, flags2 FL_GROUP_COMMIT_ID|FL_TRANSACTIONAL, commit_id 77 (MariaDB KB gtid_event).
  std::vector<uint8_t> gc = {0x02, 0x01, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x06, 77, 0, 0, 0, 0, 0, 0, 0};
  ByteReader r1{Bytes(gc)};
  auto e1 = decode_maria_gtid_event(r1, fd);
  REQUIRE(e1.ok());
  CHECK(e1->seq_no == 0x0102);
  CHECK(e1->domain_id == 3);
  CHECK(e1->commit_id == 77);
  CHECK(!e1->flags_extra);
  CHECK(encode_with(encode_maria_gtid_event, *e1) == gc);

  // XA prepared: formatID 1, gtrid "abc", bqual "de", then flags_extra MULTI_ENGINE|COMMIT_ALTER.
  std::vector<uint8_t> xa = {9, 0,   0,   0,   0,   0,   0,    0, 0,    0, 0, 0, 0x40, 1, 0, 0, 0, 3,
                             2, 'a', 'b', 'c', 'd', 'e', 0x05, 2, 0x2A, 0, 0, 0, 0,    0, 0, 0, 0};
  ByteReader r2{Bytes(xa)};
  auto e2 = decode_maria_gtid_event(r2, fd);
  REQUIRE(e2.ok());
  REQUIRE(e2->xid);
  CHECK(e2->xid->format_id == 1);
  CHECK(e2->xid->gtrid_length == 3);
  CHECK(e2->xid->data == std::vector<uint8_t>{'a', 'b', 'c', 'd', 'e'});
  CHECK(e2->flags_extra == 5);
  CHECK(e2->extra_engines == 2);
  CHECK(e2->sa_seq_no == 42);
  CHECK(e2->trailing == std::vector<uint8_t>{0});
  CHECK(encode_with(encode_maria_gtid_event, *e2) == xa);

  std::vector<uint8_t> cut(xa.begin(), xa.begin() + 22);
  ByteReader r3{Bytes(cut)};
  CHECK(decode_maria_gtid_event(r3, fd).error().code == ErrorCode::kCorrupt);
}

TEST_CASE("decode_maria_gtid_id accepts exactly the bodies decode_maria_gtid_event accepts, same fields") {
  std::vector<std::vector<uint8_t>> bodies = {
      {5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x0c, 0, 0, 0, 0, 0, 0},  // as MariaDB 10.11 writes it
      {0x02, 0x01, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x06, 77, 0, 0, 0, 0, 0, 0, 0},  // commit id
      {9, 0,   0,   0,   0,   0,   0,    0, 0,    0, 0, 0, 0x40, 1, 0, 0, 0, 3,
       2, 'a', 'b', 'c', 'd', 'e', 0x05, 2, 0x2A, 0, 0, 0, 0,    0, 0, 0, 0},  // XA, extra engines, sa_seq_no
      {9, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0x80, 1, 2, 3, 4},               // thread id
  };
  // Every prefix of each (cut anywhere) and each with a flag byte flipped.
  std::vector<std::vector<uint8_t>> cases;
  for (const auto& body : bodies) {
    for (size_t n = 0; n <= body.size(); ++n) cases.emplace_back(body.begin(), body.begin() + n);
    for (size_t flag_at : {size_t{12}, size_t{13}}) {
      for (uint8_t bits : {0x02, 0x40, 0x80, 0x01, 0x10, 0xff}) {
        auto changed = body;
        changed[flag_at] ^= bits;
        cases.push_back(changed);
      }
    }
  }
  size_t accepted = 0;
  for (const auto& body : cases) {
    ByteReader full_reader{Bytes(body)};
    ByteReader id_reader{Bytes(body)};
    const auto full = decode_maria_gtid_event(full_reader, FormatDescription{});
    const auto id = decode_maria_gtid_id(id_reader);
    INFO(body.size());
    REQUIRE(full.ok() == id.ok());
    if (!full.ok()) {
      CHECK(id.error().code == ErrorCode::kCorrupt);
      continue;
    }
    ++accepted;
    CHECK(id->seq_no == full->seq_no);
    CHECK(id->domain_id == full->domain_id);
    CHECK(id->flags2 == full->flags2);
  }
  CHECK(accepted >= 8);
  CHECK(accepted < cases.size());
}

TEST_CASE("a hand-built MariaDB GTID is padded to the 19-byte post-header as the server writes it") {
  MariaGtidEvent ev;
  ev.seq_no = 5;
  ev.domain_id = 1;
  ev.flags2 = kMariaFlStandalone;
  pad_maria_gtid_event(ev);
  const auto bytes = encode_with(encode_maria_gtid_event, ev);
  CHECK(bytes == std::vector<uint8_t>{5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  ByteReader r{Bytes(bytes)};
  auto back = decode_maria_gtid_event(r, FormatDescription{});
  REQUIRE(back.ok());
  CHECK(*back == ev);
  MariaGtidEvent with_commit_id = ev;
  with_commit_id.flags2 |= kMariaFlGroupCommitId;
  with_commit_id.commit_id = 9;
  with_commit_id.flags_extra.reset();
  with_commit_id.trailing.clear();
  pad_maria_gtid_event(with_commit_id);
  CHECK(encode_with(encode_maria_gtid_event, with_commit_id).size() == 21);
  CHECK(!with_commit_id.flags_extra);
}

TEST_CASE("MariaDB GTID_LIST keeps flags in the top 4 bits of the count") {
  std::vector<uint8_t> b = {2, 0, 0, 0x20};  // count 2, FLAG_IGN_GTIDS (2 << 28)
  append(b, {0, 0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0});
  append(b, {5, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0});
  ByteReader r{Bytes(b)};
  auto e = decode_maria_gtid_list_event(r, FormatDescription{});
  REQUIRE(e.ok());
  CHECK(e->flags == 2);
  CHECK(e->list == std::vector<MariaGtidListEvent::Entry>{{0, 1, 10}, {5, 2, 7}});
  CHECK(encode_with(encode_maria_gtid_list_event, *e) == b);
  b[0] = 3;
  ByteReader r2{Bytes(b)};
  CHECK(decode_maria_gtid_list_event(r2, FormatDescription{}).error().code == ErrorCode::kCorrupt);
}
