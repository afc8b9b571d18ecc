#include "snapshot_loader_support.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "load_data_reference.h"
#include "mzl/snapshot/data_file_writer.h"
#include "mzl/snapshot/tar_stream.h"
#include "mzl/util/output_stream.h"
#include "snapshot_test_support.h"

namespace mzl::test {

namespace fs = std::filesystem;
using snapshot::Compression;
using snapshot::SchemaObject;

namespace {

using Field = std::optional<std::string>;
using TextRow = std::vector<Field>;

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

}  // namespace

SchemaObject object(std::string kind, std::string database, std::string name, std::string sql,
                    std::string sql_mode, std::string charset, std::string collation) {
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

namespace {

// A view as SHOW CREATE VIEW prints it.
SchemaObject view(const std::string& db, const std::string& name, const std::string& select) {
  return object(
      "view", db, name,
      fmt::format("CREATE ALGORITHM=UNDEFINED DEFINER=`mzl`@`127.0.0.1` SQL SECURITY DEFINER VIEW `{}` AS {}",
                  name, select),
      "", "utf8mb4", "utf8mb4_general_ci");
}

}  // namespace

TestSnapshot make_test_snapshot(const std::string& db) {
  TestSnapshot s;
  s.database = db;
  TestTable text{
      .name = "t_text",
      .create_sql =
          "CREATE TABLE `t_text` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `name` varchar(100) CHARACTER "
          "SET utf8mb4 DEFAULT NULL,\n  `data` varbinary(100) DEFAULT NULL,\n  `note` text CHARACTER SET "
          "utf8mb4 DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1 "
          "COLLATE=latin1_swedish_ci",
      .load_columns = "`id`,`name`,`data`,`note`",
      .compression = Compression::kLz4};
  const auto rows = text_rows();
  text.files = {row_text({rows.begin(), rows.begin() + 3}), row_text({rows.begin() + 3, rows.end()})};
  text.rows = {3, 3};

  TestTable numbers{
      .name = "t_numbers",
      .create_sql =
          "CREATE TABLE `t_numbers` (\n  `id` bigint(20) NOT NULL,\n  `d` decimal(20,6) NOT NULL,\n  `ts` "
          "datetime(6) NOT NULL,\n  `b` bit(5) NOT NULL,\n  PRIMARY KEY (`id`),\n  KEY `k_d` (`d`)\n) "
          "ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
      .load_columns = "`id`,`d`,`ts`,@mzl_3",
      .load_set = "`b`=CAST(@mzl_3 AS UNSIGNED)",
      .compression = Compression::kZstd};
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
      .name = "t_plain",
      .create_sql =
          "CREATE TABLE `t_plain` (\n  `id` int(11) NOT NULL,\n  `v` varchar(20) DEFAULT NULL,\n"
          "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
      .load_columns = "`id`,`v`",
      .compression = Compression::kNone,
      .files = {row_text(plain_rows())},
      .rows = {50}};

  TestTable audit{.name = "audit",
                  .create_sql =
                      "CREATE TABLE `audit` (\n  `id` int(11) DEFAULT NULL\n) ENGINE=InnoDB DEFAULT "
                      "CHARSET=latin1 COLLATE=latin1_swedish_ci",
                  .load_columns = "`id`",
                  .compression = Compression::kLz4};

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
      view(db, "v_top", "select `v_base`.`id` AS `id` from `v_base` where `v_base`.`id` < 3"));
  s.objects.push_back(
      view(db, "v_base", "select `t_text`.`id` AS `id` from `t_text` where `t_text`.`id` > 0"));
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

std::vector<uint8_t> tar_of(const fs::path& dir, const mzl::snapshot::Manifest& manifest, bool with_manifest,
                            const std::string& corrupt_member) {
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

mzl::load::LoadOptions load_options() {
  mzl::load::LoadOptions options;
  options.target = connection_to(primary_server());
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

}  // namespace mzl::test
