#include "mzl/snapshot/catalog.h"

namespace mzl::snapshot {

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string qualified_name(std::string_view database, std::string_view table) {
  return quote_identifier(database) + "." + quote_identifier(table);
}

std::string quote_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

bool wildcard_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_system_schema(std::string_view database) {
  return database == "mysql" || database == "information_schema" || database == "performance_schema" ||
         database == "sys";
}

void plan_column_transfer(ColumnInfo& column, size_t /*index*/) {
  column.select_expr = quote_identifier(column.name);
  column.load_target = quote_identifier(column.name);
  column.set_clause.clear();
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

Result<std::vector<std::string>> list_databases(net::ServerConnection&, const CatalogFilter&) {
  return Error(ErrorCode::kInternal, "list_databases: not implemented yet");
}

Result<std::vector<TableInfo>> list_tables(net::ServerConnection&, const CatalogFilter&) {
  return Error(ErrorCode::kInternal, "list_tables: not implemented yet");
}

Result<std::vector<SchemaObject>> read_schema_objects(net::ServerConnection&, const std::vector<std::string>&,
                                                      const std::vector<TableInfo>&, bool) {
  return Error(ErrorCode::kInternal, "read_schema_objects: not implemented yet");
}

}  // namespace mzl::snapshot
