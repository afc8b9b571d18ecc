#include "mzl/snapshot/manifest.h"

#include <array>

#include <fmt/format.h>

#include "mzl/util/json.h"
#include "mzl/util/json_reader.h"

namespace mzl::snapshot {
namespace {

constexpr std::string_view kManifestWhat = "manifest";
constexpr std::string_view kSchemaWhat = "schema object";

// Text that is not UTF-8 (a schema object's SQL may hold a binary literal) cannot be a JSON string without
// losing bytes: such a field is written as "<key>_base64" instead, and read back from either key.
void write_text(JsonWriter& w, std::string_view key, std::string_view value) {
  if (is_valid_utf8(value)) {
    w.key(key);
    w.value(value);
    return;
  }
  w.key(fmt::format("{}_base64", key));
  std::string encoded;
  append_base64(encoded,
                std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
  w.value(encoded);
}

void write_text_list(JsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
  bool utf8 = true;
  for (const auto& v : values) utf8 = utf8 && is_valid_utf8(v);
  w.key(utf8 ? std::string(key) : fmt::format("{}_base64", key));
  w.begin_array();
  for (const auto& v : values) {
    if (utf8) {
      w.value(v);
    } else {
      std::string encoded;
      append_base64(encoded, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
      w.value(encoded);
    }
  }
  w.end_array();
}

std::optional<std::string> decode_base64(std::string_view text) {
  static constexpr std::array<int8_t, 256> kValues = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
    return t;
  }();
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        group <<= 6;
        continue;
      }
      const int8_t v = kValues[static_cast<uint8_t>(c)];
      if (v < 0 || pad > 0) return std::nullopt;
      group = (group << 6) | static_cast<uint32_t>(v);
    }
    out += static_cast<char>(group >> 16);
    if (pad < 2) out += static_cast<char>((group >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(group & 0xFF);
  }
  return out;
}

Status read_text(const JsonFields& f, std::string_view key, std::string& out, bool required = false) {
  const std::string base64_key = fmt::format("{}_base64", key);
  if (f.find(base64_key)) {
    std::string encoded;
    MZL_CHECK(f.get(base64_key, encoded));
    std::optional<std::string> decoded = decode_base64(encoded);
    if (!decoded) return f.wrong(base64_key, "is not base64");
    out = std::move(*decoded);
    return ok_status();
  }
  return f.get(key, out, required);
}

Status read_text_list(const JsonFields& f, std::string_view key, std::vector<std::string>& out) {
  const std::string base64_key = fmt::format("{}_base64", key);
  if (f.find(base64_key)) {
    std::vector<std::string> encoded;
    MZL_CHECK(f.get(base64_key, encoded));
    out.clear();
    for (const auto& e : encoded) {
      std::optional<std::string> decoded = decode_base64(e);
      if (!decoded) return f.wrong(base64_key, "is not base64");
      out.push_back(std::move(*decoded));
    }
    return ok_status();
  }
  return f.get(key, out);
}

Result<const JsonObject*> object_at(const JsonFields& f, std::string_view key, const JsonArray& array,
                                    size_t i) {
  const JsonObject* object = array[i].as_object();
  if (!object) return f.wrong(fmt::format("{}[{}]", key, i), "is not an object");
  return object;
}

Status decode_table(const JsonFields& t, TableEntry& table) {
  MZL_CHECK(read_text(t, "database", table.database, true));
  MZL_CHECK(read_text(t, "name", table.name, true));
  MZL_CHECK(t.get("engine", table.engine));
  MZL_CHECK(t.get("rows", table.rows));
  MZL_CHECK(read_text_list(t, "columns", table.columns));
  MZL_CHECK(read_text(t, "load_columns", table.load_columns));
  MZL_CHECK(read_text(t, "load_set", table.load_set));
  MZL_TRY(const JsonArray* files, t.array("files"));
  if (files) {
    for (size_t i = 0; i < files->size(); ++i) {
      MZL_TRY(const JsonObject* object, object_at(t, "files", *files, i));
      JsonFields f(*object, t.where(), kManifestWhat, fmt::format("{}.files[{}]", t.context(), i));
      DataFile file;
      MZL_CHECK(f.get("path", file.path, true));
      MZL_CHECK(f.get("rows", file.rows));
      MZL_CHECK(f.get("raw_bytes", file.raw_bytes));
      table.files.push_back(std::move(file));
    }
  }
  return ok_status();
}

// JsonWriter puts the comma before the next item, i.e. after the line break inserted before it; move it to
// the end of the previous line. Every raw LF of the output is one of those breaks (strings escape theirs).
std::string commas_before_line_breaks(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '\n') {
      size_t j = i + 1;
      while (j < json.size() && json[j] == ' ') ++j;
      if (j < json.size() && json[j] == ',') {
        out += ',';
        out.append(json, i, j - i);
        i = j;
        continue;
      }
    }
    out += json[i];
  }
  return out;
}

}  // namespace

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "none";
}

