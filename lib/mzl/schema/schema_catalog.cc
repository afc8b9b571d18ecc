#include "mzl/schema/schema_catalog.h"

#include <fmt/format.h>

#include "mzl/net/sql_text.h"
#include "mzl/util/parse_number.h"

namespace mzl::schema {

namespace {

constexpr const char* kColumnsQuery =
    "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, co.ID "
    "FROM information_schema.COLUMNS c JOIN information_schema.TABLES t "
    "ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
    "LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME "
    "WHERE t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE') AND {} "
    "ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION";

bool is_system_schema(std::string_view name) {
  return name == "information_schema" || name == "performance_schema" || name == "sys";
}

// Adds the rows of kColumnsQuery to `tables` keyed by (schema, table).
Status collect_columns(net::ServerConnection& connection, const std::string& where,
                       std::map<std::pair<std::string, std::string>, TableDefinition>& tables) {
  MZL_TRY(auto rows, connection.query(fmt::format(kColumnsQuery, where)));
  for (const auto& row : rows) {
    if (row.size() < 6 || !row[0] || !row[1] || !row[2]) continue;
    TableDefinition& table = tables[{*row[0], *row[1]}];
    table.database = *row[0];
    table.table = *row[1];
    ColumnDefinition column;
    column.name = *row[2];
    column.data_type = row[3].value_or("");
    column.column_type = row[4].value_or("");
    if (row[5]) {
      MZL_TRY(uint64_t id, parse_uint(*row[5], "information_schema.COLLATIONS.ID", UINT32_MAX));
      column.collation_id = static_cast<uint32_t>(id);
    }
    table.columns.push_back(std::move(column));
  }
  return ok_status();
}

}  // namespace

Result<std::map<std::string, TableDefinition>> read_tables(net::ServerConnection& connection,
                                                           const std::string& schema) {
  std::map<std::pair<std::string, std::string>, TableDefinition> tables;
  MZL_CHECK(collect_columns(connection, "c.TABLE_SCHEMA = " + net::quote_string(schema), tables));
  std::map<std::string, TableDefinition> out;
  for (auto& [key, table] : tables) out.emplace(key.second, std::move(table));
  return out;
}

Result<std::string> show_create_table(net::ServerConnection& connection, const std::string& schema,
                                      const std::string& table) {
  MZL_TRY(auto rows, connection.query(fmt::format("SHOW CREATE TABLE {}.{}", net::quote_identifier(schema),
                                                  net::quote_identifier(table))));
  if (rows.size() != 1 || rows[0].size() < 2 || !rows[0][1]) {
    return Error(ErrorCode::kServer, "SHOW CREATE TABLE returned no statement")
        .at_r(fmt::format("`{}`.`{}` on {}", schema, table, connection.server_name()));
  }
  return *rows[0][1];
}

Result<std::string> database_collation(net::ServerConnection& connection, const std::string& schema) {
  MZL_TRY(auto rows, connection.query("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                                      "WHERE SCHEMA_NAME = " +
                                      net::quote_string(schema)));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return std::string();
  return *rows[0][0];
}

Result<std::vector<HistoryEntry>> read_seed(net::ServerConnection& connection,
                                            const std::string& exclude_prefix) {
  std::vector<HistoryEntry> entries;
  MZL_TRY(auto schemata,
          connection.query("SELECT SCHEMA_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                           "ORDER BY SCHEMA_NAME"));
  std::string in_list;
  for (const auto& row : schemata) {
    if (row.empty() || !row[0] || is_system_schema(*row[0]) || row[0]->starts_with(exclude_prefix)) continue;
    HistoryEntry entry;
    entry.database = *row[0];
    entry.collation = row.size() > 1 ? row[1].value_or("") : "";
    entries.push_back(std::move(entry));
    in_list += (in_list.empty() ? "" : ", ") + net::quote_string(*row[0]);
  }
  if (in_list.empty()) return entries;
  std::map<std::pair<std::string, std::string>, TableDefinition> tables;
  MZL_CHECK(collect_columns(connection, "c.TABLE_SCHEMA IN (" + in_list + ")", tables));
  for (auto& [key, table] : tables) {
    MZL_TRY(table.create_statement, show_create_table(connection, key.first, key.second));
    HistoryEntry entry;
    entry.database = key.first;
    entry.table = key.second;
    entry.definition = std::move(table);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace mzl::schema
