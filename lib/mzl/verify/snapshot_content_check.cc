#include "mzl/verify/snapshot_content_check.h"

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "mzl/load/hashing_input.h"
#include "mzl/snapshot/data_file_reader.h"
#include "mzl/snapshot/row_text.h"

namespace mzl::verify {
namespace {

using snapshot::Compression;

constexpr size_t kReadPiece = 256 * 1024;

// Passes reads through and keeps the first error, so that an error reaching the top of the reading chain can
// be told apart by the layer it came from (stored bytes, decompression, or the rows).
class TrapInput final : public InputStream {
 public:
  explicit TrapInput(InputStream& inner) : inner_(&inner) {}
  explicit TrapInput(std::unique_ptr<InputStream> owned) : owned_(std::move(owned)), inner_(owned_.get()) {}

  Result<size_t> read(std::span<uint8_t> out) override {
    Result<size_t> n = inner_->read(out);
    if (!n.ok() && !error_) error_ = n.error();
    return n;
  }
  Status finish() override {
    Status status = inner_->finish();
    if (!status.ok() && !error_) error_ = status.error();
    return status;
  }
  const std::string& name() const override { return inner_->name(); }
  const std::optional<Error>& error() const { return error_; }

 private:
  std::unique_ptr<InputStream> owned_;
  InputStream* inner_;
  std::optional<Error> error_;
};

Status parse_data_rows(InputStream& in, ContentCheck& out) {
  snapshot::RowTextReader reader(in);
  std::vector<std::optional<std::string>> fields;
  for (;;) {
    const uint64_t row_start = reader.offset();
    Result<bool> more = reader.next(fields);
    out.rows = reader.rows();
    out.raw_bytes = reader.offset();
    if (!more.ok()) return std::move(more).error();
    if (!*more) return ok_status();
    if (!out.fields) {
      out.fields = fields.size();
    } else if (fields.size() != *out.fields) {
      return Error{ErrorCode::kCorrupt, fmt::format("row {} has {} fields, row 1 has {}", reader.rows(),
                                                    fields.size(), *out.fields)}
          .at_r(in.name(), row_start);
    }
  }
}

// In LOAD DATA text a raw LF byte only ever ends a row (an LF inside a value is written "\n").
Status count_data_rows(InputStream& in, ContentCheck& out) {
  std::vector<uint8_t> buffer(kReadPiece);
  uint8_t last = '\n';
  for (;;) {
    MZL_TRY(size_t n, in.read(buffer));
    if (n == 0) break;
    out.rows += static_cast<uint64_t>(std::count(buffer.data(), buffer.data() + n, uint8_t{'\n'}));
    out.raw_bytes += n;
    last = buffer[n - 1];
  }
  if (last != '\n') {
    return Error{ErrorCode::kCorrupt, "the data ends inside a row (no line feed after the last row)"}.at_r(
        in.name(), out.raw_bytes);
  }
  return ok_status();
}

Status parse_schema_lines(InputStream& in, ContentCheck& out) {
  MZL_TRY(std::vector<uint8_t> bytes, read_all(in));
  out.raw_bytes = bytes.size();
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  size_t start = 0;
  unsigned line = 0;
  while (start < text.size()) {
    ++line;
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      return Error{ErrorCode::kCorrupt, fmt::format("line {} does not end with a line feed", line)}.at_r(
          in.name(), start);
    }
    Result<snapshot::SchemaObject> object =
        snapshot::decode_schema_object(text.substr(start, end - start), "");
    if (!object.ok()) {
      return Error{ErrorCode::kCorrupt, fmt::format("line {}: {}", line, object.error().message)}.at_r(
          in.name(), start + object.error().offset.value_or(0));
    }
    start = end + 1;
  }
  return ok_status();
}

Status read_to_end(InputStream& in, ContentCheck& out) {
  std::vector<uint8_t> buffer(kReadPiece);
  for (;;) {
    MZL_TRY(size_t n, in.read(buffer));
    if (n == 0) return ok_status();
    out.raw_bytes += n;
  }
}

bool is_safe_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path == snapshot::kManifestFileName ||
      path.find('\0') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string_view component =
        path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (component.empty() || component == "." || component == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

std::string table_name(const snapshot::TableEntry& table) {
  return fmt::format("{}.{}", table.database, table.name);
}

std::string at_byte(const std::optional<uint64_t>& offset) {
  return offset ? fmt::format(" at byte {}", *offset) : "";
}

}  // namespace

ContentKind content_kind_of(std::string_view relative_path) {
  if (relative_path == snapshot::kSchemaFileName) return ContentKind::kSchema;
  if (relative_path.starts_with("data/")) return ContentKind::kData;
  return ContentKind::kOther;
}

Compression compression_of_path(std::string_view path) {
  if (path.ends_with(snapshot::compression_suffix(Compression::kLz4))) return Compression::kLz4;
  if (path.ends_with(snapshot::compression_suffix(Compression::kZstd))) return Compression::kZstd;
  return Compression::kNone;
}

ContentCheck check_content(std::unique_ptr<InputStream> stored, Compression compression, ContentKind kind,
                           bool parse_rows) {
  ContentCheck out;
  auto source_owner = std::make_unique<TrapInput>(std::move(stored));
  const TrapInput* source = source_owner.get();
  auto digest = std::make_shared<load::StreamDigest>();
  std::unique_ptr<InputStream> hashed = load::make_hashing_input(std::move(source_owner), digest);
  std::unique_ptr<InputStream> decoder =
      snapshot::open_data_file(std::make_unique<TrapInput>(*hashed), compression);
  TrapInput decoded(*decoder);

  Status status = ok_status();
  switch (kind) {
    case ContentKind::kData:
      status = parse_rows ? parse_data_rows(decoded, out) : count_data_rows(decoded, out);
      break;
    case ContentKind::kSchema:
      status = parse_schema_lines(decoded, out);
      break;
    case ContentKind::kOther:
      status = read_to_end(decoded, out);
      break;
  }
  // The compressed stream's end is checked only when it was read to its end.
  if (!decoded.error()) {
    Status finished = decoded.finish();
    if (status.ok()) status = std::move(finished);
  }
  if (!status.ok() && !source->error()) {
    if (decoded.error()) {
      out.decode_error = decoded.error();
    } else {
      out.content_error = std::move(status).error();
    }
  }
  // What is left of the stored bytes after a decode or content error still counts for the size and SHA-256.
  std::vector<uint8_t> rest(source->error() ? 0 : kReadPiece);
  while (!source->error()) {
    Result<size_t> n = hashed->read(rest);
    if (!n.ok() || *n == 0) break;
  }
  out.size = digest->size;
  if (source->error()) {
    out.source_error = source->error();
  } else {
    out.sha256 = digest->sha256;
  }
  return out;
}

ManifestIndex index_manifest(const snapshot::Manifest& manifest, const std::string& id,
                             const std::string& prefix, std::vector<Problem>& problems) {
  const std::string where = prefix + std::string(snapshot::kManifestFileName);
  auto problem = [&](std::string what) { problems.push_back(Problem{where, std::nullopt, std::move(what)}); };
  constexpr std::string_view kEdited = "the manifest was edited or damaged after the snapshot was written";
  constexpr std::string_view kRedo = "take a new snapshot or restore from an older one";

  if (manifest.id != id) {
    problem(
        fmt::format("the manifest is of snapshot {}, not of {}: it was copied from another snapshot, or {}; "
                    "this snapshot cannot be trusted to restore; {}",
                    manifest.id, id, kEdited, kRedo));
  }
  ManifestIndex index;
  for (const snapshot::SnapshotFile& file : manifest.files) {
    if (!is_safe_path(file.path)) {
      problem(
          fmt::format("lists the file \"{}\", a path mzl-snapshot never writes (outside the snapshot, or "
                      "empty components): {}; the file is not opened; {}",
                      file.path, kEdited, kRedo));
      continue;
    }
    if (!index.emplace(file.path, ListedFile{&file}).second) {
      problem(fmt::format("lists {} twice: {}; {}", file.path, kEdited, kRedo));
    }
  }
  for (const snapshot::TableEntry& table : manifest.tables) {
    uint64_t rows = 0;
    for (const snapshot::DataFile& data : table.files) {
      rows += data.rows;
      if (!is_safe_path(data.path)) {
        problem(fmt::format("table {} has the data file \"{}\", a path mzl-snapshot never writes: {}; {}",
                            table_name(table), data.path, kEdited, kRedo));
        continue;
      }
      auto listed = index.find(data.path);
      if (listed == index.end()) {
        problem(
            fmt::format("table {}'s data file {} is not among the manifest's files (no size and SHA-256 to "
                        "check it against): {}; this snapshot cannot restore table {}; {}",
                        table_name(table), data.path, kEdited, table_name(table), kRedo));
        continue;
      }
      if (listed->second.table) {
        problem(fmt::format("the data file {} is listed for table {} and for table {}: {}; {}", data.path,
                            table_name(*listed->second.table), table_name(table), kEdited, kRedo));
        continue;
      }
      listed->second.table = &table;
      listed->second.data = &data;
      if (compression_of_path(data.path) != manifest.compression) {
        problem(fmt::format("the data file {} is not named for the snapshot's compression \"{}\": {}; {}",
                            data.path, snapshot::compression_name(manifest.compression), kEdited, kRedo));
      }
    }
    if (rows != table.rows) {
      problem(fmt::format("table {} is listed with {} rows, its data files with {} in all: {}; {}",
                          table_name(table), table.rows, rows, kEdited, kRedo));
    }
  }
  return index;
}

std::string consequence(const ListedFile& listed) {
  constexpr std::string_view kRedo = "take a new snapshot or restore from an older one";
  if (listed.table)
    return fmt::format("this snapshot cannot restore table {}; {}", table_name(*listed.table), kRedo);
  if (listed.file && listed.file->path == snapshot::kSchemaFileName) {
    return fmt::format("this snapshot cannot restore its schema, and so none of its tables; {}", kRedo);
  }
  return fmt::format("a restore cannot trust this snapshot; {}", kRedo);
}

bool judge_content(const ContentCheck& content, const ListedFile& listed, const std::string& where,
                   std::vector<Problem>& problems) {
  const snapshot::SnapshotFile& file = *listed.file;
  const std::string then = consequence(listed);
  auto add = [&](std::optional<uint64_t> offset, std::string what) {
    problems.push_back(Problem{where, offset, std::move(what)});
    return false;
  };
  if (content.source_error) {
    return add(content.source_error->offset,
               fmt::format("cannot be read ({}): {}", content.source_error->message, then));
  }
  const bool compressed = compression_of_path(file.path) != Compression::kNone;
  // What decoding found, as a clause; a decoder's offset is one in the stored bytes, a row's only when the
  // file is not compressed.
  std::string found;
  std::optional<uint64_t> found_at;
  if (content.decode_error) {
    found = fmt::format("its compressed data does not decode{} ({})", at_byte(content.decode_error->offset),
                        content.decode_error->message);
    found_at = content.decode_error->offset;
  } else if (content.content_error) {
    const char* what = content_kind_of(file.path) == ContentKind::kSchema ? "lines" : "rows";
    if (compressed) {
      found = fmt::format("its {} do not parse at byte {} of the decompressed text ({})", what,
                          content.content_error->offset.value_or(0), content.content_error->message);
    } else {
      found = fmt::format("its {} do not parse{} ({})", what, at_byte(content.content_error->offset),
                          content.content_error->message);
      found_at = content.content_error->offset;
    }
  }
  const std::string and_found = found.empty() ? "" : "; " + found;

  if (content.size < file.size) {
    return add(content.size,
               fmt::format("has {} bytes, the manifest says {}: the file was cut short here{}; the "
                           "file differs from what was written: {}",
                           content.size, file.size, and_found, then));
  }
  if (content.size > file.size) {
    return add(file.size, fmt::format("has {} bytes, the manifest says {}: {} bytes were added after this "
                                      "one{}; the file differs from what was written: {}",
                                      content.size, file.size, content.size - file.size, and_found, then));
  }
  if (content.sha256 != file.sha256) {
    return add(found_at, fmt::format("its SHA-256 {} differs from the manifest's {} (the checksum cannot say "
                                     "where the bytes differ){}; the file differs from what was written: {}",
                                     content.sha256, file.sha256, and_found, then));
  }
  if (!found.empty()) {
    return add(found_at, fmt::format("{}, although its SHA-256 matches the manifest: it was written this way "
                                     "(or the manifest was made to match it): {}",
                                     found, then));
  }
  if (!listed.data) return true;
  const snapshot::DataFile& data = *listed.data;
  const snapshot::TableEntry& table = *listed.table;
  constexpr std::string_view kChanged =
      "its SHA-256 matches, so the manifest was changed after the snapshot was written";
  if (content.rows != data.rows) {
    return add(std::nullopt, fmt::format("holds {} rows, the manifest lists {} ({}): {}", content.rows,
                                         data.rows, kChanged, then));
  }
  if (content.raw_bytes != data.raw_bytes) {
    return add(std::nullopt, fmt::format("decompresses to {} bytes, the manifest says {} ({}): {}",
                                         content.raw_bytes, data.raw_bytes, kChanged, then));
  }
  if (content.fields && !table.columns.empty() && *content.fields != table.columns.size()) {
    return add(std::nullopt,
               fmt::format("its rows have {} fields, the manifest's table {} has {} columns ({}): {}",
                           *content.fields, table_name(table), table.columns.size(), kChanged, then));
  }
  return true;
}

}  // namespace mzl::verify
