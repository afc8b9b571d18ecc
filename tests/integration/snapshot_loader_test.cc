// The snapshot loader (restore/snapshot_loader.h) against the sandbox primary. Each test builds a small
// snapshot itself: schema objects written as SHOW CREATE prints them, rows the test defines, written in the
// documented LOAD DATA text format (escaped here by hand, per row_text.h's rules) into lz4, zstd and plain
// data files by the snapshot's writer, and a manifest. After loading, every value is read back from the
// server and compared with what the test wrote.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "load_data_reference.h"
#include "mzl/restore/snapshot_loader.h"
#include "mzl/snapshot/data_file_writer.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/tar_stream.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/output_stream.h"
#include "sandbox.h"

// REQUIREs a Result to be ok, printing its error otherwise.
#define REQUIRE_OK(expr)                                                                    \
  do {                                                                                      \
    const auto& require_ok_result = (expr);                                                 \
    INFO((require_ok_result.ok() ? std::string() : require_ok_result.error().to_string())); \
    REQUIRE(require_ok_result.ok());                                                        \
  } while (0)

namespace {

namespace fs = std::filesystem;
using mzl::ErrorCode;
using mzl::snapshot::Compression;
using mzl::snapshot::SchemaObject;
using mzl::test::append_reference_escaped;
using Field = std::optional<std::string>;
using TextRow = std::vector<Field>;

constexpr const char* kSnapshotId = "20261122T040000Z";

// row_text.h's format, written independently of the snapshot's own encoder.
std::string escape_field(const Field& field) {
  if (!field) return "\\N";
  std::string out;
  append_reference_escaped(out, *field);
  return out;
}

std::string row_text(const std::vector<TextRow>& rows) {
  std::string out;
  for (const TextRow& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += '\t';
      out += escape_field(row[i]);
    }
    out += '\n';
  }
  return out;
}

std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02X}", c);
  return out;
}

struct TestTable {
  std::string name;
  std::string create_sql;
  std::string load_columns, load_set;
  Compression compression = Compression::kNone;
  std::vector<std::string> files;  // each file's row text
  std::vector<uint64_t> rows;      // rows per file
};

struct TestSnapshot {
  std::string database;
  std::vector<SchemaObject> objects;  // in schema.jsonl order
  std::vector<TestTable> tables;
};

SchemaObject object(std::string kind, std::string database, std::string name, std::string sql,
                    std::string sql_mode = "", std::string charset = "", std::string collation = "") {
  SchemaObject o;
  o.kind = std::move(kind);
  o.database = std::move(database);
  o.name = std::move(name);
  o.sql = std::move(sql);
  o.sql_mode = std::move(sql_mode);
  o.character_set_client = std::move(charset);
  o.collation_connection = std::move(collation);
  return o;
}

// t_text: every byte the format escapes, NULL vs "" vs the string \N, UTF-8, binary, and id 0 in an
// AUTO_INCREMENT column (NO_AUTO_VALUE_ON_ZERO must keep it).
std::vector<TextRow> text_rows() {
  return {
      {"0", std::string("zero"), std::string("\x00\x01\xff", 3), std::nullopt},
      {"1", std::string("tab\there"), std::string("line\nfeed\rcr"), std::string("")},
      {"2", std::string("back\\slash"), std::string("ctrl-z\x1a", 7), std::string("\\N")},
      {"3", std::string(""), std::string(""), std::string("NULL")},
      {"4", std::string("ünïcödé ✓ 𝄞"), std::nullopt, std::string("a\tb\nc\\d\0e", 9)},
      {"5", std::nullopt, std::string("\\"), std::string("trailing space ")},
  };
}

// t_numbers: many rows in several zstd files; b is BIT(5), loaded through a user variable and SET.
TextRow number_row(int i) {
  return {
      std::to_string(i * 7), fmt::format("{}.{:06d}", i, (i * 37) % 1000000),
      fmt::format("2026-01-{:02d} {:02d}:{:02d}:{:02d}.{:06d}", 1 + i % 28, i % 24, i % 60, (i / 60) % 60, i),
      std::to_string(i % 32)};
}
constexpr int kNumberRows = 30000;
constexpr int kNumberFiles = 3;

