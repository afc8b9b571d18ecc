#include "mzl/snapshot/snapshot_list.h"

#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "mzl/snapshot/manifest.h"
#include "mzl/util/json_reader.h"

namespace mzl::snapshot {
namespace {

namespace fs = std::filesystem;

struct TempRepo {
  fs::path root = fs::temp_directory_path() / fmt::format("mzl-list-test-{}", getpid());
  TempRepo() {
    fs::remove_all(root);
    fs::create_directories(root / "snapshots");
  }
  ~TempRepo() { fs::remove_all(root); }
  void write(const fs::path& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel, std::ios::binary) << text;
  }
};

Manifest manifest_a() {
  Manifest m;
  m.id = "20261121T040000Z";
  m.server = {"db1:3306", "db1_3306", "", 1, "mariadb", "10.11.19-MariaDB-log"};
  m.binlog = {"mariadb-bin.000042", 1234, "0-1-100,1-2-5"};
  m.started_at = "2026-11-21T04:00:00.125Z";
  m.finished_at = "2026-11-21T04:01:30.000Z";
  m.lock = {"none", 0, 1};
  m.compression = Compression::kLz4;
  m.databases = {"shop"};
  m.tables.push_back(TableEntry{"shop", "orders", "InnoDB", 1500, {}, "", "", {}});
  m.tables.push_back(TableEntry{"shop", "items", "InnoDB", 250, {}, "", "", {}});
  m.tables.push_back(TableEntry{"shop", "empty", "InnoDB", 0, {}, "", "", {}});
  m.files = {{"data/shop/items.00000.000.tsv.lz4", 2048, ""},
             {"data/shop/orders.00000.000.tsv.lz4", 1048576, ""},
             {"schema.jsonl", 1024, ""}};
  return m;
}

Manifest manifest_b() {
  Manifest m;
  m.id = "20261122T040000Z-2";
  m.server = {"db3:3306", "db3_3306", "3e11fa47-71ca-11e1-9e33-c80aa9429562", 3, "mysql", "8.0.40"};
  m.binlog = {"binlog.000007", 157, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77"};
  m.started_at = "2026-11-22T04:00:00.900Z";
  m.finished_at = "2026-11-22T04:00:02.000Z";
  m.lock = {"backup_stage_block_commit", 0.0125, 3};
  m.compression = Compression::kZstd;
  m.tables.push_back(TableEntry{"a", "t", "InnoDB", 7, {}, "", "", {}});
  m.files = {{"data/a/t.00000.000.tsv.zst", 100, ""}, {"schema.jsonl", 24, ""}};
  return m;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_CASE("list shows every complete snapshot, oldest first, as text and JSON") {
  TempRepo repo;
  repo.write("snapshots/20261122T040000Z-2/manifest.json", encode_manifest(manifest_b()));
  repo.write("snapshots/20261121T040000Z/manifest.json", encode_manifest(manifest_a()));
  repo.write("snapshots/.partial-20261123T040000Z/schema.jsonl", "");  // interrupted: not listed

  auto text = list_snapshots(repo.root.string(), false);
  REQUIRE(text.ok());
  std::vector<std::string> lines = lines_of(*text);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].starts_with("ID"));
  // 2048 + 1048576 + 1024 = 1051648 bytes = 1.0029 MiB; rows 1500 + 250 + 0.
  CHECK(lines[1] ==
        "20261121T040000Z      2026-11-21T04:00:00.125Z    1.00 MiB       3          1750  lz4          none "
        "0.000s                 0-1-100,1-2-5");
  CHECK(lines[2].starts_with(
      "20261122T040000Z-2    2026-11-22T04:00:00.900Z       124 B       1             7  "
      "zstd         backup_stage_block_commit 0.013s  3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77"));

  auto json = list_snapshots(repo.root.string(), true);
  REQUIRE(json.ok());
  CHECK(json->ends_with("\n"));
  auto parsed = parse_json(*json, "list");
  REQUIRE(parsed.ok());
  const JsonArray* array = parsed->as_array();
  REQUIRE(array != nullptr);
  REQUIRE(array->size() == 2);
  const JsonValue& a = (*array)[0];
  CHECK(*a.find("id")->as_string() == "20261121T040000Z");
  CHECK(*a.find("started_at")->as_string() == "2026-11-21T04:00:00.125Z");
  CHECK(a.find("bytes")->as_uint64() == 1051648u);
  CHECK(a.find("files")->as_uint64() == 3u);
  CHECK(a.find("tables")->as_uint64() == 3u);
  CHECK(a.find("rows")->as_uint64() == 1750u);
  CHECK(*a.find("compression")->as_string() == "lz4");
  CHECK(*a.find("gtid")->as_string() == "0-1-100,1-2-5");
  CHECK(*a.find("binlog_file")->as_string() == "mariadb-bin.000042");
  CHECK(a.find("binlog_position")->as_uint64() == 1234u);
  CHECK(*a.find("source")->as_string() == "db1_3306");
  const JsonValue& b = (*array)[1];
  CHECK(*b.find("id")->as_string() == "20261122T040000Z-2");
  CHECK(*b.find("lock_method")->as_string() == "backup_stage_block_commit");
  CHECK(b.find("lock_seconds")->as_double() == Approx(0.0125));
  CHECK(*b.find("server_uuid")->as_string() == "3e11fa47-71ca-11e1-9e33-c80aa9429562");
  CHECK(b.find("server_id")->as_uint64() == 3u);
  CHECK(*b.find("flavour")->as_string() == "mysql");
}

TEST_CASE("list of an empty or missing repository") {
  TempRepo repo;
  auto text = list_snapshots(repo.root.string(), false);
  REQUIRE(text.ok());
  CHECK(lines_of(*text).size() == 1);
  auto json = list_snapshots((repo.root / "nothing-here").string(), true);
  REQUIRE(json.ok());
  CHECK(*json == "[]\n");
}

TEST_CASE("list reports a snapshot whose manifest is corrupt") {
  TempRepo repo;
  repo.write("snapshots/20261121T040000Z/manifest.json", "not json");
  auto text = list_snapshots(repo.root.string(), false);
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().code == ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace mzl::snapshot
