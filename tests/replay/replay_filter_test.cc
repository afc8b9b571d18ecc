// ReplayFilter: which events mzl-pitr-restore replays and flashback undoes (--databases, --tables), with the
// names and wildcards of every table filter (man/mzl.7, "Table filters").
#include <catch2/catch.hpp>

#include "mzl/replay/replay_sql.h"

using mzl::replay::ReplayFilter;

TEST_CASE("ReplayFilter: exact names as before") {
  ReplayFilter f;
  f.tables = {"shop.orders"};
  CHECK(f.selects_table("shop", "orders"));
  CHECK_FALSE(f.selects_table("shop", "orders2"));
  CHECK_FALSE(f.selects_table("shop", "items"));
  CHECK(f.selects_database("shop"));
  CHECK_FALSE(f.selects_database("shop2"));
  CHECK(f.selects_statement("shop", "UPDATE orders SET x = 1"));
  CHECK_FALSE(f.selects_statement("shop", "UPDATE items SET x = 1"));

  ReplayFilter d;
  d.databases = {"crm"};
  CHECK(d.selects_table("crm", "anything"));
  CHECK_FALSE(d.selects_table("crm2", "anything"));
  CHECK(ReplayFilter{}.selects_table("x", "y"));
}

TEST_CASE("ReplayFilter: wildcards in --databases and --tables") {
  ReplayFilter f;
  f.databases = {"crm_?"};
  f.tables = {"shop.order_*"};
  CHECK(f.selects_table("crm_1", "customers"));
  CHECK_FALSE(f.selects_table("crm_12", "customers"));
  CHECK(f.selects_table("shop", "order_2024"));
  CHECK_FALSE(f.selects_table("shop", "orders"));
  CHECK(f.selects_database("shop"));
  CHECK(f.selects_database("crm_2"));
  CHECK_FALSE(f.selects_database("hr"));
  CHECK(f.selects_statement("shop", "DELETE FROM order_2023"));
  CHECK_FALSE(f.selects_statement("shop", "DELETE FROM items"));
}
