#include "mzl/replay/write_set.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "mzl/codec/column_value.h"
#include "mzl/codec/column_value_render.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/rows_event.h"
#include "mzl/net/sql_text.h"
#include "mzl/util/parse_number.h"

namespace mzl::replay {
namespace {

// Values whose bytes decide equality under every collation and type rule: their text is a key.
bool exact_value(const codec::ColumnValue& value) {
  return std::holds_alternative<codec::IntValue>(value) ||
         std::holds_alternative<codec::DecimalValue>(value) ||
         std::holds_alternative<codec::DateValue>(value) || std::holds_alternative<codec::TimeValue>(value) ||
         std::holds_alternative<codec::DateTimeValue>(value) ||
         std::holds_alternative<codec::TimestampValue>(value) ||
         std::holds_alternative<codec::YearValue>(value) || std::holds_alternative<codec::BitValue>(value) ||
         std::holds_alternative<codec::NullValue>(value);
}

uint64_t hash_text(const std::string& text) {
  return std::hash<std::string>{}(text);
}

}  // namespace

Result<const WriteSetBuilder::TableKeys*> WriteSetBuilder::table_keys(const std::string& database,
                                                                      const std::string& table) {
  auto found = tables_.find({database, table});
  if (found != tables_.end()) return &found->second;
  TableKeys keys;
  MZL_TRY(
      auto indexes,
      catalog_.query(fmt::format(
          "SELECT s.INDEX_NAME, c.ORDINAL_POSITION FROM information_schema.STATISTICS s "
          "JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = "
          "s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME WHERE s.TABLE_SCHEMA = {} AND s.TABLE_NAME = {} "
          "AND s.NON_UNIQUE = 0 ORDER BY s.INDEX_NAME, s.SEQ_IN_INDEX",
          net::quote_string(database), net::quote_string(table))));
  std::string current;
  for (const auto& row : indexes) {
    if (row.size() != 2 || !row[0] || !row[1]) continue;
    if (keys.indexes.empty() || *row[0] != current) keys.indexes.emplace_back();
    current = *row[0];
    auto ordinal = parse_uint(*row[1], "ORDINAL_POSITION", UINT32_MAX);
    if (!ordinal.ok() || *ordinal == 0) {
      return Error(ErrorCode::kServer, fmt::format("ORDINAL_POSITION '{}' of {}.{} is not a column number",
                                                   *row[1], database, table));
    }
    keys.indexes.back().push_back(static_cast<uint32_t>(*ordinal - 1));
  }
  MZL_TRY(
      auto references,
      catalog_.scalar(fmt::format(
          "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE (CONSTRAINT_SCHEMA = {0} "
          "AND TABLE_NAME = {1}) OR (UNIQUE_CONSTRAINT_SCHEMA = {0} AND REFERENCED_TABLE_NAME = {1})",
          net::quote_string(database), net::quote_string(table))));
  const std::string count = references.value_or("0");
  keys.foreign_key = count != "0";
  return &tables_.emplace(std::make_pair(database, table), std::move(keys)).first->second;
}

Result<bool> WriteSetBuilder::add(const codec::RawEvent& raw, const codec::FormatDescription& format) {
  ByteReader body(raw.body);
  if (raw.header.type_code == codec::code(codec::EventType::kTableMap)) {
    auto map = codec::decode_table_map_event(body, format);
    if (!map.ok()) return false;
    MZL_TRY(const TableKeys* keys, table_keys(map->database, map->table));
    if (keys->foreign_key) return false;
    table_maps_[map->table_id] = std::move(*map);
    return true;
  }
  auto rows = codec::decode_rows_event(raw.header.type_code, body, format);
  if (!rows.ok()) return false;
  auto map = table_maps_.find(rows->table_id);
  if (map == table_maps_.end()) return false;
  const codec::TableMapEvent& table = map->second;
  MZL_TRY(const TableKeys* keys, table_keys(table.database, table.table));
  auto changes = codec::decode_row_changes(*rows, table);
  if (!changes.ok()) return false;
  const std::string prefix = table.database + '\0' + table.table + '\0';
  const uint64_t whole_table = hash_text(prefix);
  if (keys->indexes.empty()) keys_.push_back(whole_table);
  for (const codec::RowChange& change : *changes) {
    for (const auto* image : {&change.before, &change.after}) {
      if (!*image) continue;
      for (size_t i = 0; i < keys->indexes.size(); ++i) {
        std::string key = prefix + std::to_string(i);
        bool exact = true;
        for (uint32_t column : keys->indexes[i]) {
          // A column missing from the image (binlog_row_image=MINIMAL): which unique value the row held
          // is not known, so nothing can run beside this transaction.
          if (column >= (*image)->size() || !(**image)[column]) return false;
          const codec::ColumnValue& value = *(**image)[column];
          // The type, and so the choice, is the same for every row of the column (NULL aside, which no
          // unique index compares equal): a coarse index gives the table key for all of the table's rows.
          if (!exact_value(value)) exact = false;
          if (exact) key += '\0' + codec::to_display_string(value);
        }
        keys_.push_back(exact ? hash_text(key) : whole_table);
      }
    }
  }
  return true;
}

std::vector<uint64_t> WriteSetBuilder::take_keys() {
  std::vector<uint64_t> keys = std::move(keys_);
  keys_.clear();
  table_maps_.clear();
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace mzl::replay
