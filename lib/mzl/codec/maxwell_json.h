#pragma once
// Row changes as Maxwell's daemon writes them (`mzl-binlog-tail --format maxwell`), one JSON object per row
// per line, so that consumers written for Maxwell read mzl's stream unchanged.
//
// What Maxwell does, from its documentation (https://maxwells-daemon.io/dataformat/, source
// docs/docs/dataformat.md and docs/docs/config.md of github.com/zendesk/maxwell) and, where the documentation
// is silent, from its code (RowMap.toJSON, BinlogConnectorEvent, RowMapBuffer, schema/columndef/*, and the
// binlog reader it uses, mysql-binlog-connector-java 0.31, AbstractRowsEventDataDeserializer), with its
// default options (output_commit_info on, output_xoffset off, output_nulls on, output_null_zerodates off):
// - Keys in this order: "database", "table", "type" ("insert", "update", "delete"), "ts" (the rows event's
//   header timestamp, in seconds), "xid" (the transaction's XID; absent when the transaction ends with a
//   COMMIT query instead, as non-transactional engines write it), "xoffset" (only with output_xoffset: the
//   row's index in its transaction from 0, left off the commit row), "commit":true (only on the last row of
//   the transaction), "data", "old" (updates, only when not empty).
// - "data": the row after the change (insert, update) or before it (delete), the image's columns in table
//   order, NULL as null. "old" (update): for each column of the before image whose value differs from the
//   after image's, its value before; a column only the before image has (binlog_row_image=MINIMAL) goes into
//   "data" after the others.
// - Values: integers as numbers, UNSIGNED ones as their unsigned value; FLOAT and DOUBLE as Java prints them
//   (Float/Double.toString: "4.2341", "5.0", "1.0E7"); DECIMAL as a number the way Java's BigDecimal prints
//   it ("12.50", "0E-8" for a zero of scale 8); CHAR/VARCHAR/TEXT as UTF-8 strings (latin1 and ascii read
//   as windows-1252); BLOB, BINARY, VARBINARY and binary-collation strings as base64, as logged (BINARY(n)
//   without its trailing 0x00 pad); DATE "YYYY-MM-DD"; DATETIME and TIMESTAMP "YYYY-MM-DD hh:mm:ss" with as
//   many fraction digits as the column declares (TIMESTAMP in UTC); zero and partly-zero dates as
//   "0000-00-00" / "0000-00-00 00:00:00[.000]"; TIME "hh:mm:ss[.ffffff]"; YEAR as a number; BIT as a number;
//   ENUM as its name (the empty error value 0 as null); SET as a JSON array of its names; JSON embedded as
//   JSON; GEOMETRY as well-known text ("POINT (1 2)").
// Where Maxwell's output is an accident of its Java reader, this renderer writes the value instead: TIME
//   outside 00:00:00-23:59:59 (Maxwell wraps it modulo 24 hours in the JVM's time zone), BIT(33)..BIT(63)
//   (Maxwell's int shift loses the high bytes), dates before 1582-10-15 (Java's Julian calendar), JSON
//   doubles (MySQL's text). The zero YEAR is 1900, as Maxwell's reader makes it (1900 + the stored 0).
//   Control characters in strings are escaped \u001f (Jackson writes \u001F); JSON readers see the same.
// Not rendered (kUnsupported): MySQL PARTIAL_JSON diffs (set binlog_row_value_options=''), VECTOR (Maxwell
// has no such type), character sets other than utf8mb3/utf8mb4/latin1/ascii/ucs2/utf16/utf16le/utf32.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mzl/codec/row_image.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// What the rows of one transaction share. The caller keeps one from the transaction's first rows event to its
// last; the XID comes from the XID event at the transaction's end, so a caller renders a transaction once it
// has read that far (Maxwell buffers the transaction the same way).
struct MaxwellTransaction {
  std::optional<uint64_t> xid;  // absent for a transaction that ends with a COMMIT query: no "xid" key
  bool output_xoffset = false;  // Maxwell's --output_xoffset (off by default)
  uint64_t xoffset = 0;         // rows rendered so far in the transaction; append_maxwell_rows advances it
};

// How a column's string bytes become JSON, from its collation (the TABLE_MAP's optional metadata).
enum class MaxwellText : uint8_t { kNotText, kBase64, kUtf8, kWindows1252, kUtf16Be, kUtf16Le, kUtf32Be };

// What rendering a table's rows takes from its TABLE_MAP, worked out once per map. `decode.columns` point
// into the map, which must outlive the plan.
struct MaxwellTablePlan {
  RowDecodePlan decode;
  std::string head;               // {"database":"..","table":".."
  std::vector<std::string> keys;  // per column: "\"name\":"
  std::vector<MaxwellText> texts;
};

// kInvalidArgument when the map lacks what Maxwell's format needs: every column's name (the server logs names
// only with binlog_row_metadata=FULL; the caller fills them in from a schema history otherwise), UNSIGNED for
// each integer column, the collation of each string column, the names of each ENUM and SET; kUnsupported for
// a string column in a character set not listed above. The message names the column.
Result<MaxwellTablePlan> maxwell_table_plan(const TableMapEvent& table);

// Appends one line ("\n"-terminated) per row of `rows`, decoded with `table` (its map) and `plan`
// (maxwell_table_plan(table)); `timestamp` is the rows event's header timestamp. The last row gets
// "commit":true when `last_rows_event_of_transaction`. Errors: decode_row_changes's, and kUnsupported for
// the values above; `out` is then as it was and `tx` unchanged.
Status append_maxwell_rows(std::string& out, const RowsEvent& rows, const TableMapEvent& table,
                           const MaxwellTablePlan& plan, uint32_t timestamp,
                           bool last_rows_event_of_transaction, MaxwellTransaction& tx);
// The same with the plan worked out for this call.
Status append_maxwell_rows(std::string& out, const RowsEvent& rows, const TableMapEvent& table,
                           uint32_t timestamp, bool last_rows_event_of_transaction, MaxwellTransaction& tx);

// The pieces, for tests: a double as Java's Double.toString (Float.toString when `single`) writes it, and a
// DECIMAL's text ("-0.00000012") as Java's BigDecimal.toString writes it ("-1.2E-7").
std::string java_float_text(double value, bool single);
std::string java_decimal_text(const std::string& decimal_text);
// How Maxwell decodes a string column of the collation (MySQL and MariaDB collation ids); nullopt for a
// character set it is not written for here.
std::optional<MaxwellText> maxwell_text_of_collation(uint32_t collation);

}  // namespace mzl::codec
