#include "mzl/load/load_selection.h"

#include <catch2/catch.hpp>

#include "mzl/load/local_infile_load.h"

using mzl::ErrorCode;
using mzl::load::create_database_statement;
using mzl::load::LoadSelection;
using mzl::load::SelectionOptions;
using mzl::load::trigger_table;
using mzl::snapshot::SchemaObject;

namespace {

SchemaObject object(std::string kind, std::string database, std::string name, std::string sql = "") {
  SchemaObject o;
  o.kind = std::move(kind);
  o.database = std::move(database);
  o.name = std::move(name);
  o.sql = std::move(sql);
  return o;
}

std::vector<SchemaObject> sample() {
  return {
      object("database", "shop", "shop", "CREATE DATABASE `shop`"),
      object("database", "a.b", "a.b", "CREATE DATABASE `a.b`"),
      object("table", "shop", "orders"),
      object("table", "shop", "items"),
      object("table", "a.b", "c"),
      object("view", "shop", "big_orders"),
      object("procedure", "shop", "p"),
      object("trigger", "shop", "trg_items",
             "CREATE DEFINER=`root`@`localhost` trigger trg_items before insert on items for each row set "
             "new.x = 1"),
      object(
          "trigger", "shop", "trg_orders",
          "CREATE DEFINER=`root`@`localhost` TRIGGER `trg_orders` AFTER UPDATE ON `shop`.`orders` FOR EACH "
          "ROW BEGIN END"),
      object("event", "shop", "e"),
      object("user", "", "'u'@'%'"),
      object("grant", "", "'u'@'%'"),
  };
}

}  // namespace

TEST_CASE("trigger_table finds the table after ON, quoted or not, qualified or not") {
  CHECK(trigger_table("CREATE DEFINER=`root`@`localhost` trigger tr before insert on t for each row set "
                      "new.b = 5") == "t");
  CHECK(trigger_table("CREATE TRIGGER `on` BEFORE DELETE ON `we``ird` FOR EACH ROW SET @x = 'ON other'") ==
        "we`ird");
  CHECK(trigger_table("CREATE /* ON x */ TRIGGER db.tr AFTER INSERT\n  ON db.`t 1` FOR EACH ROW DO 1") ==
        "t 1");
  CHECK(trigger_table("CREATE TRIGGER tr BEFORE INSERT -- ON comment\n ON t2 FOR EACH ROW SET @a=1") == "t2");
  CHECK_FALSE(trigger_table("CREATE VIEW v AS SELECT 1"));
  CHECK_FALSE(trigger_table("CREATE TRIGGER tr BEFORE INSERT ON"));
}

TEST_CASE("create_database_statement names the new database and keeps the options") {
  auto sql = create_database_statement(
      "CREATE DATABASE `shop` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci */",
      "shop_old");
  REQUIRE(sql.ok());
  CHECK(*sql ==
        "CREATE DATABASE IF NOT EXISTS `shop_old` /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE "
        "utf8mb4_general_ci */");

  sql = create_database_statement("CREATE DATABASE /*!32312 IF NOT EXISTS*/ `we``ird` /*!40100 x */", "a`b");
  REQUIRE(sql.ok());
  CHECK(*sql == "CREATE DATABASE IF NOT EXISTS `a``b` /*!40100 x */");

  sql = create_database_statement("create database if not exists plain", "p2");
  REQUIRE(sql.ok());
  CHECK(*sql == "CREATE DATABASE IF NOT EXISTS `p2`");

  CHECK(create_database_statement("CREATE TABLE t (a int)", "x").error().code == ErrorCode::kCorrupt);
  CHECK(create_database_statement("CREATE DATABASE", "x").error().code == ErrorCode::kCorrupt);
}

TEST_CASE("LoadSelection without filters takes everything but users, and renames") {
  const auto objects = sample();
  SelectionOptions options;
  options.rename_databases = {{"shop", "shop_restored"}};
  auto selection = LoadSelection::make(objects, options);
  REQUIRE(selection.ok());
  for (const SchemaObject& o : objects) {
    CHECK(selection->includes(o) == (o.kind != "user" && o.kind != "grant"));
  }
  CHECK(selection->target_database("shop") == "shop_restored");
  CHECK(selection->target_database("a.b") == "a.b");
  CHECK(selection->target_databases() == std::vector<std::string>{"a.b", "shop_restored"});

  options.users = true;
  selection = LoadSelection::make(objects, options);
  REQUIRE(selection.ok());
  CHECK(selection->includes(objects[10]));
  CHECK(selection->includes(objects[11]));
}

