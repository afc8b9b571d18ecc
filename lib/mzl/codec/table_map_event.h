#pragma once
// TABLE_MAP_EVENT (type 19): maps a table id used by the following rows events to a table and its columns.
// MySQL: https://dev.mysql.com/doc/dev/mysql-server/latest/classbinary__log_1_1Table__map__event.html
// MariaDB: https://mariadb.com/kb/en/table_map_event/
//   post-header: table_id u48 (u32 when the FD's TABLE_MAP post-header length is 6) | flags u16
//   body: db_len u8, db, NUL | table_len u8, table, NUL | column_count packed | column_type[n] |
//         metadata_len packed, metadata | null_bitmap[(n+7)/8] | optional metadata TLVs (type u8, len packed,
//         value) written with binlog_row_metadata=MINIMAL/FULL (MySQL 8.0.1+, MariaDB 10.5+).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// Optional metadata field types (MySQL Table_map_event::Optional_metadata_field_type).
enum class TableMapFieldType : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
};

// One optional-metadata TLV exactly as written (unknown types included), in file order.
struct TableMapOptionalField {
  uint8_t type = 0;
  std::vector<uint8_t> value;
  bool operator==(const TableMapOptionalField&) const = default;
};

// The optional metadata, decoded. Vectors are empty when the server did not write the field.
struct TableMapOptionalMetadata {
  std::vector<bool> signedness;  // one entry per numeric column, in column order; true = UNSIGNED
  // DEFAULT_CHARSET: the most used charset plus (column index, charset) for the other character columns.
  std::optional<uint32_t> default_charset;
  std::vector<std::pair<uint32_t, uint32_t>> charset_exceptions;
  std::vector<uint32_t> column_charsets;  // COLUMN_CHARSET: one per character column
  std::optional<uint32_t> enum_set_default_charset;
  std::vector<std::pair<uint32_t, uint32_t>> enum_set_charset_exceptions;
  std::vector<uint32_t> enum_set_column_charsets;
  std::vector<std::string> column_names;                   // one per column
  std::vector<std::vector<std::string>> set_values;        // one list per SET column
  std::vector<std::vector<std::string>> enum_values;       // one list per ENUM column
  std::vector<uint32_t> geometry_types;                    // one per GEOMETRY column
  std::vector<std::pair<uint32_t, uint32_t>> primary_key;  // (column index, prefix length; 0 = whole column)
  std::vector<bool> column_visibility;                     // one per column; true = visible

  bool operator==(const TableMapOptionalMetadata&) const = default;
};

struct TableMapEvent {
  uint64_t table_id = 0;
  uint8_t table_id_size = 6;  // 4 for servers whose FD says the post-header is 6 bytes
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<uint8_t> column_types;      // raw MYSQL_TYPE_* codes, one per column
  std::vector<uint16_t> column_metadata;  // per-column metadata, decoded from metadata_raw (0 when none)
  std::vector<uint8_t> metadata_raw;      // the metadata block as written
  std::vector<uint8_t> null_bitmap;       // bit i set: column i is nullable
  std::vector<TableMapOptionalField> optional_fields;  // raw TLVs
  TableMapOptionalMetadata optional;                   // decoded from optional_fields
  // Not in the bytes: the flavour of the FD it was decoded with, which decides how the optional metadata's
  // per-class lists map to columns (see is_character_type).
  Flavour flavour = Flavour::kMySQL;

  size_t column_count() const { return column_types.size(); }
  bool nullable(size_t column) const {
    return column / 8 < null_bitmap.size() && (null_bitmap[column / 8] >> (column % 8)) & 1;
  }
  bool operator==(const TableMapEvent&) const = default;
};

// A TABLE_MAP that repeats, byte for byte, one the decoder context already holds (every transaction maps its
// tables again): the event's body shares the context's decoded map instead of copying it. Event::get<
// TableMapEvent>() resolves it, so readers of the body need not know.
struct TableMapRef {
  std::shared_ptr<const TableMapEvent> map;
  bool operator==(const TableMapRef& other) const { return *map == *other.map; }
};

// Decodes the body (after the common header, checksum removed). kCorrupt when a length runs past the body,
// the metadata block does not match the column types, or an optional TLV is cut short. Unknown TLV types are
// kept raw. Decodes nothing lazily: every byte is checked here.
Result<TableMapEvent> decode_table_map_event(ByteReader& body, const FormatDescription& fd);
void encode_table_map_event(const TableMapEvent& event, const FormatDescription& fd, ByteWriter& out);

// Decodes the optional-metadata TLVs into `out` given the column types (the per-type fields count only
// numeric / character / enum-set / geometry columns). kCorrupt on a malformed TLV value.
Status decode_table_map_optional_metadata(const std::vector<TableMapOptionalField>& fields,
                                          const std::vector<uint8_t>& column_types,
                                          const std::vector<uint16_t>& column_metadata,
                                          TableMapOptionalMetadata& out);

}  // namespace mzl::codec
