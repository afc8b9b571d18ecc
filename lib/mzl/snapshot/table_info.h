#pragma once
// What mzl-snapshot dumps of a table: its columns, key and size (filled from information_schema by
// catalog.h's list_tables) and the column lists that make every value round-trip through LOAD DATA's text
// format (see row_text.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

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

// Fills select_expr, load_target and set_clause of a column whose name, data_type and column_type are set;
// `index` (1-based position among the dumped columns) would number its user variable (@mzl_<index>).
void plan_column_transfer(ColumnInfo& column, size_t index);
// Joins the columns' plans into select_list / load_columns / load_set.
void finish_table_plan(TableInfo& table);

}  // namespace mzl::snapshot