std::string_view compression_suffix(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "";
    case Compression::kLz4:
      return ".lz4";
    case Compression::kZstd:
      return ".zst";
  }
  return "";
}

Result<Compression> parse_compression(std::string_view name) {
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    if (name == compression_name(c)) return c;
  }
  return Error{ErrorCode::kInvalidArgument,
               fmt::format("unknown compression \"{}\" (expected lz4, zstd or none)", name)};
}

std::string encode_manifest(const Manifest& m) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("format", m.format);
  w.field("id", m.id);
  w.field("tool_version", m.tool_version);
  out += "\n ";
  w.plain_key("server");
  w.begin_object();
  w.field("address", m.server.address);
  w.field("source", m.server.source);
  w.field("server_uuid", m.server.server_uuid);
  w.field("server_id", uint64_t{m.server.server_id});
  w.field("flavour", m.server.flavour);
  w.field("version", m.server.version);
  w.end_object();
  out += "\n ";
  w.plain_key("binlog");
  w.begin_object();
  w.field("file", m.binlog.file);
  w.field("position", m.binlog.position);
  w.field("gtid", m.binlog.gtid);
  w.end_object();
  out += "\n ";
  w.field("started_at", m.started_at);
  w.field("finished_at", m.finished_at);
  w.plain_key("lock");
  w.begin_object();
  w.field("method", m.lock.method);
  w.field("seconds", m.lock.seconds);
  w.field("attempts", m.lock.attempts);
  w.end_object();
  out += "\n ";
  w.field("compression", compression_name(m.compression));
  w.field("threads", m.threads);
  w.field("includes_users", m.includes_users);
  write_text_list(w, "databases", m.databases);
  out += "\n ";
  w.plain_key("tables");
  w.begin_array();
  for (const TableEntry& t : m.tables) {
    out += "\n  ";
    w.begin_object();
    write_text(w, "database", t.database);
    write_text(w, "name", t.name);
    w.field("engine", t.engine);
    w.field("rows", t.rows);
    write_text_list(w, "columns", t.columns);
    write_text(w, "load_columns", t.load_columns);
    write_text(w, "load_set", t.load_set);
    w.plain_key("files");
    w.begin_array();
    for (const DataFile& f : t.files) {
      w.begin_object();
      w.field("path", f.path);
      w.field("rows", f.rows);
      w.field("raw_bytes", f.raw_bytes);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  out += "\n ";
  w.plain_key("files");
  w.begin_array();
  for (const SnapshotFile& f : m.files) {
    out += "\n  ";
    w.begin_object();
    w.field("path", f.path);
    w.field("size", f.size);
    w.field("sha256", f.sha256);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += '\n';
  return commas_before_line_breaks(out);
}

Result<Manifest> decode_manifest(std::string_view json, const std::string& where) {
  MZL_TRY(JsonValue root, parse_json(json, where, kManifestWhat));
  const JsonObject* object = root.as_object();
  if (!object) return Error{ErrorCode::kCorrupt, "bad manifest: not a JSON object"}.at_r(where);
  JsonFields fields(*object, where, kManifestWhat);
  Manifest m;
  uint64_t format = 0;
  MZL_CHECK(fields.get("format", format, true));
  if (format == 0 || format > static_cast<uint64_t>(kManifestFormat)) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("manifest format {} is not supported (this mzl reads format {})", format,
                             kManifestFormat)}
        .at_r(where);
  }
  m.format = static_cast<int>(format);
  MZL_CHECK(fields.get("id", m.id, true));
  MZL_CHECK(fields.get("tool_version", m.tool_version));
  MZL_TRY(const JsonObject* server, fields.object("server"));
  if (server) {
    JsonFields s(*server, where, kManifestWhat, "server");
    MZL_CHECK(s.get("address", m.server.address));
    MZL_CHECK(s.get("source", m.server.source));
    MZL_CHECK(s.get("server_uuid", m.server.server_uuid));
    MZL_CHECK(s.get_int("server_id", m.server.server_id));
    MZL_CHECK(s.get("flavour", m.server.flavour));
    MZL_CHECK(s.get("version", m.server.version));
  }
  MZL_TRY(const JsonObject* binlog, fields.object("binlog"));
  if (binlog) {
    JsonFields b(*binlog, where, kManifestWhat, "binlog");
    MZL_CHECK(b.get("file", m.binlog.file));
    MZL_CHECK(b.get("position", m.binlog.position));
    MZL_CHECK(b.get("gtid", m.binlog.gtid));
  }
  MZL_CHECK(fields.get("started_at", m.started_at));
  MZL_CHECK(fields.get("finished_at", m.finished_at));
  MZL_TRY(const JsonObject* lock, fields.object("lock"));
  if (lock) {
    JsonFields l(*lock, where, kManifestWhat, "lock");
    MZL_CHECK(l.get("method", m.lock.method));
    MZL_CHECK(l.get("seconds", m.lock.seconds));
    MZL_CHECK(l.get_int("attempts", m.lock.attempts));
  }
  std::string compression = std::string(compression_name(m.compression));
  MZL_CHECK(fields.get("compression", compression));
  Result<Compression> parsed = parse_compression(compression);
  if (!parsed)
    return fields.wrong("compression", fmt::format("is not lz4, zstd or none: \"{}\"", compression));
  m.compression = *parsed;
  MZL_CHECK(fields.get_int("threads", m.threads));
  MZL_CHECK(fields.get("includes_users", m.includes_users));
  MZL_CHECK(read_text_list(fields, "databases", m.databases));
  MZL_TRY(const JsonArray* tables, fields.array("tables"));
  if (tables) {
    for (size_t i = 0; i < tables->size(); ++i) {
      MZL_TRY(const JsonObject* table_object, object_at(fields, "tables", *tables, i));
      TableEntry table;
      MZL_CHECK(
          decode_table(JsonFields(*table_object, where, kManifestWhat, fmt::format("tables[{}]", i)), table));
      m.tables.push_back(std::move(table));
    }
  }
  MZL_TRY(const JsonArray* files, fields.array("files"));
  if (files) {
    for (size_t i = 0; i < files->size(); ++i) {
      MZL_TRY(const JsonObject* file_object, object_at(fields, "files", *files, i));
      JsonFields f(*file_object, where, kManifestWhat, fmt::format("files[{}]", i));
      SnapshotFile file;
      MZL_CHECK(f.get("path", file.path, true));
      MZL_CHECK(f.get("size", file.size));
      MZL_CHECK(f.get("sha256", file.sha256, true));
      m.files.push_back(std::move(file));
    }
  }
  return m;
}

