#pragma once
// Writing a decoded column value (column_value.h) out as text: JSON for --output json and the change lines,
// and the literal mysqlbinlog -v prints. Decoding the row image into the value is column_value.h's part.
#include <string>

#include "mzl/codec/column_value.h"

namespace mzl::codec {

// Renders the value as JSON for --output json: integers and floats as numbers (unsigned when known),
// decimals as strings, text as UTF-8 strings when valid else {"base64":"..."}, DATE "YYYY-MM-DD", TIME
// "[-]hh:mm:ss[.f]", DATETIME "YYYY-MM-DD hh:mm:ss[.f]" (as stored, no zone), TIMESTAMP in UTC as
// "YYYY-MM-DDThh:mm:ss[.f]Z" (the zero timestamp as "0000-00-00 00:00:00"), with as many fraction digits as
// the column's precision; YEAR and BIT (up to 64 bits) as numbers; JSON as the JSON value itself, partial
// JSON as [{"op":..,"path":..,"value":..}]; enum/set as their names when known else the index/bitmask;
// geometry as {"srid":..,"wkb":"<base64>"}; NaN/infinite floats as strings.
void append_json(const ColumnValue& value, std::string& out);

// The pieces of append_json for the values the row streamer (row_image_stream.h) hands over as views: an
// integer, and bytes as a UTF-8 string when valid else {"base64":"..."}.
void append_json_int(std::string& out, const IntValue& value);
void append_json_bytes(std::string& out, Bytes bytes);

// The value as text the way the servers' tools print it (mysqlbinlog -v): used for human output and tests.
std::string to_display_string(const ColumnValue& value);

}  // namespace mzl::codec
