#pragma once
// Typed column values of row-based replication, decoded from row images with the TABLE_MAP's column type
// and metadata. Storage formats: MySQL sql/field.cc (Field_*::pack / unpack), MySQL's decimal binary format
// (strings/decimal.cc decimal2bin), sql-common/my_time.cc (packed DATETIME2/TIME2/TIMESTAMP2), and
// https://mariadb.com/kb/en/rows_event_v1v2-rows_compressed_event_v1/ for the per-type summary.
// Writing a value out as JSON or as a mysqlbinlog -v literal is column_value_render.h.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mzl/codec/json_binary.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::codec {

struct NullValue {
  bool operator==(const NullValue&) const = default;
};

// TINY/SHORT/INT24/LONG/LONGLONG. The image does not say whether the column is UNSIGNED; only the TABLE_MAP's
// optional SIGNEDNESS metadata does. Both readings are kept; `is_unsigned` is set when the metadata says.
struct IntValue {
  int64_t signed_value = 0;
  uint64_t unsigned_value = 0;
  uint8_t width = 0;  // bytes in the image: 1, 2, 3, 4 or 8
  std::optional<bool> is_unsigned;
  bool operator==(const IntValue&) const = default;
};

struct FloatValue {
  double value = 0;
  bool single = false;  // FLOAT (4 bytes) rather than DOUBLE
  bool operator==(const FloatValue&) const = default;
};

// NEWDECIMAL, exact: "-123.4500" with exactly `scale` fraction digits, like the server prints it.
struct DecimalValue {
  std::string text;
  uint8_t precision = 0;
  uint8_t scale = 0;
  bool operator==(const DecimalValue&) const = default;
};

// CHAR/VARCHAR/BINARY/VARBINARY/BLOB/TEXT (and MariaDB's JSON, a LONGTEXT). `charset` is the collation id
// from the optional metadata when the server wrote it (63 = binary). CHAR/BINARY values come as the server
// logs them, without their trailing pad. MariaDB's compressed columns (TEXT/BLOB/VARCHAR ... COMPRESSED,
// types 140 and 141) are inflated to the original value (MariaDB sql/field_comp.cc zlib format).
struct StringValue {
  std::vector<uint8_t> bytes;
  std::optional<uint32_t> charset;
  bool operator==(const StringValue&) const = default;
};

struct DateValue {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  bool operator==(const DateValue&) const = default;
};

// TIME / TIME2. Hours can exceed 24 (TIME range is -838:59:59 .. 838:59:59).
struct TimeValue {
  bool negative = false;
  uint32_t hours = 0;
  uint8_t minutes = 0;
  uint8_t seconds = 0;
  uint32_t microseconds = 0;
  uint8_t precision = 0;  // fractional digits (fsp) declared for the column
  bool operator==(const TimeValue&) const = default;
};

struct DateTimeValue {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t microseconds = 0;
  uint8_t precision = 0;
  bool operator==(const DateTimeValue&) const = default;
};

// TIMESTAMP / TIMESTAMP2: seconds since the Unix epoch, UTC (0 is the zero timestamp).
struct TimestampValue {
  int64_t seconds = 0;
  uint32_t microseconds = 0;
  uint8_t precision = 0;
  bool operator==(const TimestampValue&) const = default;
};

struct YearValue {
  uint16_t year = 0;  // 0 means the zero year 0000; else 1901..2155
  bool operator==(const YearValue&) const = default;
};

struct BitValue {
  std::vector<uint8_t> bytes;  // big-endian as stored
  uint32_t bits = 0;           // declared width
  uint64_t as_uint() const {
    uint64_t v = 0;
    for (uint8_t b : bytes) v = (v << 8) | b;
    return v;
  }
  bool operator==(const BitValue&) const = default;
};

struct EnumValue {
  uint32_t index = 0;               // 1-based; 0 is the empty error value
  std::optional<std::string> name;  // from ENUM_STR_VALUE optional metadata
  bool operator==(const EnumValue&) const = default;
};

struct SetValue {
  uint64_t bits = 0;
  std::optional<std::vector<std::string>> names;  // members set, from SET_STR_VALUE optional metadata
  bool operator==(const SetValue&) const = default;
};

// MySQL JSON column: the binary value rendered to JSON text the way MySQL prints it.
struct JsonValue {
  std::string text;
  bool operator==(const JsonValue&) const = default;
};

// After image of a JSON column written in partial format by PARTIAL_UPDATE_ROWS: the diff operations.
struct JsonDiffValue {
  std::vector<JsonDiff> diffs;
  bool operator==(const JsonDiffValue&) const = default;
};

struct GeometryValue {
  uint32_t srid = 0;
  std::vector<uint8_t> wkb;
  bool operator==(const GeometryValue&) const = default;
};

// MySQL 9 VECTOR: little-endian float32 elements (read like a BLOB: metadata = bytes of the length prefix;
// not yet checked against a server).
struct VectorValue {
  std::vector<float> values;
  bool operator==(const VectorValue&) const = default;
};

using ColumnValue = std::variant<NullValue, IntValue, FloatValue, DecimalValue, StringValue, DateValue,
                                 TimeValue, DateTimeValue, TimestampValue, YearValue, BitValue, EnumValue,
                                 SetValue, JsonValue, JsonDiffValue, GeometryValue, VectorValue>;

// What decode_column_value needs to know about a column (from the TABLE_MAP).
struct ColumnInfo {
  uint8_t type = 0;       // as in the TABLE_MAP
  uint8_t real_type = 0;  // ENUM/SET for STRING columns that are
  uint16_t metadata = 0;
  std::optional<bool> is_unsigned;
  std::optional<uint32_t> charset;
  const std::vector<std::string>* enum_or_set_names = nullptr;
};

// Decodes one non-NULL value of `column` from `in`, consuming exactly its bytes. kCorrupt when the image is
// cut short or a length is impossible; kUnsupported for a type whose image we cannot read (pre-5.0 DECIMAL,
// unknown codes). Never reads past the reader.
Result<ColumnValue> decode_column_value(ByteReader& in, const ColumnInfo& column);

// Decimal binary format (decimal2bin) to exact text; kCorrupt on a bad precision/scale or short input.
Result<std::string> decode_decimal(ByteReader& in, uint8_t precision, uint8_t scale);
// Bytes decode_decimal consumes for the precision and scale.
size_t decimal_binary_size(uint8_t precision, uint8_t scale);

}  // namespace mzl::codec
