#include "mzl/snapshot/manifest.h"

#include <catch2/catch.hpp>

using namespace mzl;
using namespace mzl::snapshot;
using namespace std::string_literals;

namespace {

Manifest sample_manifest() {
  Manifest m;
  m.id = "20261122T040000Z";
  m.tool_version = "mzl 0.1";
  m.server = {"db1:3306", "db1_3306", "", 7, "mariadb", "10.11.19-MariaDB-log"};
  m.binlog = {"mariadb-bin.000042", 123456789012ull, "0-1-100,1-2-5"};
  m.started_at = "2026-11-22T04:00:00.123Z";
  m.finished_at = "2026-11-22T04:01:02.456Z";
  m.lock = {"backup_stage_block_commit", 0.0123, 3};
  m.compression = Compression::kZstd;
  m.threads = 4;
  m.includes_users = true;
  m.databases = {"shop", "odd name\t\"x\""};
  TableEntry t;
  t.database = "shop";
  t.name = "orders";
  t.engine = "InnoDB";
  t.rows = 3;
  t.columns = {"id", "k", "b"};
  t.load_columns = "`id`,`k`,@mzl_3";
  t.load_set = "`b`=CAST(@mzl_3 AS UNSIGNED)";
  t.files = {{"data/shop/orders.00000.000.tsv.zst", 2, 100}, {"data/shop/orders.00001.000.tsv.zst", 1, 50}};
  m.tables.push_back(t);
  TableEntry empty;
  empty.database = "shop";
  empty.name = "empty";
  empty.engine = "MyISAM";
  empty.columns = {"a"};
  empty.load_columns = "`a`";
  m.tables.push_back(empty);
  m.files = {{"data/shop/orders.00000.000.tsv.zst", 40, std::string(64, 'a')},
             {"data/shop/orders.00001.000.tsv.zst", 30, std::string(64, 'b')},
             {"schema.jsonl", 500, std::string(64, 'c')}};
  return m;
}

}  // namespace

TEST_CASE("compression names and suffixes") {
  CHECK(compression_name(Compression::kNone) == "none");
  CHECK(compression_name(Compression::kLz4) == "lz4");
  CHECK(compression_name(Compression::kZstd) == "zstd");
  CHECK(compression_suffix(Compression::kNone).empty());
  CHECK(compression_suffix(Compression::kLz4) == ".lz4");
  CHECK(compression_suffix(Compression::kZstd) == ".zst");
  CHECK(*parse_compression("zstd") == Compression::kZstd);
  CHECK(*parse_compression("none") == Compression::kNone);
  CHECK(*parse_compression("lz4") == Compression::kLz4);
  auto bad = parse_compression("gzip");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("manifest round trip") {
  const Manifest m = sample_manifest();
  const std::string json = encode_manifest(m);
  CHECK(json.back() == '\n');
  auto back = decode_manifest(json, "manifest.json");
  REQUIRE(back.ok());
  CHECK(*back == m);
  CHECK(*decode_manifest(encode_manifest(Manifest{}), "m") == Manifest{});
}

TEST_CASE("manifest: one table and one file per line") {
  const std::string json = encode_manifest(sample_manifest());
  CHECK(json.find("\n  {\"database\":\"shop\",\"name\":\"orders\"") != std::string::npos);
  CHECK(json.find("\n  {\"path\":\"schema.jsonl\",\"size\":500,") != std::string::npos);
}

TEST_CASE("manifest: names that are not UTF-8 keep their bytes") {
  Manifest m = sample_manifest();
  m.tables[0].name = std::string("t\xff\x00x", 4);
  m.tables[0].columns.push_back(std::string("\xc3", 1));
  m.databases.push_back(std::string("\x80", 1));
  auto back = decode_manifest(encode_manifest(m), "m");
  REQUIRE(back.ok());
  CHECK(*back == m);
}

TEST_CASE("manifest: hand-written JSON") {
  const std::string json = R"({
    "format": 1, "id": "20261122T040000Z-2", "tool_version": "x", "future_key": {"a": [1, 2]},
    "server": {"address": "/run/mysqld.sock", "source": "s", "server_uuid": "3e11fa47-71ca-11e1-9e33-c80aa9429562",
               "server_id": 4294967295, "flavour": "mysql", "version": "8.0.36"},
    "binlog": {"file": "binlog.000001", "position": 4, "gtid": "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5"},
    "started_at": "a", "finished_at": "b",
    "lock": {"method": "none", "seconds": 1.5e-3, "attempts": 1},
    "compression": "none", "threads": 8, "includes_users": false, "databases": ["d"],
    "tables": [{"database": "d", "name": "t\u00e9", "engine": "InnoDB", "rows": 2, "columns": ["a"],
                "load_columns": "`a`", "load_set": "", "files": [{"path": "data/d/t@c3@a9.00000.000.tsv", "rows": 2,
                "raw_bytes": 4}]}],
    "files": [{"path": "data/d/t@c3@a9.00000.000.tsv", "size": 4, "sha256": "abc"}]
  })";
  auto r = decode_manifest(json, "m.json");
  REQUIRE(r.ok());
  const Manifest& m = *r;
  CHECK(m.id == "20261122T040000Z-2");
  CHECK(m.server.address == "/run/mysqld.sock");
  CHECK(m.server.server_id == 4294967295u);
  CHECK(m.server.flavour == "mysql");
  CHECK(m.binlog.position == 4);
  CHECK(m.binlog.gtid == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
  CHECK(m.lock.method == "none");
  CHECK(m.lock.seconds == 0.0015);
  CHECK(m.lock.attempts == 1);
  CHECK(m.compression == Compression::kNone);
  CHECK(m.threads == 8);
  CHECK(m.databases == std::vector<std::string>{"d"});
  REQUIRE(m.tables.size() == 1);
  CHECK(m.tables[0].name == "t\xc3\xa9");
  CHECK(m.tables[0].rows == 2);
  REQUIRE(m.tables[0].files.size() == 1);
  CHECK(m.tables[0].files[0] == DataFile{"data/d/t@c3@a9.00000.000.tsv", 2, 4});
  REQUIRE(m.files.size() == 1);
  CHECK(m.files[0] == SnapshotFile{"data/d/t@c3@a9.00000.000.tsv", 4, "abc"});
  CHECK(data_file_path("d", "t\xc3\xa9", 0, 0, Compression::kNone) == m.files[0].path);
}

