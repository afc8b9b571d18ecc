#include "mzl/load/deferred_keys.h"

#include <catch2/catch.hpp>

using mzl::load::add_keys_statement;
using mzl::load::is_referenced;
using mzl::load::split_secondary_keys;

TEST_CASE("split_secondary_keys takes the plain KEY lines of an InnoDB table out") {
  const auto split = split_secondary_keys(
      "CREATE TABLE `sbtest1` (\n"
      "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
      "  `k` int(11) NOT NULL DEFAULT 0,\n"
      "  `c` char(120) NOT NULL DEFAULT '',\n"
      "  PRIMARY KEY (`id`),\n"
      "  UNIQUE KEY `u` (`c`),\n"
      "  KEY `k_1` (`k`),\n"
      "  FULLTEXT KEY `f` (`c`),\n"
      "  KEY `k 2` (`k`,`c`(10)) COMMENT 'x'\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=1000001 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci\n"
      " PARTITION BY HASH (`id`)\n"
      "PARTITIONS 2");
  REQUIRE(split);
  CHECK(split->create_sql ==
        "CREATE TABLE `sbtest1` (\n"
        "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
        "  `k` int(11) NOT NULL DEFAULT 0,\n"
        "  `c` char(120) NOT NULL DEFAULT '',\n"
        "  PRIMARY KEY (`id`),\n"
        "  UNIQUE KEY `u` (`c`),\n"
        "  FULLTEXT KEY `f` (`c`)\n"
        ") ENGINE=InnoDB AUTO_INCREMENT=1000001 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci\n"
        " PARTITION BY HASH (`id`)\n"
        "PARTITIONS 2");
  CHECK(split->keys == std::vector<std::string>{"KEY `k_1` (`k`)", "KEY `k 2` (`k`,`c`(10)) COMMENT 'x'"});
  CHECK(add_keys_statement("d`b", "sbtest1", split->keys) ==
        "ALTER TABLE `d``b`.`sbtest1` ADD KEY `k_1` (`k`), ADD KEY `k 2` (`k`,`c`(10)) COMMENT 'x'");
}

TEST_CASE("split_secondary_keys leaves alone what it must not or cannot change") {
  // Nothing to defer.
  CHECK_FALSE(
      split_secondary_keys("CREATE TABLE `t` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) "
                           "ENGINE=InnoDB"));
  // Other engines build their indexes in bulk themselves.
  CHECK_FALSE(split_secondary_keys("CREATE TABLE `t` (\n  `a` int,\n  KEY `a` (`a`)\n) ENGINE=MyISAM"));
  // A foreign key needs its index.
  CHECK_FALSE(
      split_secondary_keys("CREATE TABLE `t` (\n  `a` int,\n  KEY `a` (`a`),\n  CONSTRAINT `f` FOREIGN "
                           "KEY (`a`) REFERENCES `p` (`id`)\n) ENGINE=InnoDB"));
  // Not SHOW CREATE TABLE's layout.
  CHECK_FALSE(split_secondary_keys("CREATE TABLE t (a int, KEY a (a)) ENGINE=InnoDB"));
  CHECK_FALSE(
      split_secondary_keys("CREATE TABLE \"t\" (\n  \"a\" int,\n  KEY \"a\" (\"a\")\n) ENGINE=InnoDB"));
  // Only keys: a table needs a column.
  CHECK_FALSE(split_secondary_keys("CREATE TABLE `t` (\n  KEY `a` (`a`)\n) ENGINE=InnoDB"));
}

TEST_CASE("is_referenced finds foreign keys pointing at a table") {
  const std::string child =
      "CREATE TABLE `c` (\n  `p` int,\n  CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `parent` (`k`)\n) "
      "ENGINE=InnoDB";
  const std::string other_db =
      "CREATE TABLE `c2` (\n  `p` int,\n  CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `db1`.`parent2` "
      "(`k`)\n) "
      "ENGINE=InnoDB";
  const std::vector<std::pair<std::string, std::string_view>> statements{{"db1", child}, {"db2", other_db}};
  CHECK(is_referenced("db1", "parent", statements));
  CHECK_FALSE(is_referenced("db2", "parent", statements));
  CHECK(is_referenced("db1", "parent2", statements));
  CHECK_FALSE(is_referenced("db1", "c", statements));
}
