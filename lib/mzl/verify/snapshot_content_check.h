#pragma once
// The pieces shared by the directory and the stream checks of snapshot_check.h: reading one stored file once
// (hash, decompress, parse), checking a manifest for what makes it unusable, and judging what was read of a
// file against the manifest's entry for it.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/snapshot/manifest.h"
#include "mzl/util/error.h"
#include "mzl/util/input_stream.h"
#include "mzl/verify/problem.h"

namespace mzl::verify {

enum class ContentKind { kData, kSchema, kOther };

// "schema.jsonl" is the schema, "data/..." a data file, anything else other (hashed and decoded only).
ContentKind content_kind_of(std::string_view relative_path);
// By the name's suffix, as the restorer decodes: ".lz4", ".zst", else none.
snapshot::Compression compression_of_path(std::string_view path);

// What reading one stored file found. Reading goes on to the end of the stored bytes after a decode or
// content error, so size and sha256 are those of the whole file unless source_error is set.
struct ContentCheck {
  uint64_t size = 0;             // stored bytes read
  std::string sha256;            // lowercase hex of them; "" when source_error is set
  uint64_t raw_bytes = 0;        // decompressed bytes decoded (up to a decode error)
  uint64_t rows = 0;             // data: rows read (up to a content error)
  std::optional<size_t> fields;  // data, rows parsed: fields of every row (nullopt: no row, or not parsed)
  std::optional<Error> source_error;   // the stored bytes could not be read (I/O; a stream cut inside it)
  std::optional<Error> decode_error;   // bad compressed data, or compressed data that ends inside a frame
  std::optional<Error> content_error;  // rows that are not LOAD DATA text, rows with different field counts,
                                       // a schema line that does not decode; offset in the decompressed text
};

// Reads `stored` to its end once: SHA-256 and size of its bytes (load/hashing_input.h), decompressed as
// `compression` (open_data_file), and for kData rows counted (parse_rows: parsed with RowTextReader and field
// counts compared; else LF bytes counted), for kSchema every line decoded as a SchemaObject. Never fails:
// what went wrong is in the result.
ContentCheck check_content(std::unique_ptr<InputStream> stored, snapshot::Compression compression,
                           ContentKind kind, bool parse_rows);

// The manifest's files by path, with the table and data file each one holds.
struct ListedFile {
  const snapshot::SnapshotFile* file = nullptr;
  const snapshot::TableEntry* table = nullptr;  // data files of a table
  const snapshot::DataFile* data = nullptr;
};
using ManifestIndex = std::map<std::string, ListedFile>;

// Indexes `manifest` (of the snapshot `id`) and adds a Problem at `prefix + "manifest.json"` for each thing
// that makes it unusable: another id, a path that is empty, absolute, has "." or ".." or empty components,
// or is manifest.json (such a file is left out of the index: it is never opened), a path listed twice, a
// table's data file that is not in "files" or belongs to two tables, a table whose rows are not the sum of
// its files' rows, a data file not named with the manifest's compression suffix.
ManifestIndex index_manifest(const snapshot::Manifest& manifest, const std::string& id,
                             const std::string& prefix, std::vector<Problem>& problems);

// What a damaged `listed` file means for a restore, and what to do, as the end of a sentence.
std::string consequence(const ListedFile& listed);

// Compares what was read of `listed` with the manifest and adds at most one Problem at `where`: different
// size or SHA-256, bytes that do not decode or parse although the SHA-256 matches, another row count or
// fields per row than the manifest's table has. Returns whether the file is as the manifest describes.
bool judge_content(const ContentCheck& content, const ListedFile& listed, const std::string& where,
                   std::vector<Problem>& problems);

}  // namespace mzl::verify
