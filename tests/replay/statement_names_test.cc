// The lexer behind partial and renamed replays: identifiers are found outside literals and comments, and
// only database qualifiers are renamed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "mzl/replay/statement_names.h"

namespace mzl::replay {
namespace {

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST_CASE("statement_identifiers: names outside literals and comments") {
  const auto names = statement_identifiers(
      "INSERT INTO shop.`order items` (id, note) VALUES (1, 'orders; `fake`'), (2, \"it''s \\\" orders\") "
      "-- orders in a comment\n/* orders */ /*!40000 ON DUPLICATE KEY UPDATE */ # orders\n");
  CHECK(has(names, "shop"));
  CHECK(has(names, "order items"));
  CHECK(has(names, "ON"));  // an executable comment is code
  CHECK_FALSE(has(names, "orders"));
  CHECK_FALSE(has(names, "fake"));
  CHECK_FALSE(has(names, "40000"));
}

TEST_CASE("rename_database_qualifiers: qualifiers only, literals and other names untouched") {
  CHECK(rename_database_qualifiers("UPDATE shop.t SET note = 'shop.t' WHERE shop.t.id = 1 AND shops.x = 2",
                                   "shop", "copy") ==
        "UPDATE `copy`.t SET note = 'shop.t' WHERE `copy`.t.id = 1 AND shops.x = 2");
  CHECK(rename_database_qualifiers("CREATE TABLE `shop` . `t` (shop INT) -- shop.t", "shop", "a`b") ==
        "CREATE TABLE `a``b` . `t` (shop INT) -- shop.t");
  CHECK(rename_database_qualifiers("SELECT 1", "shop", "copy") == "SELECT 1");
}

}  // namespace
}  // namespace mzl::replay
