#pragma once
// Row images decoded value by value into a sink, without building rows: the --output json path renders each
// value as it is read, so a rows event costs no allocation per row or per string. Same format and same
// results as decode_row_changes (row_image.h), which stays for callers that keep the rows (replay,
// flashback); tests and the row-image fuzz target hold the two to each other.
#include <cstddef>

#include "mzl/codec/column_value.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// Receives the rows of one rows event in order: begin_row, then for each image of the row begin_image, one
// call per column present in the image (in column order), end_image; then end_row. Views (Bytes) point into
// the rows event and are valid only during the call.
class RowValueSink {
 public:
  virtual ~RowValueSink() = default;
  virtual void begin_row() = 0;
  virtual void begin_image(bool after) = 0;  // false: the before image
  // An integer column (TINY/SHORT/INT24/LONG/LONGLONG), as decode_column_value would return it.
  virtual void int_value(size_t column, const IntValue& value) = 0;
  // A CHAR/VARCHAR/BINARY/VARBINARY/BLOB/TEXT value: its bytes as logged (the StringValue's bytes).
  virtual void string_value(size_t column, Bytes bytes, const ColumnInfo& info) = 0;
  // Any other value, NULL included, decoded by decode_column_value (JsonDiffValue for partial JSON).
  virtual void value(size_t column, const ColumnValue& value) = 0;
  virtual void end_image() = 0;
  virtual void end_row() = 0;
};

// Decodes the event's rows into `sink`. Errors are decode_row_changes's, for the same input; the sink may
// then have received the rows before the bad one.
Status stream_row_changes(const RowsEvent& rows, const TableMapEvent& table, const RowDecodePlan& plan,
                          RowValueSink& sink);

}  // namespace mzl::codec
