// The one wildcard dialect and table filter of every program (man/mzl.7, "Table filters").
#include <catch2/catch.hpp>

#include "mzl/util/table_filter.h"

using namespace mzl;

TEST_CASE("table filter: wildcards match whole names", "[util]") {
  CHECK(wildcard_match("db", "db"));
  CHECK_FALSE(wildcard_match("db", "db2"));
  CHECK(wildcard_match("db*", "db2"));
  CHECK(wildcard_match("db?", "db2"));
  CHECK_FALSE(wildcard_match("db?", "db"));
  CHECK(wildcard_match("*", ""));
  CHECK(wildcard_match("a*b*c", "aXXbYYc"));
  CHECK_FALSE(wildcard_match("a*b*c", "aXXbYY"));
  CHECK(wildcard_match("shop.order_*", "shop.order_2024"));
  CHECK_FALSE(wildcard_match("shop.order_*", "shop.orders"));
  // No bracket expressions or escapes: they are literal bytes.
  CHECK(wildcard_match("t[1]", "t[1]"));
  CHECK_FALSE(wildcard_match("t[12]", "t1"));
  CHECK(has_wildcard("a*"));
  CHECK_FALSE(has_wildcard("a.b"));
}

TEST_CASE("table filter: databases, tables and exclude narrow together", "[util]") {
  TableFilter all;
  CHECK(all.selects_table("shop", "orders"));

  TableFilter f;
  f.databases = {"shop", "crm*"};
  f.tables = {"shop.order*", "crm1.customers"};
  f.exclude = {"shop.order_old"};
  CHECK(f.selects_table("shop", "orders"));
  CHECK_FALSE(f.selects_table("shop", "order_old"));
  CHECK_FALSE(f.selects_table("shop", "items"));
  CHECK(f.selects_table("crm1", "customers"));
  CHECK_FALSE(f.selects_table("crm2", "customers"));
  CHECK_FALSE(f.selects_table("hr", "orders"));
  CHECK(f.database_named_by_tables("crm1"));
  CHECK_FALSE(f.database_named_by_tables("crm2"));

  TableFilter exact;
  exact.tables = {"shop.orders"};
  CHECK(exact.selects_table("shop", "orders"));
  CHECK_FALSE(exact.selects_table("shop", "orders2"));
  CHECK_FALSE(exact.selects_table("shopX", "orders"));

  TableFilter db_excluded;
  db_excluded.exclude = {"tmp*"};
  CHECK_FALSE(db_excluded.selects_table("tmp1", "t"));
  CHECK_FALSE(db_excluded.selects_database("tmp1"));
  CHECK(db_excluded.selects_database("shop"));
}
