#pragma once
// What mzl-snapshot dumps: the base tables to copy (with the column lists that make every value round-trip
// through LOAD DATA's text format, see snapshot.md and row_text.h) and the schema objects, in restore order,
// read from information_schema and the server's SHOW CREATE statements.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

// One dumped column. Most columns are SELECTed and loaded by name; a type whose text form does not load back
// exactly (see column_needs_transform()) is SELECTed through an expression and loaded into a user variable
// that a SET clause converts.
struct ColumnInfo {
  std::string name;
  std::string data_type;    // information_schema.COLUMNS.DATA_TYPE, e.g. "bigint", "bit", "point"
  std::string column_type;  // COLUMN_TYPE, e.g. "bigint(20) unsigned", "bit(13)"
  std::string select_expr;  // what the dump SELECTs, usually quote_identifier(name)
  std::string load_target;  // what LOAD DATA's column list names: quote_identifier(name) or "@mzl_<N>"
  std::string set_clause;   // "" or e.g. "`c`=CAST(@mzl_3 AS UNSIGNED)"
};

struct TableInfo {
  std::string database;
  std::string name;
  std::string engine;         // "InnoDB", "Aria", "MyISAM", ...
  bool transactional = true;  // covered by a consistent snapshot (InnoDB and other transactional engines)
  std::vector<ColumnInfo> columns;       // the dumped ones, in ordinal order: generated columns skipped,
                                         // invisible ones included
  std::vector<std::string> key_columns;  // PRIMARY KEY, else the first UNIQUE key whose columns are NOT NULL;
                                         // empty when there is neither
  bool first_key_column_is_integer = false;
  uint64_t estimated_rows = 0;  // information_schema.TABLES.TABLE_ROWS (an estimate for InnoDB)
  uint64_t data_bytes = 0;      // DATA_LENGTH
  std::string select_list;      // the columns' select_expr joined with ","
  std::string load_columns;     // the columns' load_target joined with "," (TableEntry::load_columns)
  std::string load_set;         // the non-empty set_clauses joined with "," (TableEntry::load_set)
};

// Which tables to dump. Empty `databases` and `tables` mean every database. `tables` entries are "db.table";
// `exclude` entries are "db" or "db.table"; all three accept the shell wildcards * and ? (matched against
// the whole name; a "." in a pattern separates database from table). The system schemas mysql,
// information_schema, performance_schema and sys are never dumped as data (users and grants come from
// read_schema_objects(include_users)).
struct CatalogFilter {
  std::vector<std::string> databases;
  std::vector<std::string> tables;
  std::vector<std::string> exclude;
};

// `name` quoted with backticks, any backtick doubled: a`b -> `a``b`.
std::string quote_identifier(std::string_view name);
// `db`.`table`
std::string qualified_name(std::string_view database, std::string_view table);
// A string literal for SQL: 'it''s' with backslashes doubled (works whatever NO_BACKSLASH_ESCAPES says).
std::string quote_string(std::string_view text);
// Shell wildcard match (* any run of bytes, ? one byte), whole string.
bool wildcard_match(std::string_view pattern, std::string_view text);
bool is_system_schema(std::string_view database);

// Fills select_expr, load_target and set_clause of a column whose name, data_type and column_type are set;
// `index` numbers the user variable (@mzl_<index>).
void plan_column_transfer(ColumnInfo& column, size_t index);
// Joins the columns' plans into select_list / load_columns / load_set.
void finish_table_plan(TableInfo& table);

// The databases the filter selects that exist on the server (sorted by name). A database named explicitly in
// `databases` that does not exist is kNotFound.
Result<std::vector<std::string>> list_databases(net::ServerConnection& server, const CatalogFilter& filter);

// The base tables the filter selects (views are schema objects), sorted by database and name. A table named
// explicitly (no wildcard) in `tables` that does not exist is kNotFound. Errors from the server are kServer.
Result<std::vector<TableInfo>> list_tables(net::ServerConnection& server, const CatalogFilter& filter);

// The schema objects in restore order: databases (SHOW CREATE DATABASE), `tables` (SHOW CREATE TABLE, with
// load_columns/load_set), views (SHOW CREATE VIEW, ordered so a view comes after the views it reads),
// procedures and functions (with their sql_mode and character sets), triggers, events, and with
// include_users every account except the server's own system accounts (root@localhost, mariadb.sys, ...)
// as kind "user" (SHOW CREATE USER) and "grant" (SHOW GRANTS FOR; one object per account holding the GRANT
// statements joined by ";\n"). Views, routines, triggers and events are those of `databases`.
Result<std::vector<SchemaObject>> read_schema_objects(net::ServerConnection& server,
                                                      const std::vector<std::string>& databases,
                                                      const std::vector<TableInfo>& tables,
                                                      bool include_users);

}  // namespace mzl::snapshot
