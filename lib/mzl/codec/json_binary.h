#pragma once
// MySQL's binary JSON format (the JSON column type, MySQL 5.7+) and the partial-update diffs of
// PARTIAL_UPDATE_ROWS (binlog_row_value_options=PARTIAL_JSON, MySQL 8.0.3+).
// Format: MySQL sql-common/json_binary.h
// (https://dev.mysql.com/doc/dev/mysql-server/latest/json__binary_8h.html); diffs: sql/json_diff.cc
// Json_diff_vector::write_binary.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// Renders a binary JSON document as JSON text as MySQL prints it: `{"a": 1, "b": [true, null]}` (", " and
// ": " separators, object members in stored key order), doubles in shortest round-trip form, DECIMAL opaque
// values as numbers, DATE/TIME/DATETIME/TIMESTAMP opaque values as quoted strings (fraction always 6 digits
// for TIME/DATETIME, as MySQL does), other opaque values as "base64:typeNN:<base64>". An empty document
// renders as `null`. kCorrupt on offsets or lengths outside the document, or nesting deeper than 100.
Result<std::string> json_binary_to_text(Bytes document);

enum class JsonDiffOperation : uint8_t { kReplace = 0, kInsert = 1, kRemove = 2 };

struct JsonDiff {
  JsonDiffOperation operation = JsonDiffOperation::kReplace;
  std::string path;                  // JSON path text, e.g. "$.a[1]"
  std::optional<std::string> value;  // rendered JSON text; absent for kRemove
  bool operator==(const JsonDiff&) const = default;
};

// Reads one column's diff vector: u32 length, then per diff: operation u8, path length packed, path,
// (not REMOVE) value length packed, binary JSON value. Consumes the length-prefixed block from `in`.
Result<std::vector<JsonDiff>> decode_json_diffs(ByteReader& in);

}  // namespace mzl::codec
