// Fuzzes typed row-image decoding (decode_row_changes) and value rendering (append_json) with table
// definitions made from the input: byte 0 picks the rows event kind and column count (1-16), then one type
// byte and two metadata bytes per column, then the row image bytes. Every column is nullable and present in
// the image. Properties: no crash or sanitizer report; a failure is an Error value; the streaming decoder
// (stream_row_changes) gives the same rows, or the same error, as decode_row_changes (else abort).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../codec/row_change_collector.h"
#include "mzl/codec/column_value.h"
#include "mzl/codec/column_value_render.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/row_image.h"

using namespace mzl;
using namespace mzl::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr EventType kKinds[] = {EventType::kWriteRowsV2, EventType::kUpdateRowsV2,
                                         EventType::kDeleteRowsV2, EventType::kPartialUpdateRows,
                                         EventType::kWriteRowsV1};
  const EventType kind = kKinds[(data[0] >> 4) % std::size(kKinds)];
  const size_t columns = (data[0] & 0x0F) + 1;
  if (size < 1 + columns * 3) return 0;

  TableMapEvent table;
  table.table_id = 1;
  table.database = "db";
  table.table = "t";
  for (size_t i = 0; i < columns; ++i) {
    table.column_types.push_back(data[1 + i * 3]);
    table.column_metadata.push_back(static_cast<uint16_t>(data[2 + i * 3] << 8 | data[3 + i * 3]));
  }
  table.null_bitmap.assign((columns + 7) / 8, 0xFF);

  RowsEvent rows;
  rows.type_code = code(kind);
  rows.table_id = 1;
  rows.column_count = columns;
  rows.columns_before.assign((columns + 7) / 8, 0xFF);
  if (rows.has_after_bitmap()) rows.columns_after.assign((columns + 7) / 8, 0xFF);
  rows.rows.assign(data + 1 + columns * 3, data + size);

  auto changes = decode_row_changes(rows, table);
  test::RowChangeCollector streamed(columns);
  const Status status = stream_row_changes(rows, table, row_decode_plan(table), streamed);
  if (status.ok() != changes.ok()) std::abort();
  if (!changes.ok()) {
    const Error& a = changes.error();
    const Error& b = status.error();
    if (a.code != b.code || a.message != b.message || a.where != b.where) std::abort();
    return 0;
  }
  if (streamed.changes != *changes) std::abort();
  std::string out;
  for (const auto& change : *changes) {
    for (const auto* image : {&change.before, &change.after}) {
      if (!*image) continue;
      for (const auto& value : **image) {
        if (value) append_json(*value, out);
      }
    }
  }
  return 0;
}