std::vector<TextRow> plain_rows() {
  std::vector<TextRow> rows;
  for (int i = 1; i <= 50; ++i) rows.push_back({std::to_string(i), fmt::format("plain {}", i)});
  return rows;
}

TestSnapshot make_test_snapshot(const std::string& db) {
  TestSnapshot s;
  s.database = db;
  TestTable text{
      "t_text",
      "CREATE TABLE `t_text` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `name` varchar(100) CHARACTER "
      "SET utf8mb4 DEFAULT NULL,\n  `data` varbinary(100) DEFAULT NULL,\n  `note` text CHARACTER SET "
      "utf8mb4 DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1 "
      "COLLATE=latin1_swedish_ci",
      "`id`,`name`,`data`,`note`",
      "",
      Compression::kLz4,
      {},
      {}};
  const auto rows = text_rows();
  text.files = {row_text({rows.begin(), rows.begin() + 3}), row_text({rows.begin() + 3, rows.end()})};
  text.rows = {3, 3};

  TestTable numbers{
      "t_numbers",
      "CREATE TABLE `t_numbers` (\n  `id` bigint(20) NOT NULL,\n  `d` decimal(20,6) NOT NULL,\n  `ts` "
      "datetime(6) NOT NULL,\n  `b` bit(5) NOT NULL,\n  PRIMARY KEY (`id`),\n  KEY `k_d` (`d`)\n) "
      "ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
      "`id`,`d`,`ts`,@mzl_3",
      "`b`=CAST(@mzl_3 AS UNSIGNED)",
      Compression::kZstd,
      {},
      {}};
  for (int f = 0; f < kNumberFiles; ++f) {
    std::vector<TextRow> part;
    for (int i = f * kNumberRows / kNumberFiles + 1; i <= (f + 1) * kNumberRows / kNumberFiles; ++i) {
      part.push_back(number_row(i));
    }
    numbers.files.push_back(row_text(part));
    numbers.rows.push_back(part.size());
  }

  // Written by hand: the format as documented, not through any encoder.
  TestTable plain{
      "t_plain",
      "CREATE TABLE `t_plain` (\n  `id` int(11) NOT NULL,\n  `v` varchar(20) DEFAULT NULL,\n  PRIMARY KEY "
      "(`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
      "`id`,`v`",
      "",
      Compression::kNone,
      {row_text(plain_rows())},
      {50}};

  TestTable audit{"audit",
                  "CREATE TABLE `audit` (\n  `id` int(11) DEFAULT NULL\n) ENGINE=InnoDB DEFAULT "
                  "CHARSET=latin1 COLLATE=latin1_swedish_ci",
                  "`id`",
                  "",
                  Compression::kLz4,
                  {},
                  {}};

  s.objects.push_back(object("database", db, db,
                             fmt::format("CREATE DATABASE `{}` /*!40100 DEFAULT CHARACTER SET latin1 COLLATE "
                                         "latin1_swedish_ci */",
                                         db)));
  for (const TestTable* t : {&text, &numbers, &plain, &audit}) {
    SchemaObject o = object("table", db, t->name, t->create_sql, "NO_ENGINE_SUBSTITUTION", "utf8mb4",
                            "utf8mb4_general_ci");
    o.load_columns = t->load_columns;
    o.load_set = t->load_set;
    s.objects.push_back(std::move(o));
  }
  // v_top reads v_base, and comes first: the loader must retry it.
  s.objects.push_back(
      object("view", db, "v_top",
             "CREATE ALGORITHM=UNDEFINED DEFINER=`mzl`@`127.0.0.1` SQL SECURITY DEFINER VIEW `v_top` AS "
             "select `v_base`.`id` AS `id` from `v_base` where `v_base`.`id` < 3",
             "", "utf8mb4", "utf8mb4_general_ci"));
  s.objects.push_back(
      object("view", db, "v_base",
             "CREATE ALGORITHM=UNDEFINED DEFINER=`mzl`@`127.0.0.1` SQL SECURITY DEFINER VIEW `v_base` AS "
             "select `t_text`.`id` AS `id` from `t_text` where `t_text`.`id` > 0",
             "", "utf8mb4", "utf8mb4_general_ci"));
  // Only parses with its recorded sql_mode (ANSI_QUOTES).
  s.objects.push_back(object("view", db, "v_ansi", "CREATE VIEW \"v_ansi\" AS SELECT \"id\" FROM \"t_plain\"",
                             "ANSI_QUOTES", "utf8mb4", "utf8mb4_general_ci"));
  s.objects.push_back(
      object("procedure", db, "p_count",
             "CREATE DEFINER=`mzl`@`127.0.0.1` PROCEDURE `p_count`()\nSELECT COUNT(*) FROM t_plain",
             "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", "latin1", "latin1_swedish_ci"));
  // Must not fire while the data loads (audit stays empty), and must exist afterwards.
  s.objects.push_back(
      object("trigger", db, "trg_text",
             "CREATE DEFINER=`mzl`@`127.0.0.1` trigger trg_text after insert on t_text for each row "
             "insert into audit values (new.id)",
             "STRICT_TRANS_TABLES", "utf8mb4", "utf8mb4_general_ci"));
  s.objects.push_back(
      object("event", db, "e_never",
             "CREATE DEFINER=`mzl`@`127.0.0.1` EVENT `e_never` ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE "
             "FROM t_plain",
             "", "utf8mb4", "utf8mb4_general_ci"));
  s.tables = {text, numbers, plain, audit};
  return s;
}

