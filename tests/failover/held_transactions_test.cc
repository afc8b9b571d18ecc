#include "mzl/failover/held_transactions.h"

#include <catch2/catch.hpp>

using namespace mzl::failover;
using mzl::topology::Flavour;

TEST_CASE("held transactions: MariaDB by domain and sequence number") {
  auto held = HeldTransactions::parse(Flavour::kMariaDb, "0-1-100,5-2-7");
  REQUIRE(held.ok());
  CHECK(held->holds("0-1-100"));
  CHECK(held->holds("0-3-99"));  // a position holds every lower sequence number of its domain
  CHECK_FALSE(held->holds("0-1-101"));
  CHECK_FALSE(held->holds("1-1-1"));  // a domain it has never seen
  CHECK_FALSE(held->holds("not a gtid"));
  HeldTransactions more = *held;
  more.add("0-1-105");
  more.add("");  // a transaction without a GTID changes nothing
  CHECK(more.to_string() == "0-1-105,5-2-7");
  CHECK(more.holds(*held));
  CHECK_FALSE(held->holds(more));
}

TEST_CASE("held transactions: MySQL GTID sets, with a recorded server state") {
  auto held = HeldTransactions::parse(Flavour::kMysql, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:8");
  REQUIRE(held.ok());
  CHECK(held->holds("3e11fa47-71ca-11e1-9e33-c80aa9429562:5"));
  CHECK_FALSE(held->holds("3e11fa47-71ca-11e1-9e33-c80aa9429562:6"));  // sets have holes, positions none
  CHECK(held->holds("3e11fa47-71ca-11e1-9e33-c80aa9429562:8"));
  HeldTransactions more = *held;
  more.add("3e11fa47-71ca-11e1-9e33-c80aa9429562:6");
  CHECK(more.to_string() == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6:8");
  CHECK(more.holds(*held));
  CHECK_FALSE(HeldTransactions::parse(Flavour::kMysql, "not a set").ok());
}
