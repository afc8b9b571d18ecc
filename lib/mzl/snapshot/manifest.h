#pragma once
// REPO/snapshots/<id>/manifest.json: what one snapshot holds (man/mzl.7, SNAPSHOTS). Written last, after
// every file it lists is fsynced, so a snapshot directory with a manifest is complete. Every later program
// (verify, restore, prune, list) reads the snapshot only through this description.
//
// Layout of a snapshot (directory or the tar stream of `--output -`, where every path is prefixed "<id>/"):
//   schema.jsonl                      one JSON object per line per schema object, in restore order
//   (SchemaObject) data/<db>/<table>.<chunk>.<part>.tsv[.lz4|.zst]
//                                     rows in LOAD DATA's default text format (see row_text.h); <db> and
//                                     <table> are file_name_component() of the names; <chunk> 5 and <part> 3
//                                     digits
//   manifest.json                     this description; in a stream it is the last member
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/repo/repository_layout.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

inline constexpr int kManifestFormat = 1;

enum class Compression { kNone, kLz4, kZstd };
// "none", "lz4", "zstd"; and the file-name suffix ("", ".lz4", ".zst").
std::string_view compression_name(Compression c);
std::string_view compression_suffix(Compression c);
Result<Compression> parse_compression(std::string_view name);

// The server the snapshot was taken from (the same fields as archive::ServerIdentity, plus the address).
struct SnapshotServer {
  std::string address;  // "host:port" or the socket path, as connected
  std::string source;   // the archive source name this server's binlogs are kept under (binlogs/<source>/)
  std::string server_uuid;  // MySQL @@server_uuid; "" for MariaDB
  uint32_t server_id = 0;
  std::string flavour;  // "mariadb" | "mysql"
  std::string version;  // @@version
  bool operator==(const SnapshotServer&) const = default;
};

// The binlog point the data is consistent with: replaying the archive from here gives later states.
struct BinlogCoordinates {
  std::string file;  // e.g. "mariadb-bin.000042"; "" when the server has no binary log
  uint64_t position = 0;
  std::string gtid;  // MariaDB gtid_binlog_pos at that point ("0-1-100,1-2-5") or a MySQL GTID set
  bool operator==(const BinlogCoordinates&) const = default;
};

// How the parallel connections were made to see the same instant (man/mzl-snapshot.1, CONSISTENCY).
struct LockInfo {
  std::string method;  // "backup_stage_block_commit" or "flush_tables_with_read_lock"; "none" only in
                       // manifests of older versions (a lock-free start, since removed as unsafe)
  double seconds = 0;  // how long commits were blocked
  int attempts = 0;    // 0; older versions counted lock-free attempts here (kept: the manifest format)
  bool operator==(const LockInfo&) const = default;
};

// One file of the snapshot, relative to the snapshot directory.
struct SnapshotFile {
  std::string path;
  uint64_t size = 0;   // bytes on disk (compressed)
  std::string sha256;  // lowercase hex of the bytes on disk
  bool operator==(const SnapshotFile&) const = default;
};

// One data file of a table: a whole number of rows.
struct DataFile {
  std::string path;  // also listed in Manifest::files
  uint64_t rows = 0;
  uint64_t raw_bytes = 0;  // uncompressed size
  bool operator==(const DataFile&) const = default;
};

struct TableEntry {
  std::string database;
  std::string name;
  std::string engine;
  uint64_t rows = 0;                 // sum of the data files' rows
  std::vector<std::string> columns;  // the dumped columns, in file order (generated columns are not dumped)
  // The LOAD DATA column list and SET clause that put the file's fields back, e.g.
  //   load_columns "`id`,`k`,@mzl_3"  load_set "`b`=CAST(@mzl_3 AS UNSIGNED)"  (load_set may be "")
  std::string load_columns;
  std::string load_set;
  std::vector<DataFile> files;  // in dump order
  bool operator==(const TableEntry&) const = default;
};

struct Manifest {
  int format = kManifestFormat;
  std::string id;  // the directory name, e.g. "20261122T040000Z"
  std::string tool_version;
  SnapshotServer server;
  BinlogCoordinates binlog;
  std::string started_at;  // UTC, "2026-11-22T04:00:00.123Z"
  std::string finished_at;
  LockInfo lock;
  Compression compression = Compression::kLz4;
  unsigned threads = 1;
  bool includes_users = false;
  std::vector<std::string> databases;  // the databases dumped
  std::vector<TableEntry> tables;
  std::vector<SnapshotFile> files;  // every file of the snapshot except manifest.json, sorted by path
  bool operator==(const Manifest&) const = default;
};

// One JSON object (pretty enough to read: one file/table per line), ending in a newline.
std::string encode_manifest(const Manifest& manifest);
// Parses what encode_manifest() writes; unknown keys are ignored; a missing/newer "format", a wrong type or
// bad JSON is kCorrupt at `where`.
Result<Manifest> decode_manifest(std::string_view json, const std::string& where);

// A schema object as one line of schema.jsonl:
// {"kind":"table","database":"db","name":"t","sql":"CREATE TABLE ...","sql_mode":"...",
//  "character_set_client":"utf8mb4","collation_connection":"utf8mb4_general_ci"}
// kind: database, table, view, procedure, function, trigger, event, user, grant (restore order: databases,
// tables, [data], views, procedures/functions, triggers, events, users, grants). sql_mode and the character
// sets are "" when the server does not report them (then the restorer uses its defaults).
struct SchemaObject {
  std::string kind;
  std::string database;  // "" for users and grants
  std::string name;
  std::string sql;
  std::string sql_mode;
  std::string character_set_client;
  std::string collation_connection;
  // kind "table" only: the same LOAD DATA column list and SET clause as its TableEntry, so that a snapshot
  // stream (whose manifest comes last) can be loaded as it arrives. "" otherwise.
  std::string load_columns;
  std::string load_set;
  bool operator==(const SchemaObject&) const = default;
};
std::string encode_schema_object(const SchemaObject& object);  // one line, ending in "\n"
Result<SchemaObject> decode_schema_object(std::string_view line, const std::string& where);

inline constexpr std::string_view kSchemaFileName = "schema.jsonl";
using repo::kManifestFileName;  // the layout is repo/repository_layout.h

// "data/<db>/<table>.<chunk>.<part>.tsv<suffix>" (the layout above), e.g.
// "data/shop/order@20items.00000.000.tsv.lz4".
std::string data_file_path(std::string_view database, std::string_view table, unsigned chunk, unsigned part,
                           Compression compression);

// A database or table name as a file-name component: bytes [A-Za-z0-9_-] kept, every other byte as "@xx"
// (lowercase hex), so any identifier maps to a unique, portable name. "." and ".." cannot occur.
std::string file_name_component(std::string_view identifier);

}  // namespace mzl::snapshot
