#pragma once
// Column type codes of row-based replication (enum_field_types in MySQL's include/field_types.h and
// MariaDB's include/mysql_com.h) and what the TABLE_MAP metadata block says about each.
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Table__map__event.html
#include <cstdint>
#include <optional>
#include <string>

namespace mzl::codec {

enum class ColumnType : uint8_t {
  kDecimal = 0,  // pre-5.0 DECIMAL: stored as text, cannot be read from a row image
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kTimestamp = 7,
  kLongLong = 8,
  kInt24 = 9,
  kDate = 10,
  kTime = 11,
  kDateTime = 12,
  kYear = 13,
  kNewDate = 14,
  kVarchar = 15,
  kBit = 16,
  kTimestamp2 = 17,
  kDateTime2 = 18,
  kTime2 = 19,
  kTypedArray = 20,            // MySQL 8 multi-valued index helper; never in a row image
  kMariaBlobCompressed = 140,  // MariaDB column compression (TEXT/BLOB ... COMPRESSED)
  kMariaVarcharCompressed = 141,
  kVector = 242,  // MySQL 9
  kInvalid = 243,
  kBool = 244,
  kJson = 245,
  kNewDecimal = 246,
  kEnum = 247,
  kSet = 248,
  kTinyBlob = 249,
  kMediumBlob = 250,
  kLongBlob = 251,
  kBlob = 252,
  kVarString = 253,
  kString = 254,
  kGeometry = 255,
};

inline uint8_t code(ColumnType t) {
  return static_cast<uint8_t>(t);
}

// "LONG", "NEWDECIMAL", "DATETIME2" ... (the MYSQL_TYPE_ name without prefix); "UNKNOWN_<n>" otherwise.
std::string column_type_name(uint8_t type);

// Bytes the type takes in the TABLE_MAP metadata block, or nullopt for a code we do not know (the block
// cannot then be split into columns).
std::optional<size_t> column_metadata_size(uint8_t type);

// Reads one column's metadata from the block as the server's reader does (rpl_utility.cc table_def):
// STRING/ENUM/SET/NEWDECIMAL are (byte0 << 8) | byte1; VARCHAR/VAR_STRING/BIT are little-endian u16;
// one-byte types are that byte. `bytes` has column_metadata_size(type) bytes.
uint16_t column_metadata_value(uint8_t type, const uint8_t* bytes);

// The type a STRING column really has: ENUM or SET when its metadata says so, else the code itself.
uint8_t real_column_type(uint8_t type, uint16_t metadata);

// Declared length in bytes of a CHAR column (STRING metadata, including the >255 encoding in byte 0).
uint32_t string_max_length(uint16_t metadata);

// Column classes used to index the optional metadata (sql/log_event.cc is_numeric_type etc.), applied to
// the real type. The flavours differ on character columns: MariaDB (sql/log_event_client.cc) also counts
// GEOMETRY and its compressed VARCHAR/BLOB types, MySQL counts STRING, VAR_STRING, VARCHAR and BLOB only.
bool is_numeric_type(uint8_t real_type);
bool is_character_type(uint8_t real_type, bool mariadb = false);
bool is_enum_or_set_type(uint8_t real_type);

}  // namespace mzl::codec