fs::path scratch_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / fmt::format("mzl-loader-test-{}", getpid()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Writes the snapshot's directory (schema.jsonl, data files, manifest.json) and returns the manifest.
mzl::snapshot::Manifest write_snapshot(const TestSnapshot& s, const fs::path& dir) {
  mzl::snapshot::Manifest manifest;
  manifest.id = kSnapshotId;
  manifest.tool_version = "test";
  manifest.server.flavour = "mariadb";
  manifest.databases = {s.database};
  manifest.compression = Compression::kLz4;

  std::string schema;
  for (const SchemaObject& o : s.objects) schema += mzl::snapshot::encode_schema_object(o);
  {
    std::ofstream out(dir / "schema.jsonl", std::ios::binary);
    out << schema;
  }
  const std::vector<uint8_t> schema_bytes(schema.begin(), schema.end());
  manifest.files.push_back({"schema.jsonl", schema_bytes.size(), mzl::snapshot::sha256_hex(schema_bytes)});

  for (const TestTable& t : s.tables) {
    mzl::snapshot::TableEntry entry;
    entry.database = s.database;
    entry.name = t.name;
    entry.engine = "InnoDB";
    entry.load_columns = t.load_columns;
    entry.load_set = t.load_set;
    const std::string table_dir = fmt::format("data/{}", mzl::snapshot::file_name_component(s.database));
    fs::create_directories(dir / table_dir);
    for (size_t i = 0; i < t.files.size(); ++i) {
      const std::string path =
          fmt::format("{}/{}.00000.{:03d}.tsv{}", table_dir, mzl::snapshot::file_name_component(t.name), i,
                      mzl::snapshot::compression_suffix(t.compression));
      auto writer = mzl::snapshot::DataFileWriter::create_file((dir / path).string(), t.compression);
      REQUIRE(writer.ok());
      REQUIRE((*writer)->write(t.files[i]).ok());
      auto digest = (*writer)->finish();
      REQUIRE(digest.ok());
      REQUIRE(digest->raw_bytes == t.files[i].size());
      entry.files.push_back({path, t.rows[i], digest->raw_bytes});
      entry.rows += t.rows[i];
      manifest.files.push_back({path, digest->size, digest->sha256});
    }
    manifest.tables.push_back(std::move(entry));
  }
  std::sort(manifest.files.begin(), manifest.files.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::ofstream(dir / "manifest.json", std::ios::binary) << mzl::snapshot::encode_manifest(manifest);
  return manifest;
}

std::vector<uint8_t> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The snapshot directory as a tar stream in the documented order: schema.jsonl, data, manifest.json last.
std::vector<uint8_t> tar_of(const fs::path& dir, const mzl::snapshot::Manifest& manifest, bool with_manifest,
                            const std::string& corrupt_member = "") {
  std::vector<uint8_t> tar;
  auto out = mzl::make_memory_output(tar);
  mzl::snapshot::TarWriter writer(*out);
  auto add = [&](const std::string& path) {
    std::vector<uint8_t> bytes = file_bytes(dir / path);
    if (path == corrupt_member) bytes[bytes.size() / 2] ^= 0x01;
    REQUIRE(writer.add_file(fmt::format("{}/{}", manifest.id, path), bytes, 1'700'000'000).ok());
  };
  add("schema.jsonl");
  for (const auto& f : manifest.files) {
    if (f.path != "schema.jsonl") add(f.path);
  }
  if (with_manifest) add("manifest.json");
  REQUIRE(writer.finish().ok());
  REQUIRE(out->close().ok());
  return tar;
}

mzl::restore::LoadOptions load_options() {
  const mzl::test::SandboxServer server = mzl::test::primary_server();
  mzl::restore::LoadOptions options;
  options.target.host = server.host;
  options.target.port = server.port;
  options.target.user = server.user;
  options.target.password = server.password;
  options.target.ssl_mode = mzl::net::SslMode::kDisabled;
  options.threads = 2;
  return options;
}

void drop_database(mzl::test::MysqlConnection& c, const std::string& db) {
  c.query(fmt::format("DROP DATABASE IF EXISTS `{}`", db));
}

std::vector<std::string> column(mzl::test::MysqlConnection& c, const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& row : c.query(sql)) out.push_back(row.at(0));
  return out;
}

// Every value of the test snapshot, read back from database `db`.
void check_loaded(mzl::test::MysqlConnection& c, const std::string& db) {
  // t_text: NULL-ness and exact bytes of each field.
  const auto rows = text_rows();
  const auto got = c.query(fmt::format(
      "SELECT id, name IS NULL, HEX(name), data IS NULL, HEX(data), note IS NULL, HEX(note) FROM `{}`.t_text "
      "ORDER BY id",
      db));
  REQUIRE(got.size() == rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO("t_text row " << i);
    CHECK(got[i][0] == *rows[i][0]);
    for (size_t f = 1; f < 4; ++f) {
      CHECK(got[i][2 * f - 1] == (rows[i][f] ? "0" : "1"));
      if (rows[i][f]) CHECK(got[i][2 * f] == hex(*rows[i][f]));
    }
  }
  // t_numbers: every row.
  const auto numbers = c.query(
      fmt::format("SELECT CAST(id AS CHAR), CAST(d AS CHAR), CAST(ts AS CHAR), CAST(b+0 AS CHAR) FROM "
                  "`{}`.t_numbers ORDER BY id",
                  db));
  REQUIRE(numbers.size() == kNumberRows);
  for (int i = 1; i <= kNumberRows; ++i) {
    const TextRow expected = number_row(i);
    const auto& row = numbers[i - 1];
    if (row[0] != *expected[0] || row[1] != *expected[1] || row[2] != *expected[2] ||
        row[3] != *expected[3]) {
      FAIL(fmt::format("t_numbers row {}: got {} {} {} {}", i, row[0], row[1], row[2], row[3]));
    }
  }
  const auto plain = c.query(fmt::format("SELECT id, v FROM `{}`.t_plain ORDER BY id", db));
  REQUIRE(plain.size() == 50);
  for (int i = 1; i <= 50; ++i)
    CHECK(plain[i - 1] == mzl::test::Row{std::to_string(i), fmt::format("plain {}", i)});
  // The tables as the snapshot described them (t_numbers' key k_d was added after its data).
  for (const TestTable& t : make_test_snapshot(db).tables) {
    if (t.name == "t_text") continue;  // SHOW CREATE TABLE adds AUTO_INCREMENT=<next>
    CHECK(c.query(fmt::format("SHOW CREATE TABLE `{}`.`{}`", db, t.name)).at(0).at(1) == t.create_sql);
  }
  // The trigger existed only after the data: nothing audited.
  CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.audit", db)) == "0");
  // Views, including the one on a view listed before it, and the ANSI_QUOTES one.
  CHECK(column(c, fmt::format("SELECT id FROM `{}`.v_top ORDER BY id", db)) ==
        std::vector<std::string>{"1", "2"});
  CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.v_ansi", db)) == "50");
  // Routines and events with their recorded session settings.
  CHECK(c.scalar(
            fmt::format("SELECT CONCAT(SQL_MODE, '|', CHARACTER_SET_CLIENT) FROM information_schema.ROUTINES "
                        "WHERE ROUTINE_SCHEMA = '{}' AND ROUTINE_NAME = 'p_count'",
                        db)) == "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION|latin1");
  // (SLAVESIDE_DISABLED on a replica that received it through replication.)
  CHECK_THAT(
      c.scalar(fmt::format("SELECT STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{}'", db)),
      Catch::EndsWith("DISABLED"));
  CHECK(c.scalar(fmt::format("SELECT SQL_MODE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{}'",
                             db)) == "STRICT_TRANS_TABLES");
}

void check_trigger_fires(mzl::test::MysqlConnection& c, const std::string& db) {
  c.query(fmt::format("INSERT INTO `{}`.t_text (id, name) VALUES (100, 'after load')", db));
  CHECK(c.scalar(fmt::format("SELECT GROUP_CONCAT(id) FROM `{}`.audit", db)) == "100");
}

uint64_t total_rows(const TestSnapshot& s) {
  uint64_t rows = 0;
  for (const auto& t : s.tables) {
    for (uint64_t r : t.rows) rows += r;
  }
  return rows;
}

}  // namespace

TEST_CASE("snapshot loader: a directory loads value for value (lz4, zstd, none), objects after the data") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_dir";
  drop_database(c, db);
  const TestSnapshot s = make_test_snapshot(db);
  const fs::path dir = scratch_dir("dir");
  const auto manifest = write_snapshot(s, dir);

  std::vector<mzl::restore::LoadProgress> reports;
  auto options = load_options();
  options.progress = [&](const mzl::restore::LoadProgress& p) { reports.push_back(p); };
  auto stats = mzl::restore::load_snapshot_directory(dir.string(), options);
  REQUIRE_OK(stats);
  CHECK(stats->manifest == manifest);
  CHECK(stats->databases == 1);
  CHECK(stats->tables == 4);
  CHECK(stats->objects == 6);
  CHECK(stats->files == 6);
  CHECK(stats->rows == total_rows(s));
  REQUIRE_FALSE(reports.empty());
  CHECK(reports.back().phase == "done");
  CHECK(reports.back().files_done == 6);
  CHECK(reports.back().rows == total_rows(s));

  check_loaded(c, db);
  check_trigger_fires(c, db);

  SECTION("a database that already holds tables is refused, and nothing in it changes") {
    const std::string before = c.scalar(fmt::format("CHECKSUM TABLE `{}`.t_plain", db));
    auto again = mzl::restore::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(again.error().message, Catch::Contains(db));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_text", db)) == "7");
  }
}

TEST_CASE("snapshot loader: rename-database restores beside the original, which stays untouched") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_live", renamed = "mzl_load_copy";
  drop_database(c, db);
  drop_database(c, renamed);
  const TestSnapshot s = make_test_snapshot(db);
  const fs::path dir = scratch_dir("rename");
  write_snapshot(s, dir);
  auto options = load_options();
  REQUIRE(mzl::restore::load_snapshot_directory(dir.string(), options).ok());
  c.query(fmt::format("UPDATE `{}`.t_plain SET v = 'live change' WHERE id = 1", db));
  const auto live_before =
      c.query(fmt::format("CHECKSUM TABLE `{0}`.t_text, `{0}`.t_numbers, `{0}`.t_plain", db));

  options.rename_databases = {{db, renamed}};
  options.threads = 3;
  auto stats = mzl::restore::load_snapshot_directory(dir.string(), options);
  REQUIRE_OK(stats);
  check_loaded(c, renamed);
  check_trigger_fires(c, renamed);
  CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.audit", db)) == "0");
  CHECK(c.query(fmt::format("CHECKSUM TABLE `{0}`.t_text, `{0}`.t_numbers, `{0}`.t_plain", db)) ==
        live_before);
  CHECK(c.scalar(fmt::format("SELECT v FROM `{}`.t_plain WHERE id = 1", renamed)) == "plain 1");
  CHECK(c.scalar(fmt::format("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE "
                             "SCHEMA_NAME = '{}'",
                             renamed)) == "latin1");
  drop_database(c, db);
}

