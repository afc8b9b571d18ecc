// Rows events from hand-built bytes: v2 extra data, v1 UPDATE bitmaps, pre-GA, MariaDB zlib compression,
// typed row values, and truncated or garbage row images (errors, never crashes).
#include <catch2/catch.hpp>

#include <zlib.h>

#include <random>

#include "mzl/codec/row_image.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "rows_hand_built.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

TableMapEvent hand_table() {
  const auto body = test::hand_table_map_body();
  ByteReader in(body);
  auto tm = decode_table_map_event(in, default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32));
  REQUIRE(tm.ok());
  return *tm;
}

// One full row of the hand-built table: id=7, name='abc', kind=2 ('bb'), price=12.34, data='hi', doc=true,
// geo=NULL, at=NULL, flags=b'1000000010'.
std::vector<uint8_t> full_row() {
  return {0xC0, 0x00,                          // NULL bits: columns 7 and 8 (geo, at)
          0x07, 0x00, 0x00, 0x00,              // id
          0x03, 0x00, 'a',  'b',  'c',         // name: VARCHAR(300) has a 2-byte length
          0x02,                                // kind
          0x80, 0x00, 0x00, 0x0C, 0x22,        // price DECIMAL(10,2)
          0x02, 0x00, 'h',  'i',               // data: BLOB with a 2-byte length
          0x02, 0x00, 0x00, 0x00, 0x04, 0x01,  // doc: JSON true
          0x02, 0x01};                         // flags BIT(10)
}

std::vector<uint8_t> rows_body(uint8_t type, const std::vector<uint8_t>& extra, bool after_bitmap,
                               const std::vector<uint8_t>& rows, bool v2 = true) {
  std::vector<uint8_t> b;
  test::put_le(b, test::kHandTableId, 6);
  test::put_le(b, kRowsFlagStmtEnd, 2);
  if (v2) {
    test::put_le(b, extra.size() + 2, 2);
    b.insert(b.end(), extra.begin(), extra.end());
  }
  b.push_back(9);
  b.insert(b.end(), {0xFF, 0x01});
  if (after_bitmap) b.insert(b.end(), {0x01, 0x00});
  b.insert(b.end(), rows.begin(), rows.end());
  (void)type;
  return b;
}

void check_full_row(const Row& row) {
  REQUIRE(row.size() == 9);
  CHECK(std::get<IntValue>(*row[0]).unsigned_value == 7);
  CHECK(std::get<IntValue>(*row[0]).is_unsigned == std::optional<bool>(true));
  CHECK(std::get<StringValue>(*row[1]) == StringValue{{'a', 'b', 'c'}, 255});
  CHECK(std::get<EnumValue>(*row[2]) == EnumValue{2, std::string("bb")});
  CHECK(std::get<DecimalValue>(*row[3]).text == "12.34");
  CHECK(std::get<StringValue>(*row[4]) == StringValue{{'h', 'i'}, 63});
  CHECK(std::get<JsonValue>(*row[5]).text == "true");
  CHECK(std::holds_alternative<NullValue>(*row[6]));
  CHECK(std::holds_alternative<NullValue>(*row[7]));
  CHECK(std::get<BitValue>(*row[8]).as_uint() == 0x201);
}

}  // namespace

TEST_CASE("rows_event: WRITE_ROWS v2 with NDB and partition extra data") {
  const auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  const std::vector<uint8_t> extra = {0x00, 0x04, 0x01, 0xAA, 0xBB, 0x01, 0x07, 0x00};
  auto row = full_row();
  std::vector<uint8_t> two_rows = row;
  two_rows.insert(two_rows.end(), row.begin(), row.end());
  const auto body = rows_body(30, extra, false, two_rows);
  ByteReader in(body);
  auto ev = decode_rows_event(30, in, fd);
  INFO((ev.ok() ? std::string() : ev.error().to_string()));
  REQUIRE(ev.ok());
  CHECK(ev->kind() == RowsKind::kWrite);
  CHECK(ev->table_id == test::kHandTableId);
  CHECK(ev->flags == kRowsFlagStmtEnd);
  CHECK(ev->has_extra_data);
  CHECK(ev->extra_data == extra);
  CHECK(ev->extra_info.ndb_info == std::optional<std::vector<uint8_t>>({0x04, 0x01, 0xAA, 0xBB}));
  CHECK(ev->extra_info.partition_id == std::optional<uint16_t>(7));
  CHECK(!ev->extra_info.source_partition_id);
  CHECK(ev->column_count == 9);
  CHECK(ev->rows == two_rows);
  ByteWriter out;
  encode_rows_event(*ev, fd, out);
  CHECK(out.take() == body);

  auto changes = decode_row_changes(*ev, hand_table());
  INFO((changes.ok() ? std::string() : changes.error().to_string()));
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 2);
  for (const auto& c : *changes) {
    CHECK(!c.before.has_value());
    REQUIRE(c.after.has_value());
    check_full_row(*c.after);
  }
}

