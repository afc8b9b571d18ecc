#pragma once
// Row images of rows events, decoded into typed values with the table's TABLE_MAP.
// Format: MySQL sql/rpl_record.cc pack_row (null bits, one per column in the image, LSB first, then the
// non-NULL values; PARTIAL_UPDATE_ROWS after images start with value_options (packed) and, when its
// PARTIAL_JSON bit is set, one partial bit per JSON column of the table).
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Rows__event.html
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mzl/codec/column_value.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// One image: entry i is column i's value; columns absent from the image are std::nullopt, SQL NULL is
// NullValue.
using Row = std::vector<std::optional<ColumnValue>>;

// One changed row: WRITE has `after`, DELETE has `before`, UPDATE / PARTIAL_UPDATE have both. In a
// PARTIAL_UPDATE_ROWS after image a JSON column written as a diff holds a JsonDiffValue.
struct RowChange {
  std::optional<Row> before;
  std::optional<Row> after;
  bool operator==(const RowChange&) const = default;
};

// The per-column facts decode_column_value needs, from the TABLE_MAP's types, metadata and optional
// metadata (signedness, charsets, enum/set names). The enum/set name pointers point into `table`, which must
// outlive the result.
std::vector<ColumnInfo> column_infos(const TableMapEvent& table);

// What decoding the rows events of one table needs from its TABLE_MAP, worked out once per map rather than
// per rows event. `columns` point into the table map (see column_infos), which must outlive the plan.
struct RowDecodePlan {
  std::vector<ColumnInfo> columns;  // column_infos(table)
  size_t json_columns = 0;  // JSON columns of the table (PARTIAL_UPDATE's partial bitmap has one bit each)
  std::string where;        // "`db`.`table`", where errors point
};
RowDecodePlan row_decode_plan(const TableMapEvent& table);

// What both row decoders check before the first row: kUnsupported for pre-GA rows events (types 20-22,
// whose row format differs); kCorrupt when the rows event names another table id than the map or has more
// columns than it. `where` names the table in the error.
Status check_rows_match_table(const RowsEvent& rows, const TableMapEvent& table, const std::string& where);

// Decodes every row of the event. kCorrupt when an image is cut short, the rows event has more columns than
// the table map or its table id differs, or a row takes no bytes (no column in its image); kUnsupported for a
// column type we cannot read (the message names the type and the column) and for pre-GA rows events (types
// 20-22, whose row format differs).
// Where each row's images lie in RowsEvent::rows: [begin, end) byte offsets; an absent image is {0, 0}. For
// an UPDATE the after image starts where the before image ends; PARTIAL_UPDATE's value_options and partial
// bitmap belong to its after image.
struct RowImageSpans {
  std::pair<size_t, size_t> before{0, 0};
  std::pair<size_t, size_t> after{0, 0};
};

// With `spans`, also where each row's images lie (one entry per returned RowChange).
Result<std::vector<RowChange>> decode_row_changes(const RowsEvent& rows, const TableMapEvent& table,
                                                  std::vector<RowImageSpans>* spans = nullptr);
// The same with the table's plan (row_decode_plan(table)) already worked out.
Result<std::vector<RowChange>> decode_row_changes(const RowsEvent& rows, const TableMapEvent& table,
                                                  const RowDecodePlan& plan,
                                                  std::vector<RowImageSpans>* spans = nullptr);

}  // namespace mzl::codec