TEST_CASE("snapshot loader: filters load only the tables asked for") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_filter";
  drop_database(c, db);
  const fs::path dir = scratch_dir("filter");
  const TestSnapshot s = make_test_snapshot(db);
  write_snapshot(s, dir);
  auto options = load_options();
  options.tables = {db + ".t_plain", db + ".v_ansi"};
  auto stats = mzl::restore::load_snapshot_directory(dir.string(), options);
  REQUIRE_OK(stats);
  CHECK(stats->rows == 50);
  CHECK(column(c,
               fmt::format("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' ORDER "
                           "BY TABLE_NAME",
                           db)) == std::vector<std::string>{"t_plain", "v_ansi"});
  options.tables = {db + ".nope"};
  auto missing = mzl::restore::load_snapshot_directory(dir.string(), options);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  drop_database(c, db);
}

TEST_CASE(
    "snapshot loader: a corrupted or truncated data file is refused, naming the file, its rows rolled back") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_corrupt";
  const fs::path dir = scratch_dir("corrupt");
  const TestSnapshot s = make_test_snapshot(db);
  const auto manifest = write_snapshot(s, dir);
  const std::string plain =
      fmt::format("data/{}/t_plain.00000.000.tsv", mzl::snapshot::file_name_component(db));

  SECTION("one changed byte, same size (SHA-256)") {
    drop_database(c, db);
    std::vector<uint8_t> bytes = file_bytes(dir / plain);
    bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == '7' ? '8' : '7';
    std::ofstream(dir / plain, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto stats = mzl::restore::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kChecksumMismatch);
    CHECK_THAT(stats.error().to_string(), Catch::Contains(plain));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_plain", db)) == "0");
  }
  SECTION("a truncated lz4 file") {
    drop_database(c, db);
    const std::string text =
        fmt::format("data/{}/t_text.00000.001.tsv.lz4", mzl::snapshot::file_name_component(db));
    fs::resize_file(dir / text, fs::file_size(dir / text) - 5);
    auto stats = mzl::restore::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK((stats.error().code == ErrorCode::kCorrupt || stats.error().code == ErrorCode::kChecksumMismatch));
    CHECK_THAT(stats.error().to_string(), Catch::Contains(text));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_text WHERE id >= 3", db)) == "0");
  }
  SECTION("a manifest whose row count differs") {
    drop_database(c, db);
    auto changed = manifest;
    for (auto& t : changed.tables) {
      if (t.name == "t_plain") t.files[0].rows = 49;
    }
    std::ofstream(dir / "manifest.json", std::ios::binary) << mzl::snapshot::encode_manifest(changed);
    auto stats = mzl::restore::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kCorrupt);
    CHECK_THAT(stats.error().to_string(), Catch::Contains(plain));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_plain", db)) == "0");
  }
  SECTION("no manifest") {
    fs::remove(dir / "manifest.json");
    auto stats = mzl::restore::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kNotFound);
  }
  drop_database(c, db);
}