std::string encode_schema_object(const SchemaObject& o) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("kind", o.kind);
  write_text(w, "database", o.database);
  write_text(w, "name", o.name);
  write_text(w, "sql", o.sql);
  w.field("sql_mode", o.sql_mode);
  w.field("character_set_client", o.character_set_client);
  w.field("collation_connection", o.collation_connection);
  if (!o.load_columns.empty() || !o.load_set.empty()) {
    write_text(w, "load_columns", o.load_columns);
    write_text(w, "load_set", o.load_set);
  }
  w.end_object();
  out += '\n';
  return out;
}

Result<SchemaObject> decode_schema_object(std::string_view line, const std::string& where) {
  MZL_TRY(JsonValue root, parse_json(line, where, kSchemaWhat));
  const JsonObject* object = root.as_object();
  if (!object) return Error{ErrorCode::kCorrupt, "bad schema object: not a JSON object"}.at_r(where);
  JsonFields f(*object, where, kSchemaWhat);
  SchemaObject o;
  MZL_CHECK(f.get("kind", o.kind, true));
  MZL_CHECK(read_text(f, "database", o.database));
  MZL_CHECK(read_text(f, "name", o.name));
  MZL_CHECK(read_text(f, "sql", o.sql, true));
  MZL_CHECK(f.get("sql_mode", o.sql_mode));
  MZL_CHECK(f.get("character_set_client", o.character_set_client));
  MZL_CHECK(f.get("collation_connection", o.collation_connection));
  MZL_CHECK(read_text(f, "load_columns", o.load_columns));
  MZL_CHECK(read_text(f, "load_set", o.load_set));
  return o;
}

std::string file_name_component(std::string_view identifier) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(identifier.size());
  for (char c : identifier) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '-') {
      out += c;
    } else {
      out += '@';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

std::string data_file_path(std::string_view database, std::string_view table, unsigned chunk, unsigned part,
                           Compression compression) {
  return fmt::format("data/{}/{}.{:05}.{:03}.tsv{}", file_name_component(database),
                     file_name_component(table), chunk, part, compression_suffix(compression));
}

}  // namespace mzl::snapshot
