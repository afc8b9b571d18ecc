#include "mzl/codec/table_map_event.h"

#include <fmt/format.h>

#include "mzl/codec/column_type.h"

namespace mzl::codec {

namespace {

Error corrupt(std::string what) {
  return Error{ErrorCode::kCorrupt, "TABLE_MAP: " + std::move(what)};
}

constexpr uint8_t kTableMapType = 19;

std::vector<bool> read_msb_bitmap(Bytes value, size_t bits) {
  std::vector<bool> out;
  out.reserve(bits);
  for (size_t i = 0; i < bits && i / 8 < value.size(); ++i) out.push_back((value[i / 8] >> (7 - i % 8)) & 1);
  return out;
}

// Reads packed integers to the end of `value`; false when one is cut short.
bool read_packed_list(Bytes value, std::vector<uint32_t>& out) {
  ByteReader in(value);
  while (!in.empty()) {
    const uint64_t v = in.packed_uint();
    if (!in.ok() || v > UINT32_MAX) return false;
    out.push_back(static_cast<uint32_t>(v));
  }
  return in.ok();
}

bool read_charset_field(Bytes value, std::optional<uint32_t>& default_charset,
                        std::vector<std::pair<uint32_t, uint32_t>>& exceptions) {
  std::vector<uint32_t> list;
  if (!read_packed_list(value, list) || list.empty() || list.size() % 2 != 1) return false;
  default_charset = list[0];
  for (size_t i = 1; i + 1 < list.size(); i += 2) exceptions.emplace_back(list[i], list[i + 1]);
  return true;
}

bool read_string_list(ByteReader& in, uint64_t count, std::vector<std::string>& out) {
  if (count > in.remaining()) return false;  // every string takes at least its length byte
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t len = in.packed_uint();
    if (!in.has(len)) return false;
    out.emplace_back(in.string(len));
  }
  return in.ok();
}

bool read_str_values(Bytes value, std::vector<std::vector<std::string>>& out) {
  ByteReader in(value);
  while (!in.empty()) {
    const uint64_t count = in.packed_uint();
    std::vector<std::string> names;
    if (!in.ok() || !read_string_list(in, count, names)) return false;
    out.push_back(std::move(names));
  }
  return in.ok();
}

}  // namespace

Status decode_table_map_optional_metadata(const std::vector<TableMapOptionalField>& fields,
                                          const std::vector<uint8_t>& column_types,
                                          const std::vector<uint16_t>& column_metadata,
                                          TableMapOptionalMetadata& out) {
  size_t numeric_columns = 0;
  for (size_t i = 0; i < column_types.size(); ++i) {
    const uint16_t meta = i < column_metadata.size() ? column_metadata[i] : 0;
    if (is_numeric_type(real_column_type(column_types[i], meta))) ++numeric_columns;
  }
  for (const auto& field : fields) {
    Bytes value(field.value);
    bool ok = true;
    switch (static_cast<TableMapFieldType>(field.type)) {
      case TableMapFieldType::kSignedness:
        out.signedness = read_msb_bitmap(value, numeric_columns);
        ok = value.size() * 8 >= numeric_columns;
        break;
      case TableMapFieldType::kDefaultCharset:
        ok = read_charset_field(value, out.default_charset, out.charset_exceptions);
        break;
      case TableMapFieldType::kColumnCharset:
        ok = read_packed_list(value, out.column_charsets);
        break;
      case TableMapFieldType::kEnumAndSetDefaultCharset:
        ok = read_charset_field(value, out.enum_set_default_charset, out.enum_set_charset_exceptions);
        break;
      case TableMapFieldType::kEnumAndSetColumnCharset:
        ok = read_packed_list(value, out.enum_set_column_charsets);
        break;
      case TableMapFieldType::kColumnName: {
        ByteReader in(value);
        while (ok && !in.empty()) ok = read_string_list(in, 1, out.column_names);
        break;
      }
      case TableMapFieldType::kSetStrValue:
        ok = read_str_values(value, out.set_values);
        break;
      case TableMapFieldType::kEnumStrValue:
        ok = read_str_values(value, out.enum_values);
        break;
      case TableMapFieldType::kGeometryType:
        ok = read_packed_list(value, out.geometry_types);
        break;
      case TableMapFieldType::kSimplePrimaryKey: {
        std::vector<uint32_t> list;
        ok = read_packed_list(value, list);
        for (uint32_t c : list) out.primary_key.emplace_back(c, 0);
        break;
      }
      case TableMapFieldType::kPrimaryKeyWithPrefix: {
        std::vector<uint32_t> list;
        ok = read_packed_list(value, list) && list.size() % 2 == 0;
        for (size_t i = 0; ok && i + 1 < list.size(); i += 2)
          out.primary_key.emplace_back(list[i], list[i + 1]);
        break;
      }
      case TableMapFieldType::kColumnVisibility:
        out.column_visibility = read_msb_bitmap(value, column_types.size());
        ok = value.size() * 8 >= column_types.size();
        break;
      default:
        break;  // unknown: kept raw in optional_fields
    }
    if (!ok) return corrupt(fmt::format("optional metadata field {} is malformed", field.type));
  }
  return ok_status();
}