TEST_CASE("LoadSelection with a table filter keeps those tables, their triggers and databases") {
  const auto objects = sample();
  SelectionOptions options;
  options.tables = {"shop.orders", "a.b.c"};
  auto selection = LoadSelection::make(objects, options);
  REQUIRE(selection.ok());
  std::vector<std::string> kept;
  for (const SchemaObject& o : objects) {
    if (selection->includes(o)) kept.push_back(o.kind + ":" + o.database + "." + o.name);
  }
  CHECK(kept == std::vector<std::string>{"database:shop.shop", "database:a.b.a.b", "table:shop.orders",
                                         "table:a.b.c", "trigger:shop.trg_orders"});
  CHECK(selection->includes_table("a.b", "c"));
}

TEST_CASE("LoadSelection with a database filter") {
  const auto objects = sample();
  SelectionOptions options;
  options.databases = {"a.b"};
  auto selection = LoadSelection::make(objects, options);
  REQUIRE(selection.ok());
  CHECK(selection->includes(objects[1]));
  CHECK(selection->includes(objects[4]));
  CHECK_FALSE(selection->includes(objects[0]));
  CHECK_FALSE(selection->includes(objects[2]));
  CHECK_FALSE(selection->includes(objects[6]));
  CHECK(selection->target_databases() == std::vector<std::string>{"a.b"});
}

TEST_CASE("LoadSelection refuses filters and renames naming what the snapshot lacks") {
  const auto objects = sample();
  SelectionOptions options;
  options.databases = {"nope"};
  CHECK(LoadSelection::make(objects, options).error().code == ErrorCode::kNotFound);
  options = {};
  options.tables = {"shop.nope"};
  CHECK(LoadSelection::make(objects, options).error().code == ErrorCode::kNotFound);
  options = {};
  options.rename_databases = {{"nope", "x"}};
  CHECK(LoadSelection::make(objects, options).error().code == ErrorCode::kNotFound);
  options = {};
  options.rename_databases = {{"shop", "x"}, {"a.b", "x"}};
  CHECK(LoadSelection::make(objects, options).error().code == ErrorCode::kInvalidArgument);
  options = {};
  options.rename_databases = {{"shop", "x"}, {"shop", "y"}};
  CHECK(LoadSelection::make(objects, options).error().code == ErrorCode::kInvalidArgument);
  options = {};
  options.rename_databases = {{"shop", ""}};
  CHECK(LoadSelection::make(objects, options).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("load_data_statement: the documented statement, column list and SET clause") {
  mzl::load::LoadDataTarget target{"d`b", "t", "`id`,@mzl_1", "`b`=CAST(@mzl_1 AS UNSIGNED)"};
  CHECK(
      mzl::load::load_data_statement(target, "data/d/t.00000.000.tsv.lz4") ==
      "LOAD DATA LOCAL INFILE 'data/d/t.00000.000.tsv.lz4' INTO TABLE `d``b`.`t` CHARACTER SET binary FIELDS "
      "TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (`id`,@mzl_1) SET "
      "`b`=CAST(@mzl_1 AS UNSIGNED)");
  target.load_columns.clear();
  target.load_set.clear();
  CHECK(mzl::load::load_data_statement(target, "x") ==
        "LOAD DATA LOCAL INFILE 'x' INTO TABLE `d``b`.`t` CHARACTER SET binary FIELDS TERMINATED BY '\\t' "
        "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'");
}

TEST_CASE("LoadSelection accepts the wildcards of every table filter (mzl(7))") {
  const auto objects = sample();
  SelectionOptions options;
  options.tables = {"shop.*ord*"};  // matches nothing exactly: a pattern is not reported missing
  auto selection = LoadSelection::make(objects, options);
  REQUIRE(selection.ok());
  std::vector<std::string> kept;
  for (const SchemaObject& o : objects) {
    if (selection->includes(o)) kept.push_back(o.kind + ":" + o.database + "." + o.name);
  }
  CHECK(kept == std::vector<std::string>{"database:shop.shop", "table:shop.orders", "view:shop.big_orders",
                                         "trigger:shop.trg_orders"});

  SelectionOptions by_database;
  by_database.databases = {"a?b"};
  auto a_b = LoadSelection::make(objects, by_database);
  REQUIRE(a_b.ok());
  CHECK(a_b->includes(objects[4]));
  CHECK_FALSE(a_b->includes(objects[2]));

  SelectionOptions nothing;
  nothing.databases = {"zz*"};
  REQUIRE(LoadSelection::make(objects, nothing).ok());
}