TEST_CASE("snapshot loader: the same snapshot as a tar stream (TarWriter, GNU tar) loads identically") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_tar";
  const fs::path dir = scratch_dir("tar") / kSnapshotId;
  fs::create_directories(dir);
  const TestSnapshot s = make_test_snapshot(db);
  const auto manifest = write_snapshot(s, dir);

  SECTION("TarWriter") {
    drop_database(c, db);
    auto in = mzl::make_memory_input(tar_of(dir, manifest, true), "<tar>");
    auto stats = mzl::restore::load_snapshot_stream(*in, load_options());
    REQUIRE_OK(stats);
    CHECK(stats->manifest == manifest);
    CHECK(stats->rows == total_rows(s));
    CHECK(stats->files == 6);
    CHECK(stats->objects == 6);
    check_loaded(c, db);
    check_trigger_fires(c, db);
  }
  SECTION("GNU tar, into a renamed database") {
    const std::string renamed = "mzl_load_gnutar";
    drop_database(c, renamed);
    std::string command = fmt::format("tar --format=posix -C {} -cf {}/s.tar {}/schema.jsonl",
                                      dir.parent_path().string(), dir.parent_path().string(), kSnapshotId);
    for (const auto& f : manifest.files) {
      if (f.path != "schema.jsonl") command += fmt::format(" {}/{}", kSnapshotId, f.path);
    }
    command += fmt::format(" {}/manifest.json", kSnapshotId);
    REQUIRE(std::system(command.c_str()) == 0);
    auto in = mzl::open_plain_input((dir.parent_path() / "s.tar").string());
    REQUIRE(in.ok());
    auto options = load_options();
    options.rename_databases = {{db, renamed}};
    auto stats = mzl::restore::load_snapshot_stream(**in, options);
    REQUIRE_OK(stats);
    check_loaded(c, renamed);
    drop_database(c, renamed);
  }
  SECTION("a stream without its manifest is an error, and no object after the data is created") {
    drop_database(c, db);
    auto in = mzl::make_memory_input(tar_of(dir, manifest, false), "<tar>");
    auto stats = mzl::restore::load_snapshot_stream(*in, load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kCorrupt);
    CHECK_THAT(stats.error().message, Catch::Contains("manifest.json"));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '{}'",
                               db)) == "0");
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{}'",
                               db)) == "0");
  }
  SECTION("a member changed in transit is found at the end, naming it") {
    drop_database(c, db);
    const std::string plain =
        fmt::format("data/{}/t_plain.00000.000.tsv", mzl::snapshot::file_name_component(db));
    auto in = mzl::make_memory_input(tar_of(dir, manifest, true, plain), "<tar>");
    auto stats = mzl::restore::load_snapshot_stream(*in, load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kChecksumMismatch);
    CHECK_THAT(stats.error().to_string(), Catch::Contains(plain));
  }
  SECTION("a stream that does not start with schema.jsonl") {
    std::vector<uint8_t> tar;
    auto out = mzl::make_memory_output(tar);
    mzl::snapshot::TarWriter writer(*out);
    REQUIRE(
        writer.add_file(fmt::format("{}/manifest.json", kSnapshotId), file_bytes(dir / "manifest.json"), 0)
            .ok());
    REQUIRE(writer.finish().ok());
    auto in = mzl::make_memory_input(tar, "<tar>");
    auto stats = mzl::restore::load_snapshot_stream(*in, load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kCorrupt);
  }
  drop_database(c, db);
}

