#include "mzl/snapshot/manifest.h"

#include <type_traits>

#include <fmt/format.h>

#include "mzl/util/base64.h"
#include "mzl/util/hex.h"
#include "mzl/util/json_reader.h"
#include "mzl/util/json_report.h"

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

// Text that is not UTF-8 is written as "<key>_base64" (JsonFieldWriter::text) and read back from either key.
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

}  // namespace

// Compression is written by name.
static std::string_view json_name(Compression c) {
  return compression_name(c);
}

// Each part of a manifest and a schema object lists its fields once, in JSON order, for both directions:
// `io` is a JsonFieldWriter (encode) or a FieldReader (decode). Only the reader uses `required`. They are
// static members of this namespace, not of an unnamed one, for argument-dependent lookup
// (util/json_report.h).
constexpr bool kRequired = true;
constexpr bool kOnePerLine = true;

static void visit_fields(auto& io, FieldsOf<SnapshotServer> auto& s) {
  io.field("address", s.address);
  io.field("source", s.source);
  io.field("server_uuid", s.server_uuid);
  io.field("server_id", s.server_id);
  io.field("flavour", s.flavour);
  io.field("version", s.version);
}

static void visit_fields(auto& io, FieldsOf<BinlogCoordinates> auto& b) {
  io.field("file", b.file);
  io.field("position", b.position);
  io.field("gtid", b.gtid);
}

static void visit_fields(auto& io, FieldsOf<LockInfo> auto& l) {
  io.field("method", l.method);
  io.field("seconds", l.seconds);
  io.field("attempts", l.attempts);
}

static void visit_fields(auto& io, FieldsOf<DataFile> auto& f) {
  io.field("path", f.path, kRequired);
  io.field("rows", f.rows);
  io.field("raw_bytes", f.raw_bytes);
}

static void visit_fields(auto& io, FieldsOf<TableEntry> auto& t) {
  io.text("database", t.database, kRequired);
  io.text("name", t.name, kRequired);
  io.field("engine", t.engine);
  io.field("rows", t.rows);
  io.text("columns", t.columns);
  io.text("load_columns", t.load_columns);
  io.text("load_set", t.load_set);
  io.array("files", t.files, !kOnePerLine);
}

static void visit_fields(auto& io, FieldsOf<SnapshotFile> auto& f) {
  io.field("path", f.path, kRequired);
  io.field("size", f.size);
  io.field("sha256", f.sha256, kRequired);
}

// All but "format", which comes first and is checked before anything else is read.
static void visit_fields(auto& io, FieldsOf<Manifest> auto& m) {
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

static void visit_fields(auto& io, FieldsOf<SchemaObject> auto& o) {
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
  JsonFieldWriter writer(w);
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
  return json_line(o);
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
