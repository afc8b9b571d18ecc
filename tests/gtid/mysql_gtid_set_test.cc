// MySQL GTID sets. Expected values come from the MySQL Reference Manual (GTID concepts: format and
// examples of sets; GTID_SUBTRACT / GTID_SUBSET examples in "Functions Used with GTIDs"; the 8.4 tagged-GTID
// example) and from the server's documented rules (intervals merged, UUIDs sorted, lower case).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mzl/gtid/mysql_gtid_set.h"

using namespace mzl;
using namespace mzl::gtid;

namespace {

const std::string kA = "3E11FA47-71CA-11E1-9E33-C80AA9429562";  // the manual's example server UUID
const std::string ka = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const std::string kB = "2174B383-5441-11E8-B90A-C80AA9429562";  // from the manual's gtid_executed example
const std::string kb = "2174b383-5441-11e8-b90a-c80aa9429562";

MysqlGtidSet set_of(const std::string& text) {
  auto s = MysqlGtidSet::parse(text);
  INFO(text);
  REQUIRE(s.ok());
  return *s;
}

std::string one_line(const MysqlGtidSet& s) {
  return s.to_string(",");
}

Tsid tsid(const std::string& uuid, const std::string& tag = "") {
  return Tsid{*Uuid::parse(uuid), tag};
}

}  // namespace

TEST_CASE("MySQL GTID set text parses and prints in the server's canonical form") {
  struct Case {
    std::string in;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"", ""},
      {"   \n ", ""},
      {kA + ":23", ka + ":23"},
      {kA + ":1-5", ka + ":1-5"},
      {kA + ":1-3:11:47-49", ka + ":1-3:11:47-49"},
      // Adjacent and overlapping intervals merge; intervals are sorted.
      {kA + ":1-5:6-10", ka + ":1-10"},
      {kA + ":7-9:1-5", ka + ":1-5:7-9"},
      {kA + ":1-5:3-8", ka + ":1-8"},
      {kA + ":5," + kA + ":4," + kA + ":6", ka + ":4-6"},
      {kA + ":1-10:2-3", ka + ":1-10"},
      {kA + ":3-3", ka + ":3"},
      // UUIDs sorted.
      {kA + ":1-5," + kB + ":1-3", kb + ":1-3," + ka + ":1-5"},
      // Whitespace and newlines around tokens, empty items between commas.
      {" \n " + kA + " : 1 - 5 ,\n\t" + kB + ":3 \n", kb + ":3," + ka + ":1-5"},
      {",," + kA + ":1,,", ka + ":1"},
      {kA, ""},
      // MySQL 8.4 tags: case-insensitive, lower case when printed, after the untagged intervals, sorted.
      {kA + ":1-5:Domain_1:1-3:11:47-49:Domain_2:8-17", ka + ":1-5:domain_1:1-3:11:47-49:domain_2:8-17"},
      {kA + ":domain_2:8-17," + kA + ":DOMAIN_1:1-3:11:47-49," + kA + ":1-5",
       ka + ":1-5:domain_1:1-3:11:47-49:domain_2:8-17"},
      {kA + ":tag:1-3:5", ka + ":tag:1-3:5"},
      {kA + ":tag:1-3," + kA + ":5", ka + ":5:tag:1-3"},
      {kA + ":_x:1", ka + ":_x:1"},
      {kA + ":9223372036854775806", ka + ":9223372036854775806"},
  };
  for (const auto& c : cases) {
    INFO("input: " << c.in);
    auto s = MysqlGtidSet::parse(c.in);
    REQUIRE(s.ok());
    CHECK(one_line(*s) == c.out);
    // Printing then parsing gives the same set.
    auto again = MysqlGtidSet::parse(s->to_string());
    REQUIRE(again.ok());
    CHECK(*again == *s);
  }
}

TEST_CASE("MySQL GTID set prints several UUIDs separated by ',\\n' like @@gtid_executed") {
  CHECK(set_of(kA + ":1-5," + kB + ":1-3").to_string() == kb + ":1-3,\n" + ka + ":1-5");
}

