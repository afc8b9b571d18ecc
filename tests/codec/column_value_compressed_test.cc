// MariaDB compressed columns (VARCHAR/BLOB ... COMPRESSED, sql/field_comp.cc): header byte (method in the
// high nibble, bit 3 = raw deflate, low bits = bytes of the big-endian original length), length, zlib data.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <string>
#include <vector>

#include "mzl/codec/column_type.h"
#include "mzl/codec/column_value.h"
#include "mzl/util/byte_writer.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

std::vector<uint8_t> deflate_bytes(const std::string& data, bool raw) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, raw ? -MAX_WBITS : MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::vector<uint8_t> out(deflateBound(&z, data.size()));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

// A BLOB COMPRESSED image (2-byte length prefix) holding `stored`.
std::vector<uint8_t> blob_image(const std::vector<uint8_t>& stored) {
  ByteWriter image;
  image.u16le(static_cast<uint16_t>(stored.size()));
  for (uint8_t b : stored) image.u8(b);
  return image.take();
}

Result<ColumnValue> decode(const std::vector<uint8_t>& image, ColumnType type, uint16_t meta) {
  ColumnInfo c;
  c.type = c.real_type = code(type);
  c.metadata = meta;
  ByteReader in(image);
  return decode_column_value(in, c);
}

std::string text(const Result<ColumnValue>& v) {
  INFO((v.ok() ? std::string() : v.error().to_string()));
  REQUIRE(v.ok());
  const auto& s = std::get<StringValue>(*v);
  return std::string(s.bytes.begin(), s.bytes.end());
}

}  // namespace

TEST_CASE("column_value: MariaDB compressed columns") {
  const std::string value(1000, 'k');
  for (bool raw : {true, false}) {
    auto z = deflate_bytes(value, raw);
    std::vector<uint8_t> stored = {static_cast<uint8_t>(0x80 | (raw ? 0x08 : 0) | 2), 0x03, 0xE8};
    stored.insert(stored.end(), z.begin(), z.end());
    CHECK(text(decode(blob_image(stored), ColumnType::kMariaBlobCompressed, 2)) == value);
    // VARCHAR(500) COMPRESSED: 2-byte length prefix too (metadata > 255).
    CHECK(text(decode(blob_image(stored), ColumnType::kMariaVarcharCompressed, 501)) == value);
  }
  // Method 0: stored as is after the header byte; an empty value has no header at all.
  CHECK(text(decode(blob_image({0x00, 'h', 'i'}), ColumnType::kMariaBlobCompressed, 2)) == "hi");
  CHECK(text(decode(blob_image({}), ColumnType::kMariaBlobCompressed, 2)).empty());

  // Declared length that does not match the data, unknown method, missing length bytes, huge claims.
  auto z = deflate_bytes(value, true);
  std::vector<uint8_t> wrong = {0x8A, 0x03, 0xE9};
  wrong.insert(wrong.end(), z.begin(), z.end());
  CHECK(!decode(blob_image(wrong), ColumnType::kMariaBlobCompressed, 2).ok());
  auto method = decode(blob_image({0x30, 0x01}), ColumnType::kMariaBlobCompressed, 2);
  REQUIRE(!method.ok());
  CHECK(method.error().code == ErrorCode::kUnsupported);
  CHECK(!decode(blob_image({0x82, 0x03}), ColumnType::kMariaBlobCompressed, 2).ok());
  CHECK(!decode(blob_image({0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}), ColumnType::kMariaBlobCompressed, 2).ok());
  CHECK(!decode(blob_image({0x88, 0x05}), ColumnType::kMariaBlobCompressed, 2).ok());  // length size 0
}
