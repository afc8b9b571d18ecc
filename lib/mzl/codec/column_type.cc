#include "mzl/codec/column_type.h"

#include <fmt/format.h>

namespace mzl::codec {

std::string column_type_name(uint8_t type) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::kDecimal:
      return "DECIMAL";
    case ColumnType::kTiny:
      return "TINY";
    case ColumnType::kShort:
      return "SHORT";
    case ColumnType::kLong:
      return "LONG";
    case ColumnType::kFloat:
      return "FLOAT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kNull:
      return "NULL";
    case ColumnType::kTimestamp:
      return "TIMESTAMP";
    case ColumnType::kLongLong:
      return "LONGLONG";
    case ColumnType::kInt24:
      return "INT24";
    case ColumnType::kDate:
      return "DATE";
    case ColumnType::kTime:
      return "TIME";
    case ColumnType::kDateTime:
      return "DATETIME";
    case ColumnType::kYear:
      return "YEAR";
    case ColumnType::kNewDate:
      return "NEWDATE";
    case ColumnType::kVarchar:
      return "VARCHAR";
    case ColumnType::kBit:
      return "BIT";
    case ColumnType::kTimestamp2:
      return "TIMESTAMP2";
    case ColumnType::kDateTime2:
      return "DATETIME2";
    case ColumnType::kTime2:
      return "TIME2";
    case ColumnType::kTypedArray:
      return "TYPED_ARRAY";
    case ColumnType::kMariaVarcharCompressed:
      return "VARCHAR_COMPRESSED";
    case ColumnType::kMariaBlobCompressed:
      return "BLOB_COMPRESSED";
    case ColumnType::kVector:
      return "VECTOR";
    case ColumnType::kInvalid:
      return "INVALID";
    case ColumnType::kBool:
      return "BOOL";
    case ColumnType::kJson:
      return "JSON";
    case ColumnType::kNewDecimal:
      return "NEWDECIMAL";
    case ColumnType::kEnum:
      return "ENUM";
    case ColumnType::kSet:
      return "SET";
    case ColumnType::kTinyBlob:
      return "TINY_BLOB";
    case ColumnType::kMediumBlob:
      return "MEDIUM_BLOB";
    case ColumnType::kLongBlob:
      return "LONG_BLOB";
    case ColumnType::kBlob:
      return "BLOB";
    case ColumnType::kVarString:
      return "VAR_STRING";
    case ColumnType::kString:
      return "STRING";
    case ColumnType::kGeometry:
      return "GEOMETRY";
  }
  return fmt::format("UNKNOWN_{}", type);
}

std::optional<size_t> column_metadata_size(uint8_t type) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kLong:
    case ColumnType::kNull:
    case ColumnType::kTimestamp:
    case ColumnType::kLongLong:
    case ColumnType::kInt24:
    case ColumnType::kDate:
    case ColumnType::kTime:
    case ColumnType::kDateTime:
    case ColumnType::kYear:
    case ColumnType::kNewDate:
    case ColumnType::kDecimal:
    case ColumnType::kBool:
      return 0;
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kTimestamp2:
    case ColumnType::kDateTime2:
    case ColumnType::kTime2:
    case ColumnType::kJson:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kGeometry:
    case ColumnType::kVector:
    case ColumnType::kMariaBlobCompressed:
      return 1;
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kBit:
    case ColumnType::kNewDecimal:
    case ColumnType::kEnum:
    case ColumnType::kSet:
    case ColumnType::kString:
    case ColumnType::kMariaVarcharCompressed:
      return 2;
    case ColumnType::kTypedArray:
    case ColumnType::kInvalid:
      return std::nullopt;
  }
  return std::nullopt;
}

uint16_t column_metadata_value(uint8_t type, const uint8_t* bytes) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::kString:
    case ColumnType::kEnum:
    case ColumnType::kSet:
    case ColumnType::kNewDecimal:
      return static_cast<uint16_t>((bytes[0] << 8) | bytes[1]);
    default:
      break;
  }
  auto size = column_metadata_size(type);
  if (!size || *size == 0) return 0;
  if (*size == 1) return bytes[0];
  return static_cast<uint16_t>(bytes[0] | (bytes[1] << 8));
}

uint8_t real_column_type(uint8_t type, uint16_t metadata) {
  if (type == code(ColumnType::kString)) {
    const uint8_t hi = static_cast<uint8_t>(metadata >> 8);
    if (hi == code(ColumnType::kEnum) || hi == code(ColumnType::kSet)) return hi;
  }
  return type;
}

uint32_t string_max_length(uint16_t metadata) {
  const uint32_t byte0 = metadata >> 8;
  const uint32_t byte1 = metadata & 0xFF;
  if ((byte0 & 0x30) != 0x30) return byte1 | (((byte0 & 0x30) ^ 0x30) << 4);
  return byte1;
}

bool is_numeric_type(uint8_t t) {
  switch (static_cast<ColumnType>(t)) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kNewDecimal:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return true;
    default:
      return false;
  }
}

bool is_character_type(uint8_t t, bool mariadb) {
  switch (static_cast<ColumnType>(t)) {
    case ColumnType::kString:
    case ColumnType::kVarString:
    case ColumnType::kVarchar:
    case ColumnType::kBlob:
      return true;
    case ColumnType::kGeometry:
    case ColumnType::kMariaVarcharCompressed:
    case ColumnType::kMariaBlobCompressed:
      return mariadb;
    default:
      return false;
  }
}

bool is_enum_or_set_type(uint8_t t) {
  return t == code(ColumnType::kEnum) || t == code(ColumnType::kSet);
}

}  // namespace mzl::codec
