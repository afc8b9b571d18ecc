#pragma once
// What the snapshot loader's integration tests (snapshot_loader_test.cc: directories,
// snapshot_stream_loader_test.cc: tar streams) share: a small snapshot each test builds itself. Schema
// objects are written as SHOW CREATE prints them, rows the test defines in the documented LOAD DATA text
// format (escaped here by hand, per row_text.h's rules) into lz4, zstd and plain data files by the snapshot's
// writer, and a manifest. After loading, every value is read back from the server and compared with what the
// test wrote.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mzl/load/snapshot_loader.h"
#include "mzl/snapshot/manifest.h"
#include "sandbox.h"

// REQUIREs a Result to be ok, printing its error otherwise.
#define REQUIRE_OK(expr)                                                                    \
  do {                                                                                      \
    const auto& require_ok_result = (expr);                                                 \
    INFO((require_ok_result.ok() ? std::string() : require_ok_result.error().to_string())); \
    REQUIRE(require_ok_result.ok());                                                        \
  } while (0)

namespace mzl::test {

inline constexpr const char* kSnapshotId = "20261122T040000Z";

struct TestTable {
  std::string name;
  std::string create_sql;
  std::string load_columns{};
  std::string load_set{};
  snapshot::Compression compression = snapshot::Compression::kNone;
  std::vector<std::string> files{};  // each file's row text
  std::vector<uint64_t> rows{};      // rows per file
};

struct TestSnapshot {
  std::string database;
  std::vector<snapshot::SchemaObject> objects;  // in schema.jsonl order
  std::vector<TestTable> tables;
};

snapshot::SchemaObject object(std::string kind, std::string database, std::string name, std::string sql,
                              std::string sql_mode = "", std::string charset = "",
                              std::string collation = "");

// Database `db` with four tables (every escaped byte, 30000 rows in zstd files, plain rows, an audit table),
// views (one on a view listed before it, one needing ANSI_QUOTES), a procedure, a trigger and an event.
TestSnapshot make_test_snapshot(const std::string& db);

// An empty directory <tmp>/mzl-loader-test-<pid>/<name>.
std::filesystem::path scratch_dir(const std::string& name);

// Writes the snapshot's directory (schema.jsonl, data files, manifest.json) and returns the manifest.
snapshot::Manifest write_snapshot(const TestSnapshot& s, const std::filesystem::path& dir);

std::vector<uint8_t> file_bytes(const std::filesystem::path& path);

// The snapshot directory as a tar stream in the documented order: schema.jsonl, data, manifest.json last
// (unless !with_manifest); one byte of `corrupt_member` flipped.
std::vector<uint8_t> tar_of(const std::filesystem::path& dir, const snapshot::Manifest& manifest,
                            bool with_manifest, const std::string& corrupt_member = "");

// Loading into the sandbox primary with two connections.
load::LoadOptions load_options();

void drop_database(MysqlConnection& c, const std::string& db);
// The first column of every row.
std::vector<std::string> column(MysqlConnection& c, const std::string& sql);

// Every value of the test snapshot, read back from database `db`.
void check_loaded(MysqlConnection& c, const std::string& db);
// The trigger fires once the load is done.
void check_trigger_fires(MysqlConnection& c, const std::string& db);
uint64_t total_rows(const TestSnapshot& s);

}  // namespace mzl::test
