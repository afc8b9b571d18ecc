#include "mzl/schema/table_definition.h"

#include <catch2/catch.hpp>

#include <unistd.h>
#include "mzl/codec/column_type.h"
#include "mzl/schema/schema_history.h"
#include "mzl/schema/schema_tracker.h"
#include "mzl/util/json_reader.h"

#include <cstdio>
#include <filesystem>

using namespace mzl;
using namespace mzl::schema;

namespace {

std::string temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mzl-schema-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

codec::TableMapEvent map_of(std::vector<uint8_t> types, std::vector<uint16_t> metadata) {
  codec::TableMapEvent map;
  map.table_id = 7;
  map.database = "shop";
  map.table = "t";
  map.column_types = std::move(types);
  map.column_metadata = std::move(metadata);
  map.flavour = codec::Flavour::kMariaDB;
  return map;
}

}  // namespace

TEST_CASE("enum_or_set_members reads the quoted list of COLUMN_TYPE") {
  CHECK(enum_or_set_members("enum('a','b')") == std::vector<std::string>{"a", "b"});
  CHECK(enum_or_set_members("set('it''s','x,y','')") == std::vector<std::string>{"it's", "x,y", ""});
  CHECK(enum_or_set_members("int(11)").empty());
}

TEST_CASE("with_definition names the columns and adds signedness, charsets and enum names") {
  // INT UNSIGNED, VARCHAR(10) utf8mb4, ENUM (a STRING whose metadata byte 0 says ENUM), BINARY(4)
  const uint16_t enum_metadata = uint16_t{codec::code(codec::ColumnType::kEnum)} << 8 | 1;
  const uint16_t binary_metadata = uint16_t{codec::code(codec::ColumnType::kString)} << 8 | 4;
  const auto map = map_of({3, 15, 254, 254}, {0, 40, enum_metadata, binary_metadata});
  TableDefinition definition{"shop",
                             "t",
                             {{"id", "int", "int(10) unsigned", std::nullopt},
                              {"name", "varchar", "varchar(10)", 45},
                              {"state", "enum", "enum('new','done')", 45},
                              {"code", "binary", "binary(4)", std::nullopt}},
                             "CREATE TABLE t (...)"};
  auto described = with_definition(map, definition);
  REQUIRE(described.ok());
  const auto& opt = (*described)->optional;
  CHECK(opt.column_names == std::vector<std::string>{"id", "name", "state", "code"});
  CHECK(opt.signedness == std::vector<bool>{true});
  CHECK(opt.column_charsets == std::vector<uint32_t>{45, 63});  // VARCHAR, then BINARY's 63
  CHECK(opt.enum_set_column_charsets == std::vector<uint32_t>{45});
  REQUIRE(opt.enum_values.size() == 1);
  CHECK(opt.enum_values[0] == std::vector<std::string>{"new", "done"});
}

TEST_CASE("with_definition refuses a definition that does not describe the row events") {
  const auto map = map_of({3, 15}, {0, 40});
  TableDefinition fewer{"shop", "t", {{"id", "int", "int(11)", std::nullopt}}, ""};
  auto result = with_definition(map, fewer);
  REQUIRE(!result.ok());
  CHECK(result.error().code == ErrorCode::kCorrupt);
  CHECK(result.error().message.find("2") != std::string::npos);
  TableDefinition other_type{
      "shop",
      "t",
      {{"id", "int", "int(11)", std::nullopt}, {"at", "datetime", "datetime", std::nullopt}},
      ""};
  result = with_definition(map, other_type);
  REQUIRE(!result.ok());
  CHECK(result.error().message.find("`at`") != std::string::npos);
}

TEST_CASE("schema history: entries survive a reopen, a torn last line is dropped") {
  const std::string dir = temp_dir();
  const std::string path = dir + "/history.jsonl";
  HistoryEntry seed_table;
  seed_table.database = "shop";
  seed_table.table = "t";
  seed_table.definition =
      TableDefinition{"shop", "t", {{"a", "int", "int(11)", std::nullopt}}, "CREATE TABLE t"};
  HistoryEntry seed_db;
  seed_db.database = "shop";
  seed_db.collation = "utf8mb4_general_ci";
  {
    auto history = SchemaHistory::open(path);
    REQUIRE(history.ok());
    CHECK(!history->seeded());
    REQUIRE(history->seed("mariadb", "0-1-10", "test", {seed_db, seed_table}).ok());
    HistoryEntry renamed = seed_table;
    renamed.gtid = "0-1-12";
    renamed.file = "bin.000001";
    renamed.position = 400;
    renamed.definition->columns[0].name = "b";
    REQUIRE(history->append("0-1-12", {renamed}).ok());
  }
  {  // a crash in the middle of the next line
    FILE* f = std::fopen(path.c_str(), "a");
    // one whole entry of the next DDL without its closing line, then a torn line
    std::fputs(
        "{\"gtid\":\"0-1-13\",\"file\":\"bin.000001\",\"pos\":500,\"database\":\"shop\",\"table\":\"t\","
        "\"dropped\":true}\n",
        f);
    std::fputs("{\"gtid\":\"0-1-13\",\"data", f);
    std::fclose(f);
  }
  auto history = SchemaHistory::open(path);
  REQUIRE(history.ok());
  CHECK(history->seeded());
  CHECK(history->seed_gtid_position() == "0-1-10");
  CHECK(history->has("0-1-12"));
  CHECK(!history->has("0-1-13"));
  CHECK(history->entries_of("0-1-13").empty());
  CHECK(std::filesystem::file_size(path) < 2000);  // cut back to the closing line of 0-1-12
  auto before = history->state_at([](const std::string&) { return false; });
  REQUIRE(before.find("shop", "t"));
  CHECK(before.find("shop", "t")->columns[0].name == "a");
  CHECK(before.collation("shop") == "utf8mb4_general_ci");
  auto after = history->state_at([](const std::string& gtid) { return gtid == "0-1-12"; });
  CHECK(after.find("shop", "t")->columns[0].name == "b");
  std::filesystem::remove_all(dir);
}

TEST_CASE("GtidPoint: MariaDB positions and MySQL sets") {
  auto maria = GtidPoint::parse("mariadb", "0-1-10,1-2-5");
  REQUIRE(maria.ok());
  CHECK(maria->contains("0-1-10"));
  CHECK(maria->contains("0-3-2"));
  CHECK(!maria->contains("0-1-11"));
  CHECK(!maria->contains("2-1-1"));
  auto mysql = GtidPoint::parse("mysql", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
  REQUIRE(mysql.ok());
  CHECK(mysql->contains("3e11fa47-71ca-11e1-9e33-c80aa9429562:5"));
  CHECK(!mysql->contains("3e11fa47-71ca-11e1-9e33-c80aa9429562:6"));
}
