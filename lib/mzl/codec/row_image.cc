#include "mzl/codec/row_image.h"

#include <fmt/format.h>

#include "mzl/codec/column_type.h"

namespace mzl::codec {

namespace {

constexpr uint64_t kPartialJsonUpdates = 1;

bool bit_set(const std::vector<uint8_t>& bitmap, size_t i) {
  return i / 8 < bitmap.size() && (bitmap[i / 8] >> (i % 8)) & 1;
}

bool bit_set(Bytes bitmap, size_t i) {
  return i / 8 < bitmap.size() && (bitmap[i / 8] >> (i % 8)) & 1;
}

// Resolves a per-class charset list (COLUMN_CHARSET) or default + exceptions (DEFAULT_CHARSET); `index` is
// the column's position among the columns of that class.
std::optional<uint32_t> charset_of(size_t index, const std::optional<uint32_t>& default_charset,
                                   const std::vector<std::pair<uint32_t, uint32_t>>& exceptions,
                                   const std::vector<uint32_t>& per_column) {
  if (index < per_column.size()) return per_column[index];
  if (!default_charset) return std::nullopt;
  for (const auto& [column, charset] : exceptions)
    if (column == index) return charset;
  return default_charset;
}

struct ImageContext {
  const std::vector<ColumnInfo>& columns;
  size_t column_count;
  std::string_view table;
};

Result<Row> read_image(ByteReader& in, const std::vector<uint8_t>& present, const ImageContext& ctx,
                       Bytes partial_bits) {
  size_t in_image = 0;
  for (size_t i = 0; i < ctx.column_count; ++i) in_image += bit_set(present, i);
  Bytes nulls = in.bytes((in_image + 7) / 8);
  if (!in.ok()) return Error{ErrorCode::kCorrupt, "row image NULL bitmap runs past the event"};
  Row row(ctx.column_count);
  size_t image_index = 0, json_index = 0;
  for (size_t i = 0; i < ctx.column_count; ++i) {
    const ColumnInfo& column = ctx.columns[i];
    const bool is_json = column.type == code(ColumnType::kJson);
    const bool partial = is_json && bit_set(partial_bits, json_index);
    json_index += is_json;
    if (!bit_set(present, i)) continue;
    if (bit_set(nulls, image_index++)) {
      row[i] = NullValue{};
      continue;
    }
    if (partial) {
      auto diffs = decode_json_diffs(in);
      if (!diffs.ok()) return std::move(diffs).error().at_r(fmt::format("{} column {}", ctx.table, i + 1));
      row[i] = JsonDiffValue{std::move(*diffs)};
      continue;
    }
    auto value = decode_column_value(in, column);
    if (!value.ok()) {
      Error e = std::move(value).error();
      e.message = fmt::format("column {} ({}): {}", i + 1, column_type_name(column.type), e.message);
      return std::move(e).at_r(std::string(ctx.table));
    }
    row[i] = std::move(*value);
  }
  return row;
}

}  // namespace

std::vector<ColumnInfo> column_infos(const TableMapEvent& table) {
  const auto& opt = table.optional;
  std::vector<ColumnInfo> out(table.column_count());
  size_t numeric = 0, character = 0, enum_set = 0, enums = 0, sets = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    ColumnInfo& c = out[i];
    c.type = table.column_types[i];
    c.metadata = i < table.column_metadata.size() ? table.column_metadata[i] : 0;
    c.real_type = real_column_type(c.type, c.metadata);
    if (is_numeric_type(c.real_type)) {
      if (numeric < opt.signedness.size()) c.is_unsigned = opt.signedness[numeric];
      ++numeric;
    } else if (is_character_type(c.real_type, table.flavour == Flavour::kMariaDB)) {
      c.charset = charset_of(character++, opt.default_charset, opt.charset_exceptions, opt.column_charsets);
    } else if (is_enum_or_set_type(c.real_type)) {
      c.charset = charset_of(enum_set++, opt.enum_set_default_charset, opt.enum_set_charset_exceptions,
                             opt.enum_set_column_charsets);
      if (c.real_type == code(ColumnType::kEnum)) {
        if (enums < opt.enum_values.size()) c.enum_or_set_names = &opt.enum_values[enums];
        ++enums;
      } else {
        if (sets < opt.set_values.size()) c.enum_or_set_names = &opt.set_values[sets];
        ++sets;
      }
    }
  }
  return out;
}