TEST_CASE("rows_event: UPDATE_ROWS v1 with a partial after image, and DELETE") {
  const auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  auto rows = full_row();
  rows.insert(rows.end(), {0x00, 0x08, 0x00, 0x00, 0x00});  // after image: id only, = 8
  const auto body = rows_body(24, {}, true, rows, false);
  ByteReader in(body);
  auto ev = decode_rows_event(24, in, fd);
  REQUIRE(ev.ok());
  CHECK(!ev->has_extra_data);
  CHECK(ev->columns_after == std::vector<uint8_t>{0x01, 0x00});
  ByteWriter out;
  encode_rows_event(*ev, fd, out);
  CHECK(out.take() == body);
  auto changes = decode_row_changes(*ev, hand_table());
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 1);
  check_full_row(*(*changes)[0].before);
  const Row& after = *(*changes)[0].after;
  CHECK(std::get<IntValue>(*after[0]).unsigned_value == 8);
  for (size_t i = 1; i < 9; ++i) CHECK(!after[i].has_value());

  const auto del = rows_body(25, {}, false, full_row(), false);
  ByteReader din(del);
  auto dev = decode_rows_event(25, din, fd);
  REQUIRE(dev.ok());
  auto dchanges = decode_row_changes(*dev, hand_table());
  REQUIRE(dchanges.ok());
  REQUIRE(dchanges->size() == 1);
  CHECK(!(*dchanges)[0].after.has_value());
  check_full_row(*(*dchanges)[0].before);
}

TEST_CASE("rows_event: pre-GA UPDATE has one bitmap and its rows are kUnsupported") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  fd.post_header_lengths[21 - 1] = 8;
  const auto body = rows_body(21, {}, false, {0x00}, false);
  ByteReader in(body);
  auto ev = decode_rows_event(21, in, fd);
  REQUIRE(ev.ok());
  CHECK(ev->kind() == RowsKind::kUpdate);
  CHECK(ev->columns_after.empty());
  ByteWriter out;
  encode_rows_event(*ev, fd, out);
  CHECK(out.take() == body);
  auto changes = decode_row_changes(*ev, hand_table());
  REQUIRE(!changes.ok());
  CHECK(changes.error().code == ErrorCode::kUnsupported);
}

TEST_CASE("rows_event: MariaDB compressed rows (zlib)") {
  const auto fd = default_format_description(Flavour::kMariaDB, ChecksumAlg::kCrc32);
  const auto row = full_row();
  std::vector<uint8_t> z(compressBound(row.size()));
  uLongf z_len = z.size();
  REQUIRE(compress(z.data(), &z_len, row.data(), row.size()) == Z_OK);
  z.resize(z_len);
  std::vector<uint8_t> compressed = {0x81, static_cast<uint8_t>(row.size())};
  compressed.insert(compressed.end(), z.begin(), z.end());
  for (uint8_t type : {uint8_t{166}, uint8_t{169}}) {
    const bool v2 = fd.post_header_length(type) == 10;
    const auto body = rows_body(type, {}, false, compressed, v2);
    ByteReader in(body);
    auto ev = decode_rows_event(type, in, fd);
    INFO("type " << int(type) << (ev.ok() ? std::string() : ev.error().to_string()));
    REQUIRE(ev.ok());
    CHECK(ev->compressed);
    CHECK(ev->rows == row);
    CHECK(ev->compressed_rows == compressed);
    ByteWriter out;
    encode_rows_event(*ev, fd, out);
    CHECK(out.take() == body);
    auto changes = decode_row_changes(*ev, hand_table());
    REQUIRE(changes.ok());
    REQUIRE(changes->size() == 1);
    check_full_row(*(*changes)[0].after);
  }
  auto decode_with = [&](std::vector<uint8_t> payload) {
    const auto body = rows_body(166, {}, false, payload, false);
    ByteReader in(body);
    return decode_rows_event(166, in, fd);
  };
  // A 4 GiB claim over a few bytes: rejected before allocating.
  auto huge = decode_with({0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0x9C, 0x03, 0x00});
  REQUIRE(!huge.ok());
  CHECK(huge.error().code == ErrorCode::kCorrupt);
  // 1 MiB claimed from 3 bytes of zlib: impossible ratio.
  CHECK(!decode_with({0x83, 0x10, 0x00, 0x00, 0x78, 0x9C, 0x03}).ok());
  // Header byte without the compression flag, unknown algorithm, bad zlib, wrong declared length.
  CHECK(!decode_with({0x01, 0x05}).ok());
  auto alg = decode_with({0x91, 0x05, 0x00});
  REQUIRE(!alg.ok());
  CHECK(alg.error().code == ErrorCode::kUnsupported);
  CHECK(!decode_with({0x81, 0x05, 0x01, 0x02, 0x03}).ok());
  std::vector<uint8_t> wrong_len = {0x81, static_cast<uint8_t>(row.size() + 1)};
  wrong_len.insert(wrong_len.end(), z.begin(), z.end());
  CHECK(!decode_with(wrong_len).ok());
  CHECK(!decode_with({}).ok());
}

