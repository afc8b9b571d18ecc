#include "mzl/schema/table_definition.h"

#include <fmt/format.h>

#include <initializer_list>

#include "mzl/codec/column_type.h"
#include "mzl/util/json.h"

namespace mzl::schema {

namespace {

using codec::ColumnType;

bool one_of(uint8_t type, std::initializer_list<ColumnType> types) {
  for (ColumnType t : types)
    if (codec::code(t) == type) return true;
  return false;
}

// Whether a column of this information_schema DATA_TYPE is logged with this binlog type (real type: ENUM
// and SET resolved from a STRING's metadata). A DATA_TYPE not listed here is accepted (a type of a newer
// server): the column count still has to match.
bool type_fits(std::string_view data_type, uint8_t real_type) {
  if (data_type == "tinyint") return one_of(real_type, {ColumnType::kTiny});
  if (data_type == "smallint") return one_of(real_type, {ColumnType::kShort});
  if (data_type == "mediumint") return one_of(real_type, {ColumnType::kInt24});
  if (data_type == "int" || data_type == "integer") return one_of(real_type, {ColumnType::kLong});
  if (data_type == "bigint") return one_of(real_type, {ColumnType::kLongLong});
  if (data_type == "float") return one_of(real_type, {ColumnType::kFloat});
  if (data_type == "double" || data_type == "real") return one_of(real_type, {ColumnType::kDouble});
  if (data_type == "decimal" || data_type == "numeric")
    return one_of(real_type, {ColumnType::kNewDecimal, ColumnType::kDecimal});
  if (data_type == "date") return one_of(real_type, {ColumnType::kDate, ColumnType::kNewDate});
  if (data_type == "time") return one_of(real_type, {ColumnType::kTime, ColumnType::kTime2});
  if (data_type == "datetime") return one_of(real_type, {ColumnType::kDateTime, ColumnType::kDateTime2});
  if (data_type == "timestamp") return one_of(real_type, {ColumnType::kTimestamp, ColumnType::kTimestamp2});
  if (data_type == "year") return one_of(real_type, {ColumnType::kYear});
  if (data_type == "bit") return one_of(real_type, {ColumnType::kBit});
  if (data_type == "enum") return one_of(real_type, {ColumnType::kEnum});
  if (data_type == "set") return one_of(real_type, {ColumnType::kSet});
  if (data_type == "char" || data_type == "binary")
    return one_of(real_type, {ColumnType::kString, ColumnType::kVarString});
  if (data_type == "varchar" || data_type == "varbinary")
    return one_of(real_type,
                  {ColumnType::kVarchar, ColumnType::kVarString, ColumnType::kMariaVarcharCompressed});
  if (data_type.ends_with("text") || data_type.ends_with("blob"))
    return one_of(real_type, {ColumnType::kBlob, ColumnType::kTinyBlob, ColumnType::kMediumBlob,
                              ColumnType::kLongBlob, ColumnType::kMariaBlobCompressed});
  if (data_type == "json")  // MySQL's binary JSON; MariaDB's JSON is LONGTEXT
    return one_of(real_type, {ColumnType::kJson, ColumnType::kBlob});
  if (data_type == "geometry" || data_type == "point" || data_type == "linestring" ||
      data_type == "polygon" || data_type.starts_with("multi") || data_type == "geometrycollection" ||
      data_type == "geomcollection")
    return one_of(real_type, {ColumnType::kGeometry});
  return true;
}

bool is_unsigned(std::string_view column_type) {
  return column_type.find(" unsigned") != std::string_view::npos;
}

}  // namespace

std::vector<std::string> enum_or_set_members(std::string_view column_type) {
  std::vector<std::string> members;
  size_t i = column_type.find('(');
  if (i == std::string_view::npos) return members;
  while (++i < column_type.size()) {
    if (column_type[i] != '\'') break;  // after '(' or ',' comes a quoted member, else the list ended
    std::string member;
    while (++i < column_type.size()) {
      if (column_type[i] == '\'') {
        if (i + 1 < column_type.size() && column_type[i + 1] == '\'') {
          member += '\'';
          ++i;
          continue;
        }
        break;
      }
      member += column_type[i];
    }
    members.push_back(std::move(member));
    ++i;  // past the closing quote: now at ',' or ')'
    if (i >= column_type.size() || column_type[i] != ',') break;
  }
  return members;
}

Result<std::shared_ptr<const codec::TableMapEvent>> with_definition(const codec::TableMapEvent& table,
                                                                    const TableDefinition& definition) {
  const std::string where = fmt::format("`{}`.`{}`", table.database, table.table);
  if (definition.columns.size() != table.column_count()) {
    return Error(
               ErrorCode::kCorrupt,
               fmt::format("the schema history's definition has {} columns, the row events {}: the "
                           "history does not describe this table at this position (a DDL it did not follow?)",
                           definition.columns.size(), table.column_count()))
        .at_r(where);
  }
  auto out = std::make_shared<codec::TableMapEvent>(table);
  codec::TableMapOptionalMetadata& opt = out->optional;
  const bool mariadb = table.flavour == codec::Flavour::kMariaDB;
  const bool names = opt.column_names.empty(), signedness = opt.signedness.empty(),
             charsets = !opt.default_charset && opt.column_charsets.empty(),
             enum_set_charsets = !opt.enum_set_default_charset && opt.enum_set_column_charsets.empty(),
             enum_names = opt.enum_values.empty(), set_names = opt.set_values.empty();
  for (size_t i = 0; i < definition.columns.size(); ++i) {
    const ColumnDefinition& column = definition.columns[i];
    const uint8_t type = table.column_types[i];
    const uint8_t real_type =
        codec::real_column_type(type, i < table.column_metadata.size() ? table.column_metadata[i] : 0);
    if (!type_fits(column.data_type, real_type)) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("column {} is `{}` {} in the schema history, but the row events log a {}: the "
                               "history does not describe this table at this position",
                               i + 1, column.name, column.column_type, codec::column_type_name(real_type)))
          .at_r(where);
    }
    if (names) opt.column_names.push_back(column.name);
    const uint32_t charset = column.collation_id.value_or(63);  // 63: binary
    if (codec::is_numeric_type(real_type)) {
      if (signedness) opt.signedness.push_back(is_unsigned(column.column_type));
    } else if (codec::is_character_type(real_type, mariadb)) {
      if (charsets) opt.column_charsets.push_back(charset);
    } else if (codec::is_enum_or_set_type(real_type)) {
      if (enum_set_charsets) opt.enum_set_column_charsets.push_back(charset);
      const bool is_enum = real_type == codec::code(ColumnType::kEnum);
      if (is_enum && enum_names) opt.enum_values.push_back(enum_or_set_members(column.column_type));
      if (!is_enum && set_names) opt.set_values.push_back(enum_or_set_members(column.column_type));
    }
  }
  return std::shared_ptr<const codec::TableMapEvent>(std::move(out));
}

