// TABLE_MAP decoding from hand-built bytes: metadata block, optional metadata, byte-exact re-encoding,
// 4-byte table ids and truncation.
#include <catch2/catch.hpp>

#include "mzl/codec/column_type.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/table_map_event.h"
#include "rows_hand_built.h"

using namespace mzl;
using namespace mzl::codec;

TEST_CASE("table_map: hand-built event decodes and re-encodes byte for byte") {
  const auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  const auto body = test::hand_table_map_body();
  ByteReader in(body);
  auto tm = decode_table_map_event(in, fd);
  INFO((tm.ok() ? std::string() : tm.error().to_string()));
  REQUIRE(tm.ok());
  CHECK(tm->table_id == test::kHandTableId);
  CHECK(tm->flags == 1);
  CHECK(tm->database == "db");
  CHECK(tm->table == "t");
  CHECK(tm->column_count() == 9);
  CHECK(tm->column_metadata == std::vector<uint16_t>{0, 300, 0xF701, 0x0A02, 2, 4, 4, 3, 0x0102});
  CHECK(!tm->nullable(0));
  for (size_t i = 1; i < 9; ++i) CHECK(tm->nullable(i));
  const auto& opt = tm->optional;
  CHECK(opt.signedness == std::vector<bool>{true, false});
  CHECK(opt.default_charset == std::optional<uint32_t>(255));
  CHECK(opt.charset_exceptions == std::vector<std::pair<uint32_t, uint32_t>>{{1, 63}});
  CHECK(opt.column_names ==
        std::vector<std::string>{"id", "name", "kind", "price", "data", "doc", "geo", "at", "flags"});
  CHECK(opt.enum_values == std::vector<std::vector<std::string>>{{"a", "bb"}});
  CHECK(opt.geometry_types == std::vector<uint32_t>{1});
  CHECK(opt.primary_key == std::vector<std::pair<uint32_t, uint32_t>>{{0, 0}});
  CHECK(opt.enum_set_default_charset == std::optional<uint32_t>(33));
  CHECK(opt.column_visibility == std::vector<bool>{true, true, true, true, true, true, true, true, false});
  REQUIRE(tm->optional_fields.size() == 9);
  CHECK(tm->optional_fields.back() == TableMapOptionalField{99, {1, 2, 3}});

  ByteWriter out;
  encode_table_map_event(*tm, fd, out);
  CHECK(out.take() == body);

  const auto columns = column_infos(*tm);
  CHECK(columns[0].is_unsigned == std::optional<bool>(true));
  CHECK(columns[3].is_unsigned == std::optional<bool>(false));
  CHECK(columns[1].charset == std::optional<uint32_t>(255));
  CHECK(columns[4].charset == std::optional<uint32_t>(63));
  CHECK(columns[2].real_type == code(ColumnType::kEnum));
  CHECK(columns[2].charset == std::optional<uint32_t>(33));
  REQUIRE(columns[2].enum_or_set_names != nullptr);
  CHECK(*columns[2].enum_or_set_names == std::vector<std::string>{"a", "bb"});
}

TEST_CASE("table_map: 4-byte table id when the FD says the post-header is 6 bytes") {
  auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined);
  fd.post_header_lengths[19 - 1] = 6;
  std::vector<uint8_t> body = {0x2A, 0, 0, 0, 0, 0, 1, 'd', 0, 1, 't', 0, 1, 3, 0, 0x00};
  ByteReader in(body);
  auto tm = decode_table_map_event(in, fd);
  REQUIRE(tm.ok());
  CHECK(tm->table_id == 42);
  CHECK(tm->table_id_size == 4);
  ByteWriter out;
  encode_table_map_event(*tm, fd, out);
  CHECK(out.take() == body);
}

TEST_CASE("table_map: truncated or malformed events are kCorrupt") {
  const auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  const auto body = test::hand_table_map_body();
  for (size_t n = 0; n < test::kHandNullBitmapEnd; ++n) {
    ByteReader in(Bytes(body.data(), n));
    auto tm = decode_table_map_event(in, fd);
    INFO("prefix " << n);
    REQUIRE(!tm.ok());
    CHECK(tm.error().code == ErrorCode::kCorrupt);
  }
  // Cut inside the optional metadata: a TLV whose value runs past the body.
  ByteReader cut(Bytes(body.data(), body.size() - 1));
  CHECK(!decode_table_map_event(cut, fd).ok());
  // Metadata block too short for the column types.
  std::vector<uint8_t> short_meta = {1, 0, 0, 0, 0, 0, 0, 0, 1, 'd', 0, 1, 't', 0, 1, 15, 1, 0x2C, 0x00};
  ByteReader in(short_meta);
  CHECK(!decode_table_map_event(in, fd).ok());
  // Database name not NUL-terminated.
  std::vector<uint8_t> no_nul = {1, 0, 0, 0, 0, 0, 0, 0, 1, 'd', 'x', 1, 't', 0, 1, 3, 0, 0};
  ByteReader in2(no_nul);
  CHECK(!decode_table_map_event(in2, fd).ok());
  // A malformed SIGNEDNESS value (no bytes for the numeric column).
  std::vector<uint8_t> bad_tlv = {1, 0, 0, 0, 0, 0, 0, 0, 1, 'd', 0, 1, 't', 0, 1, 3, 0, 0, 1, 0};
  ByteReader in3(bad_tlv);
  CHECK(!decode_table_map_event(in3, fd).ok());
}

TEST_CASE("table_map: a column type of unknown metadata size keeps the event decodable") {
  const auto fd = default_format_description(Flavour::kMySQL, ChecksumAlg::kCrc32);
  std::vector<uint8_t> body = {1, 0, 0, 0, 0, 0, 0, 0, 1, 'd', 0, 1, 't', 0, 2, 3, 243, 1, 0x07, 0x00};
  ByteReader in(body);
  auto tm = decode_table_map_event(in, fd);
  REQUIRE(tm.ok());
  ByteWriter out;
  encode_table_map_event(*tm, fd, out);
  CHECK(out.take() == body);
}
