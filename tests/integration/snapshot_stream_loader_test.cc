// The snapshot loader (load/snapshot_loader.h) against the sandbox primary, from a tar stream (the form
// `mzl-snapshot --output -` writes): the same snapshot loads identically, a stream without its manifest or
// with a damaged member is refused, and a member too large to hold loads straight from the stream. The
// snapshot each test builds is described in snapshot_loader_support.h.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mzl/load/snapshot_loader.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/tar_stream.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/output_stream.h"
#include "sandbox.h"
#include "snapshot_loader_support.h"

namespace fs = std::filesystem;
using mzl::ErrorCode;
using mzl::snapshot::Compression;
using mzl::snapshot::SchemaObject;
using namespace mzl::test;

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
  auto stats = mzl::load::load_snapshot_stream(**in, load_options());
  REQUIRE_OK(stats);
  CHECK(stats->rows == rows);
  CHECK(c.scalar(fmt::format("SELECT CONCAT(COUNT(*), ':', SUM(id), ':', MIN(LENGTH(pad))) FROM `{}`.big",
                             db)) == fmt::format("{}:{}:240", rows, rows * (rows + 1) / 2));
  drop_database(c, db);
  fs::remove_all(dir.parent_path());
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
    auto stats = mzl::load::load_snapshot_stream(*in, load_options());
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
    auto stats = mzl::load::load_snapshot_stream(**in, options);
    REQUIRE_OK(stats);
    check_loaded(c, renamed);
    drop_database(c, renamed);
  }
  SECTION("a stream without its manifest is an error, and no object after the data is created") {
    drop_database(c, db);
    auto in = mzl::make_memory_input(tar_of(dir, manifest, false), "<tar>");
    auto stats = mzl::load::load_snapshot_stream(*in, load_options());
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
    auto stats = mzl::load::load_snapshot_stream(*in, load_options());
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
    auto stats = mzl::load::load_snapshot_stream(*in, load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kCorrupt);
  }
  drop_database(c, db);
}
