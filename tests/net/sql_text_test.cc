// Quoting of identifiers and string literals (MariaDB KB "Identifier Names", "String Literals").
#include <catch2/catch.hpp>

#include "mzl/net/sql_text.h"

using namespace mzl::net;

TEST_CASE("sql_text: quoting", "[net]") {
  CHECK(quote_identifier("t") == "`t`");
  CHECK(quote_identifier("a`b") == "`a``b`");
  CHECK(quote_identifier("``") == "``````");
  CHECK(quote_identifier("sp ace.dot") == "`sp ace.dot`");
  CHECK(qualified_name("d`b", "t") == "`d``b`.`t`");
  CHECK(quote_string("it's") == "'it''s'");
  CHECK(quote_string("a\\b") == "'a\\\\b'");
}

TEST_CASE("sql_text: system schemas", "[net]") {
  CHECK(is_system_schema("mysql"));
  CHECK(is_system_schema("performance_schema"));
  CHECK_FALSE(is_system_schema("mysql2"));
}