TEST_CASE(
    "snapshot loader: a stream member larger than the held-member limit loads straight from the stream") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_bigmember";
  drop_database(c, db);
  const fs::path dir = scratch_dir("big") / kSnapshotId;
  fs::create_directories(dir);
  TestSnapshot s;
  s.database = db;
  s.objects.push_back(object("database", db, db, fmt::format("CREATE DATABASE `{}`", db)));
  TestTable big{
      "big",
      "CREATE TABLE `big` (`id` int NOT NULL PRIMARY KEY, `pad` varchar(255) NOT NULL) ENGINE=InnoDB",
      "`id`,`pad`",
      "",
      Compression::kNone,
      {},
      {}};
  std::string text;
  const std::string pad(240, 'x');
  uint64_t rows = 0;
  while (text.size() < (65ull << 20)) {
    ++rows;
    text += fmt::format("{}\t{}\n", rows, pad);
  }
  big.files = {std::move(text)};
  big.rows = {rows};
  SchemaObject table = object("table", db, big.name, big.create_sql);
  table.load_columns = big.load_columns;
  s.objects.push_back(table);
  s.tables = {std::move(big)};
  const auto manifest = write_snapshot(s, dir);
  const fs::path tar_path = dir.parent_path() / "big.tar";
  {
    std::vector<uint8_t> tar = tar_of(dir, manifest, true);
    std::ofstream(tar_path, std::ios::binary).write(reinterpret_cast<const char*>(tar.data()), tar.size());
  }
  auto in = mzl::open_plain_input(tar_path.string());
  REQUIRE(in.ok());
  auto stats = mzl::restore::load_snapshot_stream(**in, load_options());
  REQUIRE_OK(stats);
  CHECK(stats->rows == rows);
  CHECK(c.scalar(fmt::format("SELECT CONCAT(COUNT(*), ':', SUM(id), ':', MIN(LENGTH(pad))) FROM `{}`.big",
                             db)) == fmt::format("{}:{}:240", rows, rows * (rows + 1) / 2));
  drop_database(c, db);
  fs::remove_all(dir.parent_path());
}

