#pragma once
// What mzl-snapshot dumps: the base tables to copy (with the column lists that make every value round-trip
// through LOAD DATA's text format, see row_text.h) and the schema objects, in restore order,
// read from information_schema and the server's SHOW CREATE statements.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/net/sql_text.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

// One dumped column. Most columns are SELECTed and loaded by name. Checked against MariaDB 10.11 by
// tests/integration/snapshot_catalog_test.cc (every column type, SET NAMES binary out, LOAD DATA ...
// CHARACTER SET binary in): FLOAT prints only 6 significant digits, so it is SELECTed as CAST(c AS DOUBLE);
// INET6, UUID and INET4 print as text but read a binary string as their binary form, so they are SELECTed as
// CAST(c AS BINARY(16|4)). Everything else loads back exactly from its plain text: DOUBLE (shortest
// round-trip digits), DECIMAL, BIT and GEOMETRY (raw bytes; geometry keeps its SRID this way, ST_AsBinary
// would lose it), temporal fractions, JSON, every character set. A column whose text needed conversion on
// load would get load_target "@mzl_<N>" and a set_clause; no MariaDB type needs that today.
struct ColumnInfo {
  std::string name;
  std::string data_type;    // information_schema.COLUMNS.DATA_TYPE, e.g. "bigint", "bit", "point"
  std::string column_type;  // COLUMN_TYPE, e.g. "bigint(20) unsigned", "bit(13)"
  std::string select_expr;  // what the dump SELECTs, usually quote_identifier(name)
  std::string load_target;  // what LOAD DATA's column list names: quote_identifier(name) or "@mzl_<N>"
  std::string set_clause;   // "" or e.g. "`c`=CAST(@mzl_3 AS UNSIGNED)"
};

// A base table, a SYSTEM VERSIONED table (its current rows only: history is not dumped, and the loaded rows
// start their history at the restore) or a SEQUENCE (one row, which LOAD DATA sets).
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

// Which tables to dump: the one table filter (util/table_filter.h, man/mzl.7 "Table filters"). With
// `tables`, views are dumped only when `tables` names them. The system schemas mysql, information_schema,
// performance_schema and sys are never dumped as data (users and grants come from
// read_schema_objects(include_users)).
using CatalogFilter = TableFilter;

// Fills select_expr, load_target and set_clause of a column whose name, data_type and column_type are set;
// `index` (1-based position among the dumped columns) would number its user variable (@mzl_<index>).
void plan_column_transfer(ColumnInfo& column, size_t index);
// Joins the columns' plans into select_list / load_columns / load_set.
void finish_table_plan(TableInfo& table);

// The databases the filter selects that exist on the server (sorted by name). A database named explicitly in
// `databases` that does not exist is kNotFound.
Result<std::vector<std::string>> list_databases(net::ServerConnection& server, const CatalogFilter& filter);

// The base tables the filter selects (views are schema objects), sorted by database and name. A table named
// explicitly (no wildcard) in `tables` that does not exist is kNotFound. Errors from the server are kServer.
Result<std::vector<TableInfo>> list_tables(net::ServerConnection& server, const CatalogFilter& filter);

// The schema objects in restore order: databases (SHOW CREATE DATABASE; `databases` and those of `tables`),
// `tables` (SHOW CREATE TABLE, with load_columns/load_set; a SEQUENCE prints as CREATE TABLE ... SEQUENCE=1),
// views (SHOW CREATE VIEW, each after the views it reads), procedures and functions (with their sql_mode and
// character sets), triggers of `tables` (in firing order), events, and with include_users every account
// except the server's own system accounts (root, mariadb.sys, mysql @localhost, MySQL's mysql.*) as kind
// "user" (SHOW CREATE USER, or CREATE ROLE for a role) followed by one "grant" object per statement of
// SHOW GRANTS FOR (name = the quoted account, e.g. "`app`@`%`"); an account row the server ignores (a host
// name under --skip-name-resolve, where SHOW CREATE USER finds no such user) is skipped. Views, routines and
// events are those of `databases`; `filter.exclude` patterns "db.name" also exclude them and triggers.
//
// The statements of views, routines, triggers and events do not always name their database: run each with
// `database` as the default database (USE), and with its sql_mode and character sets when they are set.
// Errors: kServer from the server; kAuth when a routine/trigger/event definition is hidden from the account.
Result<std::vector<SchemaObject>> read_schema_objects(net::ServerConnection& server,
                                                      const std::vector<std::string>& databases,
                                                      const std::vector<TableInfo>& tables,
                                                      bool include_users, const CatalogFilter& filter = {});

}  // namespace mzl::snapshot