TEST_CASE("manifest: bad input is kCorrupt naming the file and the key") {
  struct Case {
    const char* json;
    const char* message_part;
  };
  const Case cases[] = {
      {"", "bad manifest"},
      {"[]", "not a JSON object"},
      {R"({"id":"x"})", "\"format\" is missing"},
      {R"({"format":2,"id":"x"})", "format 2 is not supported"},
      {R"({"format":0,"id":"x"})", "format 0"},
      {R"({"format":"1","id":"x"})", "\"format\""},
      {R"({"format":1})", "\"id\" is missing"},
      {R"({"format":1,"id":"x","threads":-1})", "\"threads\""},
      {R"({"format":1,"id":"x","server":{"server_id":4294967296}})", "\"server.server_id\" is out of range"},
      {R"({"format":1,"id":"x","compression":"gzip"})", "\"compression\""},
      {R"({"format":1,"id":"x","tables":{}})", "\"tables\" is not an array"},
      {R"({"format":1,"id":"x","tables":[1]})", "\"tables[0]\" is not an object"},
      {R"({"format":1,"id":"x","tables":[{"database":"d","name":"t","rows":"3"}]})", "\"tables[0].rows\""},
      {R"({"format":1,"id":"x","tables":[{"database":"d"}]})", "\"tables[0].name\" is missing"},
      {R"({"format":1,"id":"x","tables":[{"database":"d","name":"t","files":[{"rows":1}]}]})",
       "\"tables[0].files[0].path\" is missing"},
      {R"({"format":1,"id":"x","files":[{"path":"p","size":1}]})", "\"files[0].sha256\" is missing"},
      {R"({"format":1,"id":"x","lock":{"seconds":"x"}})", "\"lock.seconds\""},
      {R"({"format":1,"id":"x","databases_base64":["!!"]})", "not base64"},
      {R"({"format":1,"id":"x"} trailing)", "text after"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    auto r = decode_manifest(c.json, "snap/manifest.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kCorrupt);
    CHECK(r.error().where == "snap/manifest.json");
    CHECK_THAT(r.error().message, Catch::Contains(c.message_part));
  }
}

TEST_CASE("schema objects: round trip, one line, binary SQL") {
  SchemaObject o{"table",
                 "shop",
                 "orders",
                 "CREATE TABLE `orders` (\n  `id` int\n) ENGINE=InnoDB",
                 "STRICT_TRANS_TABLES",
                 "utf8mb4",
                 "utf8mb4_general_ci",
                 "`id`",
                 ""};
  const std::string line = encode_schema_object(o);
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);
  CHECK(*decode_schema_object(line, "schema.jsonl:1") == o);

  SchemaObject b{"view", "d", "v", "CREATE VIEW v AS SELECT _binary'\xff\x00\x01'"s, "", "", "", "", ""};
  const std::string bline = encode_schema_object(b);
  CHECK(bline.find("sql_base64") != std::string::npos);
  CHECK(*decode_schema_object(bline, "s") == b);

  SchemaObject user{"user", "", "'u'@'%'", "CREATE USER 'u'@'%'", "", "", "", "", ""};
  CHECK(*decode_schema_object(encode_schema_object(user), "s") == user);
}

TEST_CASE("schema objects: hand-written line and bad lines") {
  auto r = decode_schema_object(
      R"({"kind":"trigger","database":"d","name":"tr","sql":"CREATE TRIGGER tr ...","sql_mode":"",)"
      R"("character_set_client":"latin1","collation_connection":"latin1_swedish_ci","extra":1})",
      "schema.jsonl:3");
  REQUIRE(r.ok());
  CHECK(r->kind == "trigger");
  CHECK(r->character_set_client == "latin1");
  CHECK(r->load_columns.empty());
  for (const char* bad : {R"({"kind":"table"})", R"({"sql":"x"})", R"({"kind":1,"sql":"x"})", "{", "[]"}) {
    INFO(bad);
    auto e = decode_schema_object(bad, "schema.jsonl:9");
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().code == ErrorCode::kCorrupt);
    CHECK(e.error().where == "schema.jsonl:9");
  }
}

TEST_CASE("file_name_component and data_file_path") {
  CHECK(file_name_component("shop_1-x") == "shop_1-x");
  CHECK(file_name_component("a.b") == "a@2eb");
  CHECK(file_name_component("..") == "@2e@2e");
  CHECK(file_name_component("a/b") == "a@2fb");
  CHECK(file_name_component("@") == "@40");
  CHECK(file_name_component(std::string("\x00\xff", 2)) == "@00@ff");
  CHECK(file_name_component("Ä") == "@c3@84");
  // Unique: '@' itself is escaped, so "a@2e" and "a." differ.
  CHECK(file_name_component("a@2e") != file_name_component("a."));
  CHECK(data_file_path("shop", "order items", 12, 3, Compression::kLz4) ==
        "data/shop/order@20items.00012.003.tsv.lz4");
  CHECK(data_file_path("d", "t", 0, 0, Compression::kZstd) == "data/d/t.00000.000.tsv.zst");
}