TEST_CASE("rows_event: truncated headers and bitmaps are kCorrupt") {
  const auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  const auto body = rows_body(31, {0x01, 0x07, 0x00, 0x08, 0x00}, true, {});
  const size_t header_end = body.size();  // everything before the row images
  for (size_t n = 0; n < header_end; ++n) {
    ByteReader in(Bytes(body.data(), n));
    auto ev = decode_rows_event(31, in, fd);
    INFO("prefix " << n);
    REQUIRE(!ev.ok());
    CHECK(ev.error().code == ErrorCode::kCorrupt);
  }
  ByteReader in(body);
  auto ev = decode_rows_event(31, in, fd);
  REQUIRE(ev.ok());
  CHECK(ev->extra_info.partition_id == std::optional<uint16_t>(7));
  CHECK(ev->extra_info.source_partition_id == std::optional<uint16_t>(8));
  // Not a rows event type.
  ByteReader other(body);
  CHECK(!decode_rows_event(19, other, fd).ok());
}

TEST_CASE("rows_event: truncated row images give an Error, never a crash") {
  const auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  const auto table = hand_table();
  const auto row = full_row();
  for (size_t n = 1; n < row.size(); ++n) {
    std::vector<uint8_t> cut(row.begin(), row.begin() + static_cast<long>(n));
    const auto body = rows_body(30, {}, false, cut);
    ByteReader in(body);
    auto ev = decode_rows_event(30, in, fd);
    REQUIRE(ev.ok());
    auto changes = decode_row_changes(*ev, table);
    INFO("row image cut to " << n << " bytes");
    REQUIRE(!changes.ok());
    CHECK(changes.error().code == ErrorCode::kCorrupt);
  }
  // A rows event wider than its table map, or for another table id.
  RowsEvent wide;
  wide.type_code = 30;
  wide.table_id = test::kHandTableId;
  wide.column_count = 10;
  CHECK(!decode_row_changes(wide, table).ok());
  RowsEvent other;
  other.type_code = 30;
  other.table_id = 1;
  CHECK(!decode_row_changes(other, table).ok());
}

TEST_CASE("rows_event: random row images never crash") {
  const auto table = hand_table();
  std::mt19937 rng(12345);
  size_t ok = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    RowsEvent ev;
    ev.type_code = static_cast<uint8_t>(trial % 3 == 0 ? 30 : trial % 3 == 1 ? 31 : 39);
    ev.table_id = test::kHandTableId;
    ev.column_count = 9;
    ev.columns_before = {static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng() & 1)};
    ev.columns_after = {static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng() & 1)};
    ev.rows.resize(rng() % 64);
    for (auto& b : ev.rows) b = static_cast<uint8_t>(rng());
    if (trial % 7 == 0) {
      ev.rows = full_row();
      ev.rows[rng() % ev.rows.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    ok += decode_row_changes(ev, table).ok();
  }
  CHECK(ok > 0);
}