Status check_rows_match_table(const RowsEvent& rows, const TableMapEvent& table, const std::string& where) {
  if (rows.type_code >= 20 && rows.type_code <= 22)
    return Error{ErrorCode::kUnsupported, "pre-GA rows events (MySQL 5.1.0-5.1.15) use another row format"}
        .at_r(where);
  if (rows.table_id != table.table_id)
    return Error{ErrorCode::kCorrupt,
                 fmt::format("rows event for table id {} decoded with the map of table id {}", rows.table_id,
                             table.table_id)}
        .at_r(where);
  if (rows.column_count > table.column_count())
    return Error{ErrorCode::kCorrupt, fmt::format("rows event has {} columns, the table map {}",
                                                  rows.column_count, table.column_count())}
        .at_r(where);
  return ok_status();
}

RowDecodePlan row_decode_plan(const TableMapEvent& table) {
  RowDecodePlan plan;
  plan.columns = column_infos(table);
  for (const auto& c : plan.columns) plan.json_columns += c.type == code(ColumnType::kJson);
  plan.where = fmt::format("`{}`.`{}`", table.database, table.table);
  return plan;
}

Result<std::vector<RowChange>> decode_row_changes(const RowsEvent& rows, const TableMapEvent& table,
                                                  std::vector<RowImageSpans>* spans) {
  return decode_row_changes(rows, table, row_decode_plan(table), spans);
}

Result<std::vector<RowChange>> decode_row_changes(const RowsEvent& rows, const TableMapEvent& table,
                                                  const RowDecodePlan& plan,
                                                  std::vector<RowImageSpans>* spans) {
  const std::string& where = plan.where;
  MZL_CHECK(check_rows_match_table(rows, table, where));
  const size_t json_columns = plan.json_columns;
  const ImageContext ctx{plan.columns, static_cast<size_t>(rows.column_count), where};

  std::vector<RowChange> out;
  ByteReader in(rows.rows);
  while (!in.empty()) {
    const size_t row_start = in.position();
    RowChange change;
    RowImageSpans span;
    switch (rows.kind()) {
      case RowsKind::kWrite: {
        MZL_TRY(change.after, read_image(in, rows.columns_before, ctx, {}));
        span.after = {row_start, in.position()};
        break;
      }
      case RowsKind::kDelete: {
        MZL_TRY(change.before, read_image(in, rows.columns_before, ctx, {}));
        span.before = {row_start, in.position()};
        break;
      }
      case RowsKind::kUpdate: {
        MZL_TRY(change.before, read_image(in, rows.columns_before, ctx, {}));
        span.before = {row_start, in.position()};
        MZL_TRY(change.after, read_image(in, rows.columns_after, ctx, {}));
        span.after = {span.before.second, in.position()};
        break;
      }
      case RowsKind::kPartialUpdate: {
        MZL_TRY(change.before, read_image(in, rows.columns_before, ctx, {}));
        span.before = {row_start, in.position()};
        const uint64_t value_options = in.packed_uint();
        if (!in.ok() || value_options > kPartialJsonUpdates)
          return Error{ErrorCode::kCorrupt, "PARTIAL_UPDATE_ROWS value_options is bad"}.at_r(where);
        Bytes partial;
        if (value_options & kPartialJsonUpdates) {
          partial = in.bytes((json_columns + 7) / 8);
          if (!in.ok())
            return Error{ErrorCode::kCorrupt, "partial JSON bitmap runs past the event"}.at_r(where);
        }
        MZL_TRY(change.after, read_image(in, rows.columns_after, ctx, partial));
        span.after = {span.before.second, in.position()};
        break;
      }
    }
    if (in.position() == row_start)
      return Error{ErrorCode::kCorrupt, "row images with no columns cannot fill the rows data"}.at_r(where);
    out.push_back(std::move(change));
    if (spans) spans->push_back(span);
  }
  return out;
}

}  // namespace mzl::codec
