#include <catch2/catch.hpp>

#include "mzl/archive/failover_chain.h"
#include "mzl/util/host_port.h"

using namespace mzl;
using namespace mzl::archive;

namespace {

repo::FailoverRecord record(const std::string& id, const std::string& old_address, uint32_t old_id,
                            const std::string& new_address, uint32_t new_id,
                            repo::Outcome outcome = repo::Outcome::kPromoted,
                            repo::RunKind kind = repo::RunKind::kFailover) {
  repo::FailoverRecord r;
  r.id = id;
  r.kind = kind;
  r.outcome = outcome;
  r.old_primary = repo::ServerRef{old_address, old_id};
  r.new_primary = repo::ServerRef{new_address, new_id};
  return r;
}

std::vector<std::string> sources(const std::vector<FailoverHop>& hops) {
  std::vector<std::string> out;
  for (const FailoverHop& hop : hops) out.push_back(hop.predecessor + ">" + hop.source);
  return out;
}

}  // namespace

TEST_CASE("failover chain: no record, or none about this server, leaves the base source") {
  CHECK(follow_failovers({}, "db1", ArchivedServer{"db1:3306", 1}).empty());
  CHECK(follow_failovers({record("20261207T041500Z", "db9:3306", 9, "db2:3306", 2)}, "db1",
                         ArchivedServer{"db1:3306", 1})
            .empty());
}

TEST_CASE("failover chain: a record replaces the server by address or by server_id") {
  const auto by_address = follow_failovers({record("20261207T041500Z", "localhost:3306", 77, "db2:3306", 2)},
                                           "db1", ArchivedServer{"127.0.0.1:3306", 1});
  REQUIRE(by_address.size() == 1);
  CHECK(by_address[0].source == "db1.20261207T041500Z");
  CHECK(by_address[0].predecessor == "db1");
  CHECK(by_address[0].record.new_primary.address == "db2:3306");

  const auto by_id = follow_failovers({record("20261207T041500Z", "10.0.0.1:3306", 1, "db2:3306", 2)}, "db1",
                                      ArchivedServer{"", 1});
  CHECK(sources(by_id) == std::vector<std::string>{"db1>db1.20261207T041500Z"});

  // Neither: another port on the same host, and an unknown server id (0) matches nothing.
  CHECK(follow_failovers({record("20261207T041500Z", "db1:3307", 0, "db2:3306", 2)}, "db1",
                         ArchivedServer{"db1:3306", 0})
            .empty());
}

TEST_CASE("failover chain: switches follow each other, and a switch back is followed too") {
  const std::vector<repo::FailoverRecord> records = {
      record("20261207T041500Z", "db1:3306", 1, "db2:3306", 2),
      record("20261207T041600Z", "db3:3306", 3, "db1:3306", 1),  // not about the chain
      record("20261207T041700Z", "db2:3306", 2, "db3:3306", 3, repo::Outcome::kPromoted,
             repo::RunKind::kSwitchover),
      record("20261207T041800Z", "db3:3306", 3, "db1:3306", 1),
  };
  const auto hops = follow_failovers(records, "db1", ArchivedServer{"db1:3306", 1});
  CHECK(sources(hops) == std::vector<std::string>{"db1>db1.20261207T041500Z",
                                                  "db1.20261207T041500Z>db1.20261207T041700Z",
                                                  "db1.20261207T041700Z>db1.20261207T041800Z"});
}

TEST_CASE("failover chain: records that promoted nothing are passed over") {
  for (auto outcome : {repo::Outcome::kRefused, repo::Outcome::kRolledBack, repo::Outcome::kFailed,
                       repo::Outcome::kDryRun, repo::Outcome::kRejoined}) {
    CHECK(follow_failovers({record("20261207T041500Z", "db1:3306", 1, "db2:3306", 2, outcome)}, "db1",
                           ArchivedServer{"db1:3306", 1})
              .empty());
  }
  CHECK(follow_failovers({record("20261207T041500Z", "db1:3306", 1, "db2:3306", 2, repo::Outcome::kPromoted,
                                 repo::RunKind::kRejoin)},
                         "db1", ArchivedServer{"db1:3306", 1})
            .empty());
}

TEST_CASE("failover chain: the successor's name must be a valid source name") {
  auto name = successor_source_name("db1_3306", "20261207T041500Z-2");
  REQUIRE(name.ok());
  CHECK(*name == "db1_3306.20261207T041500Z-2");
  auto too_long = successor_source_name(std::string(120, 'a'), "20261207T041500Z");
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("host:port: parsing and comparing") {
  CHECK(same_host_port("localhost:3306", "127.0.0.1:3306"));
  CHECK(same_host_port("DB1.example.com:3306", "db1.example.com"));
  CHECK(same_host_port("[::1]:3307", "127.0.0.1:3307"));
  CHECK_FALSE(same_host_port("db1:3306", "db1:3307"));
  CHECK_FALSE(same_host_port("db1:x", "db1:x"));
  CHECK_FALSE(same_host_port("", ""));
  auto parsed = HostPort::parse("[fe80::1]:3310");
  REQUIRE(parsed.ok());
  CHECK(parsed->host == "fe80::1");
  CHECK(parsed->to_string() == "[fe80::1]:3310");
  CHECK_FALSE(HostPort::parse("db1:0").ok());
}

TEST_CASE(
    "failover chain: the predecessor's history ends at its last transaction, no further than the fork") {
  // The archive is behind the fork (the new primary has more, from its relay log): the archive's position.
  CHECK(history_fork_point("0-1-20", "0-1-25") == "0-1-20");
  // The archive got a transaction of the old primary after the fork: the fork.
  CHECK(history_fork_point("0-1-22", "0-1-21") == "0-1-21");
  // Per domain; a domain the new primary never had is not the cluster's.
  CHECK(history_fork_point("0-1-22,1-1-5,7-1-3", "0-1-21,1-1-9") == "0-1-21,1-1-5");
  // Unknown fork: the archive's position.
  CHECK(history_fork_point("0-1-22", "") == "0-1-22");
  CHECK(history_fork_point("", "0-1-22") == "");
  // MySQL sets: the intersection.
  CHECK(history_fork_point("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100",
                           "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90") ==
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90");
}
