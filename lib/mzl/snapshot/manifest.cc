#include "mzl/snapshot/manifest.h"

#include <array>
#include <concepts>
#include <type_traits>

#include <fmt/format.h>

#include "mzl/util/base64.h"
#include "mzl/util/hex.h"
#include "mzl/util/json.h"
#include "mzl/util/json_reader.h"

namespace mzl::snapshot {
namespace {

constexpr std::string_view kManifestWhat = "manifest";
constexpr std::string_view kSchemaWhat = "schema object";

struct CompressionNames {
  Compression compression;
  std::string_view name;
  std::string_view suffix;
};
constexpr CompressionNames kCompressionNames[] = {{Compression::kNone, "none", ""},
                                                  {Compression::kLz4, "lz4", ".lz4"},
                                                  {Compression::kZstd, "zstd", ".zst"}};

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

// Each part of a manifest and a schema object lists its fields once, in JSON order, for both directions:
// `io` is a FieldWriter (encode) or a FieldReader (decode). Only the reader uses `required`.
template <class T, class U>
concept FieldsOf = std::same_as<std::remove_const_t<T>, U>;
constexpr bool kRequired = true;
constexpr bool kOnePerLine = true;

void visit_fields(auto& io, FieldsOf<SnapshotServer> auto& s) {
  io.field("address", s.address);
  io.field("source", s.source);
  io.field("server_uuid", s.server_uuid);
  io.field("server_id", s.server_id);
  io.field("flavour", s.flavour);
  io.field("version", s.version);
}

void visit_fields(auto& io, FieldsOf<BinlogCoordinates> auto& b) {
  io.field("file", b.file);
  io.field("position", b.position);
  io.field("gtid", b.gtid);
}

void visit_fields(auto& io, FieldsOf<LockInfo> auto& l) {
  io.field("method", l.method);
  io.field("seconds", l.seconds);
  io.field("attempts", l.attempts);
}

void visit_fields(auto& io, FieldsOf<DataFile> auto& f) {
  io.field("path", f.path, kRequired);
  io.field("rows", f.rows);
  io.field("raw_bytes", f.raw_bytes);
}

void visit_fields(auto& io, FieldsOf<TableEntry> auto& t) {
  io.text("database", t.database, kRequired);
  io.text("name", t.name, kRequired);
  io.field("engine", t.engine);
  io.field("rows", t.rows);
  io.text("columns", t.columns);
  io.text("load_columns", t.load_columns);
  io.text("load_set", t.load_set);
  io.array("files", t.files, !kOnePerLine);
}

void visit_fields(auto& io, FieldsOf<SnapshotFile> auto& f) {
  io.field("path", f.path, kRequired);
  io.field("size", f.size);
  io.field("sha256", f.sha256, kRequired);
}

// All but "format", which comes first and is checked before anything else is read.
void visit_fields(auto& io, FieldsOf<Manifest> auto& m) {
  io.field("id", m.id, kRequired);
  io.field("tool_version", m.tool_version);
  io.line_break();
  io.object("server", m.server);
  io.line_break();
  io.object("binlog", m.binlog);
  io.line_break();
  io.field("started_at", m.started_at);
  io.field("finished_at", m.finished_at);
  io.object("lock", m.lock);
  io.line_break();
  io.field("compression", m.compression);
  io.field("threads", m.threads);
  io.field("includes_users", m.includes_users);
  io.text("databases", m.databases);
  io.line_break();
  io.array("tables", m.tables, kOnePerLine);
  io.line_break();
  io.array("files", m.files, kOnePerLine);
}

void visit_fields(auto& io, FieldsOf<SchemaObject> auto& o) {
  io.field("kind", o.kind, kRequired);
  io.text("database", o.database);
  io.text("name", o.name);
  io.text("sql", o.sql, kRequired);
  io.field("sql_mode", o.sql_mode);
  io.field("character_set_client", o.character_set_client);
  io.field("collation_connection", o.collation_connection);
  // Written for tables only (where either is set); read whenever present.
  if (io.kReading || !o.load_columns.empty() || !o.load_set.empty()) {
    io.text("load_columns", o.load_columns);
    io.text("load_set", o.load_set);
  }
}

class FieldWriter {
 public:
  static constexpr bool kReading = false;
  explicit FieldWriter(JsonWriter& w) : w_(w) {}

  template <class T>
  void field(std::string_view key, const T& value, bool /*required*/ = false) {
    if constexpr (std::is_same_v<T, Compression>) {
      w_.field(key, compression_name(value));
    } else {
      w_.field(key, value);
    }
  }
  void text(std::string_view key, const std::string& value, bool /*required*/ = false) {
    write_text(w_, key, value);
  }
  void text(std::string_view key, const std::vector<std::string>& values) {
    write_text_list(w_, key, values);
  }
  template <class T>
  void object(std::string_view key, const T& value) {
    w_.plain_key(key);
    write_object(value);
  }
  template <class T>
  void array(std::string_view key, const std::vector<T>& values, bool one_per_line) {
    w_.plain_key(key);
    w_.begin_array();
    for (const T& value : values) {
      if (one_per_line) w_.out() += "\n  ";
      write_object(value);
    }
    w_.end_array();
  }
  // A line break (and the indent of a top-level key) before the next key.
  void line_break() { w_.out() += "\n "; }

