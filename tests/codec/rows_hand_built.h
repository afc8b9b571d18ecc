#pragma once
// A hand-built TABLE_MAP (bytes written from the MySQL/MariaDB format description) shared by the rows unit
// tests: columns LONG, VARCHAR(300), ENUM, DECIMAL(10,2), BLOB, JSON, GEOMETRY, DATETIME2(3), BIT(10), with
// optional metadata.
#include <cstdint>
#include <vector>

namespace mzl::test {

inline void put_le(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

inline void put_str(std::vector<uint8_t>& out, const char* s) {
  const std::string_view v(s);
  out.push_back(static_cast<uint8_t>(v.size()));
  out.insert(out.end(), v.begin(), v.end());
}

inline void put_tlv(std::vector<uint8_t>& out, uint8_t type, const std::vector<uint8_t>& value) {
  out.push_back(type);
  out.push_back(static_cast<uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

constexpr uint64_t kHandTableId = 0x010203040506;
constexpr size_t kHandNullBitmapEnd = 6 + 2 + 4 + 3 + 1 + 9 + 1 + 12 + 2;  // end of the NULL bitmap

inline std::vector<uint8_t> hand_table_map_body() {
  std::vector<uint8_t> b;
  put_le(b, kHandTableId, 6);
  put_le(b, 1, 2);
  b.insert(b.end(), {2, 'd', 'b', 0, 1, 't', 0});
  b.push_back(9);
  b.insert(b.end(), {3, 15, 254, 246, 252, 245, 255, 18, 16});
  const std::vector<uint8_t> meta = {0x2C, 0x01, 0xF7, 0x01, 10, 2, 2, 4, 4, 3, 2, 1};
  b.push_back(static_cast<uint8_t>(meta.size()));
  b.insert(b.end(), meta.begin(), meta.end());
  b.insert(b.end(), {0xFE, 0x01});                // every column but the first is nullable
  put_tlv(b, 1, {0x80});                          // SIGNEDNESS: LONG unsigned, DECIMAL signed
  put_tlv(b, 2, {0xFC, 0xFF, 0x00, 0x01, 0x3F});  // DEFAULT_CHARSET 255, char column #1 -> 63
  std::vector<uint8_t> names;
  for (const char* n : {"id", "name", "kind", "price", "data", "doc", "geo", "at", "flags"})
    put_str(names, n);
  put_tlv(b, 4, names);                     // COLUMN_NAME
  put_tlv(b, 6, {2, 1, 'a', 2, 'b', 'b'});  // ENUM_STR_VALUE
  put_tlv(b, 7, {1});                       // GEOMETRY_TYPE: POINT
  put_tlv(b, 8, {0});                       // SIMPLE_PRIMARY_KEY
  put_tlv(b, 10, {33});                     // ENUM_AND_SET_DEFAULT_CHARSET
  put_tlv(b, 12, {0xFF, 0x00});             // COLUMN_VISIBILITY: the 9th is invisible
  put_tlv(b, 99, {1, 2, 3});                // unknown: kept raw
  return b;
}

}  // namespace mzl::test
