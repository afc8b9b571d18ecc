#include "mzl/snapshot/table_info.h"

#include <fmt/format.h>

#include "mzl/net/sql_text.h"

namespace mzl::snapshot {

using net::quote_identifier;

void plan_column_transfer(ColumnInfo& column, size_t /*index*/) {
  const std::string quoted = quote_identifier(column.name);
  column.select_expr = quoted;
  column.load_target = quoted;
  column.set_clause.clear();
  const std::string& type = column.data_type;
  if (type == "float") {
    // The text protocol prints FLOAT with 6 significant digits (3.40282e38); as DOUBLE it prints the
    // shortest decimal that reads back as the same double, which is exactly the float's value.
    column.select_expr = fmt::format("CAST({} AS DOUBLE)", quoted);
  } else if (type == "inet6" || type == "uuid" || type == "inet4") {
    // These print as text but take a binary-charset string (CHARACTER SET binary) as their binary form.
    column.select_expr = fmt::format("CAST({} AS BINARY({}))", quoted, type == "inet4" ? 4 : 16);
  }
}

void finish_table_plan(TableInfo& table) {
  table.select_list.clear();
  table.load_columns.clear();
  table.load_set.clear();
  for (const auto& c : table.columns) {
    if (!table.select_list.empty()) table.select_list += ',';
    table.select_list += c.select_expr;
    if (!table.load_columns.empty()) table.load_columns += ',';
    table.load_columns += c.load_target;
    if (c.set_clause.empty()) continue;
    if (!table.load_set.empty()) table.load_set += ',';
    table.load_set += c.set_clause;
  }
}

}  // namespace mzl::snapshot