TEST_CASE("snapshot loader: the restore reaches the target's replicas unless write_binlog is off") {
  auto primary = mzl::test::connect(mzl::test::primary_server());
  auto replica = mzl::test::connect(mzl::test::sandbox_server(2));
  const std::string logged = "mzl_load_logged", unlogged = "mzl_load_unlogged";
  drop_database(primary, logged);
  drop_database(primary, unlogged);
  const fs::path dir = scratch_dir("binlog");
  const TestSnapshot s = make_test_snapshot(logged);
  write_snapshot(s, dir);

  REQUIRE_OK(mzl::restore::load_snapshot_directory(dir.string(), load_options()));
  auto options = load_options();
  options.rename_databases = {{logged, unlogged}};
  options.write_binlog = false;
  REQUIRE_OK(mzl::restore::load_snapshot_directory(dir.string(), options));
  mzl::test::wait_replica_caught_up(2);
  check_loaded(replica, logged);
  CHECK(replica.scalar(fmt::format(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{}'", unlogged)) == "0");
  check_loaded(primary, unlogged);
  drop_database(primary, logged);
  drop_database(primary, unlogged);
}

TEST_CASE("snapshot loader: users before the views they define, grants last (only with users)") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_users";
  drop_database(c, db);
  c.query("DROP USER IF EXISTS `mzl_load_user`@`localhost`");
  TestSnapshot s = make_test_snapshot(db);
  s.objects.push_back(
      object("view", db, "v_user",
             "CREATE ALGORITHM=UNDEFINED DEFINER=`mzl_load_user`@`localhost` SQL SECURITY DEFINER "
             "VIEW `v_user` AS select count(0) AS `n` from `t_plain`",
             "", "utf8mb4", "utf8mb4_general_ci"));
  // Reading a view whose DEFINER does not exist is error 1449, also while creating a view on it.
  s.objects.push_back(object("view", db, "v_user2",
                             "CREATE ALGORITHM=UNDEFINED DEFINER=`mzl`@`127.0.0.1` SQL SECURITY DEFINER VIEW "
                             "`v_user2` AS select `v_user`.`n` AS `n` from `v_user`",
                             "", "utf8mb4", "utf8mb4_general_ci"));
  s.objects.push_back(
      object("user", "", "`mzl_load_user`@`localhost`", "CREATE USER `mzl_load_user`@`localhost`"));
  s.objects.push_back(
      object("grant", "", "`mzl_load_user`@`localhost`",
             fmt::format("GRANT USAGE ON *.* TO `mzl_load_user`@`localhost`;\nGRANT SELECT ON "
                         "`{}`.`t_plain` TO `mzl_load_user`@`localhost`",
                         db)));
  const fs::path dir = scratch_dir("users");
  write_snapshot(s, dir);

  SECTION("without users the view's definer is missing") {
    auto stats = mzl::restore::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK_THAT(stats.error().to_string(), Catch::Contains("v_user2") && Catch::Contains("mzl_load_user"));
    CHECK(c.scalar("SELECT COUNT(*) FROM mysql.user WHERE user = 'mzl_load_user'") == "0");
  }
  SECTION("with users") {
    auto options = load_options();
    options.users = true;
    auto stats = mzl::restore::load_snapshot_directory(dir.string(), options);
    REQUIRE_OK(stats);
    CHECK(stats->objects == 10);
    check_loaded(c, db);
    CHECK(c.scalar(fmt::format("SELECT n FROM `{}`.v_user2", db)) == "50");
    CHECK(column(c, "SHOW GRANTS FOR `mzl_load_user`@`localhost`") ==
          std::vector<std::string>{
              "GRANT USAGE ON *.* TO `mzl_load_user`@`localhost`",
              fmt::format("GRANT SELECT ON `{}`.`t_plain` TO `mzl_load_user`@`localhost`", db)});
  }
  c.query("DROP USER IF EXISTS `mzl_load_user`@`localhost`");
  drop_database(c, db);
}