  template <class T>
  void write_object(const T& value) {
    w_.begin_object();
    visit_fields(*this, value);
    w_.end_object();
  }

 private:
  JsonWriter& w_;
};

// Reads until the first error, which status() then holds; what follows it is left as it was.
class FieldReader {
 public:
  static constexpr bool kReading = true;
  explicit FieldReader(const JsonFields& f) : f_(f) {}

  const Status& status() const { return status_; }

  template <class T>
  void field(std::string_view key, T& out, bool required = false) {
    if (!status_.ok()) return;
    if constexpr (std::is_same_v<T, Compression>) {
      status_ = read_compression(key, out);
    } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      status_ = f_.get_int(key, out, required);
    } else {
      status_ = f_.get(key, out, required);
    }
  }
  void text(std::string_view key, std::string& out, bool required = false) {
    if (status_.ok()) status_ = read_text(f_, key, out, required);
  }
  void text(std::string_view key, std::vector<std::string>& out) {
    if (status_.ok()) status_ = read_text_list(f_, key, out);
  }
  template <class T>
  void object(std::string_view key, T& out) {
    if (!status_.ok()) return;
    Result<const JsonObject*> object = f_.object(key);
    if (!object.ok()) {
      status_ = std::move(object).error();
    } else if (*object) {
      read_object(**object, key, out);
    }
  }
  template <class T>
  void array(std::string_view key, std::vector<T>& out, bool /*one_per_line*/) {
    if (!status_.ok()) return;
    Result<const JsonArray*> array = f_.array(key);
    if (!array.ok()) {
      status_ = std::move(array).error();
      return;
    }
    if (!*array) return;
    for (size_t i = 0; i < (*array)->size() && status_.ok(); ++i) {
      const std::string item_key = fmt::format("{}[{}]", key, i);
      const JsonObject* object = (**array)[i].as_object();
      if (!object) {
        status_ = f_.wrong(item_key, "is not an object");
        return;
      }
      T item;
      read_object(*object, item_key, item);
      out.push_back(std::move(item));
    }
  }
  void line_break() {}

 private:
  template <class T>
  void read_object(const JsonObject& object, std::string_view key, T& out) {
    const std::string context =
        f_.context().empty() ? std::string(key) : fmt::format("{}.{}", f_.context(), key);
    const JsonFields fields(object, f_.where(), f_.what(), context);
    FieldReader reader(fields);
    visit_fields(reader, out);
    status_ = reader.status();
  }

  Status read_compression(std::string_view key, Compression& out) {
    std::string name = std::string(compression_name(out));
    MZL_CHECK(f_.get(key, name));
    Result<Compression> parsed = parse_compression(name);
    if (!parsed) return f_.wrong(key, fmt::format("is not lz4, zstd or none: \"{}\"", name));
    out = *parsed;
    return ok_status();
  }

  const JsonFields& f_;
  Status status_;
};

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
  for (const CompressionNames& n : kCompressionNames) {
    if (n.compression == c) return n.name;
  }
  return "none";
}

std::string_view compression_suffix(Compression c) {
  for (const CompressionNames& n : kCompressionNames) {
    if (n.compression == c) return n.suffix;
  }
  return "";
}

Result<Compression> parse_compression(std::string_view name) {
  for (const CompressionNames& n : kCompressionNames) {
    if (n.name == name) return n.compression;
  }
  return Error{ErrorCode::kInvalidArgument,
               fmt::format("unknown compression \"{}\" (expected lz4, zstd or none)", name)};
}

std::string encode_manifest(const Manifest& m) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("format", m.format);
  FieldWriter writer(w);
  visit_fields(writer, m);
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
  FieldReader reader(fields);
  visit_fields(reader, m);
  MZL_CHECK(reader.status());
  return m;
}

std::string encode_schema_object(const SchemaObject& o) {
  std::string out;
  JsonWriter w(out);
  FieldWriter(w).write_object(o);
  out += '\n';
  return out;
}

Result<SchemaObject> decode_schema_object(std::string_view line, const std::string& where) {
  MZL_TRY(JsonValue root, parse_json(line, where, kSchemaWhat));
  const JsonObject* object = root.as_object();
  if (!object) return Error{ErrorCode::kCorrupt, "bad schema object: not a JSON object"}.at_r(where);
  SchemaObject o;
  const JsonFields fields(*object, where, kSchemaWhat);
  FieldReader reader(fields);
  visit_fields(reader, o);
  MZL_CHECK(reader.status());
  return o;
}

std::string file_name_component(std::string_view identifier) {
  std::string out;
  out.reserve(identifier.size());
  for (char c : identifier) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '-') {
      out += c;
    } else {
      out += '@';
      append_hex_byte(out, b);
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