Result<TableMapEvent> decode_table_map_event(ByteReader& body, const FormatDescription& fd) {
  TableMapEvent ev;
  ev.flavour = fd.flavour;
  ev.table_id_size = fd.post_header_length(kTableMapType) == 6 ? 4 : 6;
  ev.table_id = body.uint_le(ev.table_id_size);
  ev.flags = body.u16le();
  const uint8_t db_len = body.u8();
  ev.database = std::string(body.string(db_len));
  if (body.u8() != 0) return corrupt("database name is not NUL-terminated");
  const uint8_t table_len = body.u8();
  ev.table = std::string(body.string(table_len));
  if (body.u8() != 0) return corrupt("table name is not NUL-terminated");
  const uint64_t columns = body.packed_uint();
  if (!body.ok()) return corrupt("post-header or names run past the body");
  if (columns > body.remaining()) return corrupt(fmt::format("column count {} exceeds the body", columns));
  Bytes types = body.bytes(columns);
  ev.column_types.assign(types.begin(), types.end());
  const uint64_t meta_len = body.packed_uint();
  if (!body.has(meta_len)) return corrupt("metadata block runs past the body");
  Bytes meta = body.bytes(meta_len);
  ev.metadata_raw.assign(meta.begin(), meta.end());
  Bytes nulls = body.bytes((columns + 7) / 8);
  if (!body.ok()) return corrupt("NULL bitmap runs past the body");
  ev.null_bitmap.assign(nulls.begin(), nulls.end());

  // Split the metadata block; a type whose metadata size we do not know leaves the rest at 0 (the rows of
  // such a table then fail to decode with kUnsupported, the event itself still round-trips).
  ev.column_metadata.assign(columns, 0);
  size_t at = 0;
  for (size_t i = 0; i < columns; ++i) {
    auto size = column_metadata_size(ev.column_types[i]);
    if (!size) break;
    if (at + *size > meta.size()) return corrupt(fmt::format("metadata block too short at column {}", i));
    ev.column_metadata[i] = column_metadata_value(ev.column_types[i], meta.data() + at);
    at += *size;
  }

  while (!body.empty()) {
    TableMapOptionalField field;
    field.type = body.u8();
    const uint64_t len = body.packed_uint();
    if (!body.has(len)) return corrupt("optional metadata field runs past the body");
    Bytes value = body.bytes(len);
    field.value.assign(value.begin(), value.end());
    ev.optional_fields.push_back(std::move(field));
  }
  MZL_CHECK(decode_table_map_optional_metadata(ev.optional_fields, ev.column_types, ev.column_metadata,
                                               ev.optional));
  return ev;
}

void encode_table_map_event(const TableMapEvent& ev, const FormatDescription&, ByteWriter& out) {
  out.uint_le(ev.table_id, ev.table_id_size);
  out.u16le(ev.flags);
  out.u8(static_cast<uint8_t>(ev.database.size()));
  out.cstring(ev.database);
  out.u8(static_cast<uint8_t>(ev.table.size()));
  out.cstring(ev.table);
  out.packed_uint(ev.column_types.size());
  out.bytes(ev.column_types);
  out.packed_uint(ev.metadata_raw.size());
  out.bytes(ev.metadata_raw);
  out.bytes(ev.null_bitmap);
  for (const auto& field : ev.optional_fields) {
    out.u8(field.type);
    out.packed_uint(field.value.size());
    out.bytes(field.value);
  }
}

}  // namespace mzl::codec
