// MariaDB GTIDs, positions and binlog state. Expected values follow the MariaDB Knowledge Base page "Global
// Transaction ID": a GTID is domain-server-seq; gtid_slave_pos holds one GTID per domain; a replica is sent
// the events of each domain after its position; the binlog state keeps the last GTID per domain and server.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mzl/gtid/maria_gtid.h"

using namespace mzl;
using namespace mzl::gtid;

namespace {

MariaGtidPosition pos_of(const std::string& text) {
  auto p = MariaGtidPosition::parse(text);
  INFO(text);
  REQUIRE(p.ok());
  return *p;
}

MariaGtid gtid_of(const std::string& text) {
  auto g = MariaGtid::parse(text);
  INFO(text);
  REQUIRE(g.ok());
  return *g;
}

}  // namespace

TEST_CASE("MariaDB GTIDs parse and print as domain-server-seq") {
  const auto g = gtid_of("0-1-100");
  CHECK(g.domain_id == 0);
  CHECK(g.server_id == 1);
  CHECK(g.seq_no == 100);
  CHECK(g.to_string() == "0-1-100");
  CHECK(gtid_of(" 4294967295-4294967295-18446744073709551615 ").to_string() ==
        "4294967295-4294967295-18446744073709551615");

  struct Bad {
    std::string text;
    uint64_t at;
  };
  for (const auto& b : std::vector<Bad>{{"", 0},
                                        {"0-1", 3},
                                        {"a-1-1", 0},
                                        {"0--1", 2},
                                        {"0-1-1x", 5},
                                        {"4294967296-1-1", 0},
                                        {"0-4294967296-1", 2},
                                        {"0-1-18446744073709551616", 4},
                                        {"-1-1-1", 0}}) {
    INFO(b.text);
    auto r = MariaGtid::parse(b.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().offset == b.at);
  }
}

TEST_CASE("MariaDB GTID positions: one GTID per domain, printed by domain") {
  CHECK(pos_of("").empty());
  CHECK(pos_of("0-1-100").to_string() == "0-1-100");
  CHECK(pos_of("1-2-20, 0-1-100").to_string() == "0-1-100,1-2-20");
  CHECK(pos_of("0-1-100,1-2-20").size() == 2);
  CHECK(pos_of("0-1-100,1-2-20").find(1)->to_string() == "1-2-20");
  CHECK_FALSE(pos_of("0-1-100").find(1));

  auto dup = MariaGtidPosition::parse("0-1-100,0-2-200");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().offset == 8);
  CHECK_FALSE(MariaGtidPosition::parse("0-1-100,").ok());
  CHECK_FALSE(MariaGtidPosition::parse("0-1-100;1-1-1").ok());
  CHECK_FALSE(MariaGtidPosition::parse(",0-1-100").ok());
}

TEST_CASE("MariaDB GTID position union, contains, needs and compare") {
  SECTION("union keeps per domain the higher seq_no") {
    auto p = pos_of("0-1-10,1-1-5");
    p.merge(pos_of("0-2-12,1-3-4,2-1-3"));
    CHECK(p.to_string() == "0-2-12,1-1-5,2-1-3");
    auto tie = pos_of("0-1-10");
    tie.merge(pos_of("0-2-10"));
    CHECK(tie.to_string() == "0-1-10");
  }
  SECTION("contains and needs go by domain and seq_no") {
    const auto p = pos_of("0-1-10,1-2-5");
    CHECK(p.contains(gtid_of("0-1-10")));
    CHECK(p.contains(gtid_of("0-1-3")));
    CHECK(p.contains(gtid_of("0-7-9")));  // a GTID of the domain written by another server
    CHECK_FALSE(p.contains(gtid_of("0-1-11")));
    CHECK_FALSE(p.contains(gtid_of("2-1-1")));  // a domain the position has not seen
    CHECK(p.needs(gtid_of("0-1-11")));
    CHECK(p.needs(gtid_of("2-1-1")));
    CHECK_FALSE(p.needs(gtid_of("1-2-5")));
    CHECK(p.contains(pos_of("0-1-9,1-2-5")));
    CHECK_FALSE(p.contains(pos_of("0-1-9,3-1-1")));
    CHECK(p.contains(MariaGtidPosition()));
  }
  SECTION("compare") {
    using O = MariaGtidPosition::Order;
    CHECK(pos_of("0-1-10,1-1-5").compare(pos_of("1-1-5,0-1-10")) == O::kEqual);
    CHECK(pos_of("0-1-9").compare(pos_of("0-1-10")) == O::kBefore);
    CHECK(pos_of("0-1-10").compare(pos_of("0-1-10,1-1-1")) == O::kBefore);
    CHECK(pos_of("0-1-11,1-1-1").compare(pos_of("0-1-10")) == O::kAfter);
    CHECK(pos_of("0-1-11,1-1-1").compare(pos_of("0-1-10,1-1-2")) == O::kDiverged);
    CHECK(pos_of("0-1-10").compare(pos_of("0-2-10")) == O::kDiverged);  // same seq_no, other server
    CHECK(MariaGtidPosition().compare(pos_of("0-1-1")) == O::kBefore);
  }
}

TEST_CASE("MariaDB binlog state tracks continuity per domain") {
  using C = MariaGtidState::Continuity;
  MariaGtidState s;
  CHECK(s.add(gtid_of("0-1-1")) == C::kFirstInDomain);
  CHECK(s.add(gtid_of("0-1-2")) == C::kNext);
  CHECK(s.check(gtid_of("0-1-2")) == C::kOutOfOrder);
  CHECK(s.add(gtid_of("0-2-3")) == C::kNext);  // another server continues the domain
  CHECK(s.add(gtid_of("0-1-7")) == C::kGap);
  CHECK(s.add(gtid_of("0-1-5")) == C::kOutOfOrder);
  CHECK(s.add(gtid_of("1-1-100")) == C::kFirstInDomain);
  CHECK(s.position().to_string() == "0-1-5,1-1-100");  // the last GTID added per domain
  CHECK(s.contains(gtid_of("0-1-7")));
  CHECK(s.contains(gtid_of("0-2-3")));
  CHECK_FALSE(s.contains(gtid_of("0-2-4")));
  CHECK_FALSE(s.contains(gtid_of("2-1-1")));
  // The domain's last GTID is listed last within the domain.
  CHECK(s.to_string() == "0-2-3,0-1-7,1-1-100");
}