TEST_CASE("MySQL GTID set parse errors name the position") {
  struct Case {
    std::string in;
    uint64_t at;
  };
  const std::vector<Case> cases = {
      {"garbage", 0},
      {"3E11FA47-71CA-11E1-9E33-C80AA942956:1", 0},       // 35 characters
      {"3E11FA47-71CA-11E1-9E33-C80AA942956G:1", 0},      // not hex
      {"3E11FA4771CA11E19E33C80AA9429562:1", 0},          // a set needs the dashed form
      {kA + ":0", 37},                                    // GNOs start at 1
      {kA + ":5-3", 37},                                  // reversed interval
      {kA + ":9223372036854775807", 37},                  // 2^63-1 is one past the last GNO
      {kA + ":99999999999999999999", 37},                 // overflow
      {kA + ":1-", 39},                                   // missing end
      {kA + ":1-9223372036854775807", 39},                // end past the last GNO
      {kA + ":1x", 38},                                   // junk after a GNO
      {kA + ";1", 36},                                    // wrong separator
      {kA + ":", 37},                                     // nothing after ':'
      {kA + ":-5", 37},                                   // negative
      {kA + ":abcdefghijabcdefghijabcdefghijabc:1", 37},  // 33-character tag
      {kA + ":1," + kA + ":x-y", 77},                     // tag followed by junk
      {kA + ":1 2", 39},                                  // two numbers
  };
  for (const auto& c : cases) {
    INFO("input: " << c.in);
    auto s = MysqlGtidSet::parse(c.in);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::kInvalidArgument);
    REQUIRE(s.error().offset.has_value());
    CHECK(*s.error().offset == c.at);
    CHECK(s.error().message.find("character " + std::to_string(c.at)) != std::string::npos);
  }
}

TEST_CASE("GTID_SUBTRACT and GTID_SUBSET examples from the manual") {
  // SELECT GTID_SUBTRACT('...:21-57', '...:21') -> '...:22-57' (and the two following examples).
  CHECK(one_line(MysqlGtidSet::difference(set_of(kA + ":21-57"), set_of(kA + ":21"))) == ka + ":22-57");
  CHECK(one_line(MysqlGtidSet::difference(set_of(kA + ":21-57"), set_of(kA + ":20-25"))) == ka + ":26-57");
  CHECK(one_line(MysqlGtidSet::difference(set_of(kA + ":21-57"), set_of(kA + ":23-24"))) ==
        ka + ":21-22:25-57");
  // GTID_SUBSET(a, b) is b.contains(a).
  CHECK(set_of(kA + ":21-57").contains(set_of(kA + ":23")));
  CHECK(set_of(kA + ":21-57").contains(set_of(kA + ":23-25")));
  CHECK_FALSE(set_of(kA + ":21-57").contains(set_of(kA + ":20-25")));
}

TEST_CASE("MySQL GTID set union, subtract, intersect edge cases") {
  SECTION("union merges touching intervals across operands and keeps UUIDs apart") {
    auto u = MysqlGtidSet::union_of(set_of(kA + ":1-3:10"), set_of(kA + ":4-6:9," + kB + ":1"));
    CHECK(one_line(u) == kb + ":1," + ka + ":1-6:9-10");
    CHECK(MysqlGtidSet::union_of(u, MysqlGtidSet()) == u);
  }
  SECTION("subtract removes whole intervals, splits, and drops emptied UUIDs") {
    auto s = set_of(kA + ":1-10:20-30," + kB + ":1-5");
    s.subtract(set_of(kA + ":5-25," + kB + ":1-5"));
    CHECK(one_line(s) == ka + ":1-4:26-30");
    s.subtract(set_of(kA + ":1-100"));
    CHECK(s.empty());
    CHECK(s == MysqlGtidSet());
    auto t = set_of(kA + ":1-10");
    t.subtract(set_of(kA + ":1:3:5:7:9"));
    CHECK(one_line(t) == ka + ":2:4:6:8:10");
    t.subtract(set_of(kB + ":1-100"));  // other UUID: nothing happens
    CHECK(one_line(t) == ka + ":2:4:6:8:10");
  }
  SECTION("subtract with an interval spanning several of ours") {
    auto s = set_of(kA + ":1-2:4-5:7-8:10-12");
    s.subtract(set_of(kA + ":2-7:11"));
    CHECK(one_line(s) == ka + ":1:8:10:12");
  }
  SECTION("intersect") {
    CHECK(one_line(MysqlGtidSet::intersection(set_of(kA + ":1-10"), set_of(kA + ":5-15:20"))) ==
          ka + ":5-10");
    CHECK(MysqlGtidSet::intersection(set_of(kA + ":1-10"), set_of(kB + ":1-10")).empty());
    CHECK(one_line(MysqlGtidSet::intersection(set_of(kA + ":1-10:20-30," + kB + ":1"),
                                              set_of(kA + ":5-25," + kB + ":1-2"))) ==
          kb + ":1," + ka + ":5-10:20-25");
  }
  SECTION("contains a GTID") {
    const auto s = set_of(kA + ":1-3:11:47-49:mytag:5");
    CHECK(s.contains(tsid(kA), 1));
    CHECK(s.contains(tsid(kA), 3));
    CHECK_FALSE(s.contains(tsid(kA), 4));
    CHECK(s.contains(tsid(kA), 11));
    CHECK_FALSE(s.contains(tsid(kA), 0));
    CHECK_FALSE(s.contains(tsid(kA), 50));
    CHECK_FALSE(s.contains(tsid(kA), 5));  // only the tagged one has 5
    CHECK(s.contains(tsid(kA, "mytag"), 5));
    CHECK_FALSE(s.contains(tsid(kB), 1));
    CHECK(s.contains(*MysqlGtid::parse(kA + ":MyTag:5")));
  }
  SECTION("contains a set, equality, emptiness, count") {
    const auto s = set_of(kA + ":1-3:11:47-49");
    CHECK(s.count() == 7);
    CHECK(s.contains(MysqlGtidSet()));
    CHECK(s.contains(s));
    CHECK_FALSE(s.contains(set_of(kA + ":3-4")));
    CHECK_FALSE(s.contains(set_of(kB + ":1")));
    CHECK(s == set_of(kA + ":47-49:11:1-3"));
    CHECK_FALSE(s == set_of(kA + ":1-3:11:47-50"));
    CHECK(MysqlGtidSet().empty());
    CHECK(MysqlGtidSet().count() == 0);
    CHECK(set_of(kA + ":1-9223372036854775806").count() == 9223372036854775806ull);
    CHECK(s.last_gno(tsid(kA)) == 49);
    CHECK(s.last_gno(tsid(kB)) == 0);
  }
}