void append_definition_json(std::string& out, const TableDefinition& definition) {
  JsonWriter w(out);
  w.begin_object();
  w.key("columns");
  w.begin_array();
  for (const ColumnDefinition& column : definition.columns) {
    w.begin_object();
    w.field("name", column.name);
    w.field("data_type", column.data_type);
    w.field("column_type", column.column_type);
    if (column.collation_id) w.field("collation_id", uint64_t{*column.collation_id});
    w.end_object();
  }
  w.end_array();
  w.field("create", definition.create_statement);
  w.end_object();
}

Result<TableDefinition> definition_from_json(const JsonObject& object, const std::string& where) {
  TableDefinition definition;
  JsonFields fields(object, where, "schema history");
  MZL_CHECK(fields.get("create", definition.create_statement, true));
  MZL_TRY(const JsonArray* columns, fields.array("columns", true));
  for (size_t i = 0; i < columns->size(); ++i) {
    const JsonObject* column_object = (*columns)[i].as_object();
    if (column_object == nullptr) return fields.wrong("columns", "holds a non-object");
    JsonFields column_fields(*column_object, where, "schema history", fmt::format("columns[{}]", i));
    ColumnDefinition column;
    MZL_CHECK(column_fields.get("name", column.name, true));
    MZL_CHECK(column_fields.get("data_type", column.data_type, true));
    MZL_CHECK(column_fields.get("column_type", column.column_type, true));
    if (column_fields.find("collation_id")) {
      uint32_t id = 0;
      MZL_CHECK(column_fields.get_int("collation_id", id, true));
      column.collation_id = id;
    }
    definition.columns.push_back(std::move(column));
  }
  return definition;
}

}  // namespace mzl::schema
