#include "mzl/codec/row_image_stream.h"

#include <fmt/format.h>

#include "mzl/codec/column_type.h"

namespace mzl::codec {

namespace {

constexpr uint64_t kPartialJsonUpdates = 1;

bool bit_set(Bytes bitmap, size_t i) {
  return i / 8 < bitmap.size() && (bitmap[i / 8] >> (i % 8)) & 1;
}

// Bytes of the length prefix of a string column, or 0 for the columns read through decode_column_value
// (a BLOB whose metadata is out of range too, so that the error is decode_column_value's).
size_t string_length_bytes(const ColumnInfo& column) {
  const uint16_t meta = column.metadata;
  switch (static_cast<ColumnType>(column.real_type)) {
    case ColumnType::kString:
      return string_max_length(meta) > 255 ? 2 : 1;
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      return meta > 255 ? 2 : 1;
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
      return meta >= 1 && meta <= 4 ? meta : 0;
    default:
      return 0;
  }
}

size_t int_width(uint8_t real_type) {
  switch (static_cast<ColumnType>(real_type)) {
    case ColumnType::kTiny:
      return 1;
    case ColumnType::kShort:
      return 2;
    case ColumnType::kInt24:
      return 3;
    case ColumnType::kLong:
      return 4;
    case ColumnType::kLongLong:
      return 8;
    default:
      return 0;
  }
}

const ColumnValue kNull{NullValue{}};

struct ImageStreamer {
  const RowDecodePlan& plan;
  size_t column_count;
  RowValueSink& sink;

  // The fast paths handle integers and strings that lie whole in the image; anything else, a short image
  // included, goes through decode_column_value from the same position, so values and errors are its own.
  Status read_image(ByteReader& in, Bytes present, Bytes partial_bits, bool after) {
    size_t in_image = 0;
    for (size_t i = 0; i < column_count; ++i) in_image += bit_set(present, i);
    Bytes nulls = in.bytes((in_image + 7) / 8);
    if (!in.ok()) return Error{ErrorCode::kCorrupt, "row image NULL bitmap runs past the event"};
    sink.begin_image(after);
    size_t image_index = 0, json_index = 0;
    for (size_t i = 0; i < column_count; ++i) {
      const ColumnInfo& column = plan.columns[i];
      const bool is_json = column.type == code(ColumnType::kJson);
      const bool partial = is_json && bit_set(partial_bits, json_index);
      json_index += is_json;
      if (!bit_set(present, i)) continue;
      if (bit_set(nulls, image_index++)) {
        sink.value(i, kNull);
        continue;
      }
      if (partial) {
        auto diffs = decode_json_diffs(in);
        if (!diffs.ok()) return std::move(diffs).error().at_r(fmt::format("{} column {}", plan.where, i + 1));
        sink.value(i, ColumnValue(JsonDiffValue{std::move(*diffs)}));
        continue;
      }
      if (const size_t width = int_width(column.real_type); width != 0 && in.has(width)) {
        IntValue v;
        v.width = static_cast<uint8_t>(width);
        v.unsigned_value = in.uint_le(width);
        const uint64_t sign = uint64_t{1} << (8 * width - 1);
        v.signed_value = width >= 8 ? static_cast<int64_t>(v.unsigned_value)
                                    : static_cast<int64_t>((v.unsigned_value ^ sign) - sign);
        v.is_unsigned = column.is_unsigned;
        sink.int_value(i, v);
        continue;
      }
      if (const size_t length_bytes = string_length_bytes(column); length_bytes != 0) {
        ByteReader probe = in;
        const uint64_t len = probe.uint_le(length_bytes);
        if (probe.ok() && probe.has(len)) {
          const Bytes bytes = probe.bytes(len);
          in = probe;
          sink.string_value(i, bytes, column);
          continue;
        }
      }
      auto value = decode_column_value(in, column);
      if (!value.ok()) {
        Error e = std::move(value).error();
        e.message = fmt::format("column {} ({}): {}", i + 1, column_type_name(column.type), e.message);
        return std::move(e).at_r(plan.where);
      }
      sink.value(i, *value);
    }
    sink.end_image();
    return ok_status();
  }
};

}  // namespace

Status stream_row_changes(const RowsEvent& rows, const TableMapEvent& table, const RowDecodePlan& plan,
                          RowValueSink& sink) {
  const std::string& where = plan.where;
  MZL_CHECK(check_rows_match_table(rows, table, where));
  ImageStreamer images{plan, static_cast<size_t>(rows.column_count), sink};
  const Bytes before(rows.columns_before), after(rows.columns_after);
  ByteReader in(rows.rows);
  while (!in.empty()) {
    const size_t row_start = in.position();
    sink.begin_row();
    switch (rows.kind()) {
      case RowsKind::kWrite:
        MZL_CHECK(images.read_image(in, before, {}, true));
        break;
      case RowsKind::kDelete:
        MZL_CHECK(images.read_image(in, before, {}, false));
        break;
      case RowsKind::kUpdate:
        MZL_CHECK(images.read_image(in, before, {}, false));
        MZL_CHECK(images.read_image(in, after, {}, true));
        break;
      case RowsKind::kPartialUpdate: {
        MZL_CHECK(images.read_image(in, before, {}, false));
        const uint64_t value_options = in.packed_uint();
        if (!in.ok() || value_options > kPartialJsonUpdates)
          return Error{ErrorCode::kCorrupt, "PARTIAL_UPDATE_ROWS value_options is bad"}.at_r(where);
        Bytes partial;
        if (value_options & kPartialJsonUpdates) {
          partial = in.bytes((plan.json_columns + 7) / 8);
          if (!in.ok())
            return Error{ErrorCode::kCorrupt, "partial JSON bitmap runs past the event"}.at_r(where);
        }
        MZL_CHECK(images.read_image(in, after, partial, true));
        break;
      }
    }
    if (in.position() == row_start)
      return Error{ErrorCode::kCorrupt, "row images with no columns cannot fill the rows data"}.at_r(where);
    sink.end_row();
  }
  return ok_status();
}

}  // namespace mzl::codec