TEST_CASE("MySQL GTID set add() validates GNOs and tags") {
  MysqlGtidSet s;
  const auto a = *Uuid::parse(kA);
  CHECK(s.add(a, "", 1).ok());
  CHECK(s.add(a, "", 2).ok());
  CHECK(s.add(a, "", 2).ok());
  CHECK(s.add(a, "MyTag", 7).ok());
  CHECK(s.add(a, "", kMaxGno).ok());
  CHECK(one_line(s) == ka + ":1-2:9223372036854775806:mytag:7");
  CHECK(s.add(a, "", 0).error().code == ErrorCode::kInvalidArgument);
  CHECK(s.add(a, "", -1).error().code == ErrorCode::kInvalidArgument);
  CHECK(s.add(a, "", kMaxGno + 1).error().code == ErrorCode::kInvalidArgument);
  CHECK(s.add(a, "1abc", 1).error().code == ErrorCode::kInvalidArgument);
  CHECK(s.add(a, "with-dash", 1).error().code == ErrorCode::kInvalidArgument);
  CHECK(s.add_interval(Tsid{a, ""}, 5, 5).error().code == ErrorCode::kInvalidArgument);
  CHECK(one_line(s) == ka + ":1-2:9223372036854775806:mytag:7");
}

TEST_CASE("single MySQL GTIDs parse and print") {
  auto g = MysqlGtid::parse(kA + ":23");
  REQUIRE(g.ok());
  CHECK(g->gno == 23);
  CHECK(g->to_string() == ka + ":23");
  auto t = MysqlGtid::parse(" " + kA + ":Domain_1:7 ");
  REQUIRE(t.ok());
  CHECK(t->to_string() == ka + ":domain_1:7");
  CHECK_FALSE(MysqlGtid::parse(kA + ":1-2").ok());
  CHECK_FALSE(MysqlGtid::parse(kA).ok());
  CHECK_FALSE(MysqlGtid::parse(kA + ":0").ok());
}

TEST_CASE("UUIDs parse in the server's three forms") {
  CHECK(Uuid::parse(kA)->to_string() == ka);
  CHECK(Uuid::parse("3E11FA4771CA11E19E33C80AA9429562")->to_string() == ka);
  CHECK(Uuid::parse("{" + kA + "}")->to_string() == ka);
  CHECK_FALSE(Uuid::parse(kA.substr(1)));
  CHECK_FALSE(Uuid::parse("3E11FA47+71CA-11E1-9E33-C80AA9429562"));
  CHECK(Uuid::parse("00000000-0000-0000-0000-000000000000")->is_nil());
}
