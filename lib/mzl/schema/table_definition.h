#pragma once
// A table's definition as information_schema describes it (COLUMNS joined with COLLATIONS, plus SHOW CREATE
// TABLE), and what row rendering takes from it: the column names, signedness, charsets and ENUM/SET names
// that a TABLE_MAP carries only when the server logs binlog_row_metadata=FULL (MySQL 8 default MINIMAL,
// MariaDB default NO_LOG). schema_history.h keeps these definitions by position.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mzl/codec/table_map_event.h"
#include "mzl/util/json_reader.h"
#include "mzl/util/result.h"

namespace mzl::schema {

struct ColumnDefinition {
  std::string name;
  std::string data_type;    // information_schema.COLUMNS.DATA_TYPE: "int", "varchar", "enum" ...
  std::string column_type;  // COLUMN_TYPE: "int(10) unsigned", "enum('a','b')" ...
  // The collation's id (information_schema.COLLATIONS.ID) of a character column; none for the others and
  // for binary strings (which row images mark with charset 63, "binary").
  std::optional<uint32_t> collation_id;
  bool operator==(const ColumnDefinition&) const = default;
};

struct TableDefinition {
  std::string database;
  std::string table;
  std::vector<ColumnDefinition> columns;
  std::string create_statement;  // SHOW CREATE TABLE, to build the table again in a scratch schema
  bool operator==(const TableDefinition&) const = default;
};

// The ENUM or SET member names of a COLUMN_TYPE such as "enum('a','it''s')" (quotes doubled inside).
std::vector<std::string> enum_or_set_members(std::string_view column_type);

// A copy of `table` with the optional metadata that the definition supplies (names, signedness, charsets,
// ENUM/SET names) where the server did not log it. kCorrupt when the definition cannot describe the row
// images: another column count, or a column whose binlog type does not fit its DATA_TYPE (the definition is
// not the table's at this position); the message names the table and the column.
Result<std::shared_ptr<const codec::TableMapEvent>> with_definition(const codec::TableMapEvent& table,
                                                                    const TableDefinition& definition);

// JSON form in the schema history file: {"columns":[{"name":..,"data_type":..,"column_type":..,
// "collation_id":..},...],"create":..}.
void append_definition_json(std::string& out, const TableDefinition& definition);
Result<TableDefinition> definition_from_json(const JsonObject& object, const std::string& where);

}  // namespace mzl::schema
