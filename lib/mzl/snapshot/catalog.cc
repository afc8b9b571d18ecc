#include "mzl/snapshot/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "mzl/net/sql_text.h"
#include "mzl/snapshot/catalog_query.h"

namespace mzl::snapshot {

using namespace catalog_query;
using net::is_system_schema;
using net::quote_identifier;

namespace {

bool is_integer_type(std::string_view t) {
  return t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bigint";
}

bool table_selected(const CatalogFilter& filter, const std::string& database, const std::string& table) {
  return !is_system_schema(database) && filter.selects_table(database, table);
}

Status fill_columns(net::ServerConnection& server, const std::vector<std::string>& databases,
                    std::map<TableKey, TableInfo*>& by_key) {
  MZL_TRY(auto rows, server.query(fmt::format(
                         "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_GENERATED "
                         "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ({}) "
                         "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
                         string_list(databases))));
  for (const auto& row : rows) {
    auto it = by_key.find({text(row, 0), text(row, 1)});
    if (it == by_key.end()) continue;
    if (text(row, 5) == "ALWAYS") continue;  // VIRTUAL / STORED / PERSISTENT generated: computed on load
    ColumnInfo column;
    column.name = text(row, 2);
    column.data_type = text(row, 3);
    column.column_type = text(row, 4);
    it->second->columns.push_back(std::move(column));
  }
  return ok_status();
}

Status fill_keys(net::ServerConnection& server, const std::vector<std::string>& databases,
                 std::map<TableKey, TableInfo*>& by_key) {
  // information_schema.STATISTICS lists a table's keys in the table's key order, PRIMARY first.
  MZL_TRY(auto rows,
          server.query(fmt::format("SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, "
                                   "NULLABLE FROM information_schema.STATISTICS WHERE NON_UNIQUE = 0 AND "
                                   "TABLE_SCHEMA IN ({})",
                                   string_list(databases))));
  struct Key {
    std::vector<std::pair<uint64_t, std::string>> columns;
    bool nullable = false;
    size_t first_seen = 0;
  };
  std::map<TableKey, std::map<std::string, Key>> keys;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    TableKey table{text(row, 0), text(row, 1)};
    if (!by_key.count(table)) continue;
    auto [it, inserted] = keys[table].try_emplace(text(row, 2));
    if (inserted) it->second.first_seen = i;
    MZL_TRY(uint64_t ordinal, number(row, 3, "information_schema.STATISTICS.SEQ_IN_INDEX"));
    it->second.columns.emplace_back(ordinal, text(row, 4));
    if (text(row, 5) == "YES") it->second.nullable = true;
  }
  for (auto& [table, table_keys] : keys) {
    const Key* chosen = nullptr;
    if (auto primary = table_keys.find("PRIMARY"); primary != table_keys.end()) {
      chosen = &primary->second;
    } else {
      for (const auto& [name, key] : table_keys) {
        if (!key.nullable && (chosen == nullptr || key.first_seen < chosen->first_seen)) chosen = &key;
      }
    }
    if (chosen == nullptr) continue;
    auto columns = chosen->columns;
    std::sort(columns.begin(), columns.end());
    TableInfo& info = *by_key[table];
    for (auto& c : columns) info.key_columns.push_back(std::move(c.second));
  }
  return ok_status();
}

}  // namespace

Result<std::vector<std::string>> list_databases(net::ServerConnection& server, const CatalogFilter& filter) {
  MZL_TRY(auto rows,
          server.query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME"));
  std::set<std::string> existing;
  for (const auto& row : rows) existing.insert(text(row, 0));
  for (const auto& name : filter.databases) {
    if (!has_wildcard(name) && !existing.count(name))
      return Error(ErrorCode::kNotFound, fmt::format("database {} does not exist", quote_identifier(name)))
          .at_r(server.server_name());
  }
  std::vector<std::string> out;
  for (const auto& db : existing) {
    if (is_system_schema(db) || matches_any(filter.exclude, db)) continue;
    if ((filter.databases.empty() || matches_any(filter.databases, db)) &&
        (filter.tables.empty() || filter.database_named_by_tables(db))) {
      out.push_back(db);
    }
  }
  return out;
}

Result<std::vector<TableInfo>> list_tables(net::ServerConnection& server, const CatalogFilter& filter) {
  CatalogSession session(server);
  MZL_CHECK(session.enter());
  MZL_TRY(auto engines, server.query("SELECT ENGINE, TRANSACTIONS FROM information_schema.ENGINES"));
  std::map<std::string, bool> transactional;
  for (const auto& row : engines) transactional[text(row, 0)] = text(row, 1) == "YES";

  // SYSTEM VERSIONED tables are dumped with their current rows; a SEQUENCE is a one-row table that
  // SHOW CREATE TABLE prints as CREATE TABLE ... SEQUENCE=1 and LOAD DATA sets.
  MZL_TRY(auto rows, server.query("SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_ROWS, DATA_LENGTH "
                                  "FROM information_schema.TABLES WHERE TABLE_TYPE IN "
                                  "('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE') AND TABLE_SCHEMA NOT IN "
                                  "('mysql', 'information_schema', 'performance_schema', 'sys') "
                                  "ORDER BY TABLE_SCHEMA, TABLE_NAME"));
  for (const auto& name : filter.tables) {
    if (has_wildcard(name)) continue;
    const bool found = std::any_of(rows.begin(), rows.end(), [&](const net::SqlRow& r) {
      return text(r, 0) + "." + text(r, 1) == name;
    });
    if (!found)
      return Error(ErrorCode::kNotFound,
                   fmt::format("table {} does not exist (or is not a base table)", name))
          .at_r(server.server_name());
  }
  MZL_TRY(auto databases, list_databases(server, filter));
  (void)databases;  // checks that explicitly named databases exist

  std::vector<TableInfo> tables;
  for (const auto& row : rows) {
    if (!table_selected(filter, text(row, 0), text(row, 1))) continue;
    TableInfo t;
    t.database = text(row, 0);
    t.name = text(row, 1);
    t.engine = text(row, 2);
    auto engine = transactional.find(t.engine);
    t.transactional = engine != transactional.end() && engine->second;
    MZL_TRY(t.estimated_rows, number(row, 3, "information_schema.TABLES.TABLE_ROWS"));
    MZL_TRY(t.data_bytes, number(row, 4, "information_schema.TABLES.DATA_LENGTH"));
    tables.push_back(std::move(t));
  }
  if (tables.empty()) {
    MZL_CHECK(session.restore());
    return tables;
  }

  std::map<TableKey, TableInfo*> by_key;
  std::set<std::string> table_databases;
  for (auto& t : tables) {
    by_key[{t.database, t.name}] = &t;
    table_databases.insert(t.database);
  }
  const std::vector<std::string> db_list(table_databases.begin(), table_databases.end());
  MZL_CHECK(fill_columns(server, db_list, by_key));
  MZL_CHECK(fill_keys(server, db_list, by_key));
  for (auto& t : tables) {
    for (size_t i = 0; i < t.columns.size(); ++i) plan_column_transfer(t.columns[i], i + 1);
    finish_table_plan(t);
    if (!t.key_columns.empty()) {
      for (const auto& c : t.columns) {
        if (c.name == t.key_columns[0]) t.first_key_column_is_integer = is_integer_type(c.data_type);
      }
    }
  }
  MZL_CHECK(session.restore());
  return tables;
}

}  // namespace mzl::snapshot
