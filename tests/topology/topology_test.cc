// The topology from the servers' states (topology/topology.h), errant transactions (errant.h) and the health
// check (health_check.h), over recorded rows and states built by hand.
#include <catch2/catch.hpp>

#include <algorithm>

#include "mzl/topology/errant.h"
#include "mzl/topology/health_check.h"
#include "mzl/topology/topology.h"
#include "recorded_rows.h"

using namespace mzl;
using namespace mzl::topology;

namespace {

bool has_problem(const std::vector<CheckProblem>& problems, const std::string& server,
                 const std::string& part) {
  return std::any_of(problems.begin(), problems.end(), [&](const CheckProblem& p) {
    return p.server == server && p.what.find(part) != std::string::npos;
  });
}

ServerState maria(uint32_t id, const char* binlog_pos, const char* current_pos = nullptr) {
  ServerState s;
  s.server_id = id;
  s.gtid_binlog_pos = *gtid::MariaGtidPosition::parse(binlog_pos);
  s.gtid_current_pos = *gtid::MariaGtidPosition::parse(current_pos ? current_pos : binlog_pos);
  return s;
}

}  // namespace

TEST_CASE("Topology: the recorded healthy MariaDB sandbox is healthy") {
  const Topology t = build_topology(test::recorded_entries("mariadb_healthy.txt", 27840));
  REQUIRE(t.primary == size_t{0});
  CHECK(t.replicas == std::vector<size_t>{1, 2});
  CHECK(t.source_of[1] == size_t{0});
  CHECK(t.source_of[2] == size_t{0});
  CHECK_FALSE(t.source_of[0].has_value());
  CHECK(t.errant.empty());
  CHECK(t.notes.empty());
  const auto problems = check_health(t, {});
  INFO(describe_check(t, problems, false));
  CHECK(problems.empty());
  CHECK(describe_check(t, problems, false).find("healthy") != std::string::npos);
  CHECK(describe_check(t, problems, true).find("\"healthy\":true") != std::string::npos);
}

TEST_CASE("Topology: a stopped IO thread and errant domain are problems, each named") {
  const Topology t = build_topology(test::recorded_entries("mariadb_io_stopped_errant.txt", 27840));
  REQUIRE(t.primary == size_t{0});
  REQUIRE(t.errant.size() == 1);
  CHECK(t.errant[0].server == 2);
  CHECK(t.errant[0].gtids == "99-3-2");
  const auto problems = check_health(t, {});
  INFO(describe_check(t, problems, false));
  CHECK(problems.size() == 2);
  CHECK(has_problem(problems, "127.0.0.1:27841", "IO thread is stopped"));
  CHECK(has_problem(problems, "127.0.0.1:27842", "errant transactions (not on the primary): 99-3-2"));
  const std::string json = describe_check(t, problems, true);
  CHECK(json.find("\"healthy\":false") != std::string::npos);
  CHECK(json.find("\"errant\":\"99-3-2\"") != std::string::npos);
}

TEST_CASE("Topology: an IO thread that cannot connect is named with its error") {
  const Topology t = build_topology(test::recorded_entries("mariadb_io_error.txt", 27840));
  // Its source port matches no server given; Master_Server_Id (still 1) ties it to the primary.
  CHECK(t.source_of[1] == size_t{0});
  const auto problems = check_health(t, {});
  CHECK(has_problem(problems, "127.0.0.1:27841", "IO thread is Connecting (last IO error 2003"));
}

TEST_CASE("Topology: unreachable servers, a dead primary, two writable servers") {
  auto entries = test::recorded_entries("mariadb_healthy.txt", 27840);
  SECTION("an unreachable replica") {
    entries[2].state.reset();
    entries[2].error = "cannot connect";
    const Topology t = build_topology(entries);
    CHECK(t.primary == size_t{0});
    CHECK(t.replicas == std::vector<size_t>{1});
    const auto problems = check_health(t, {});
    CHECK(has_problem(problems, "127.0.0.1:27842", "unreachable: cannot connect"));
  }
  SECTION("the primary unreachable: the replicas still name it") {
    entries[0].state.reset();
    entries[0].error = "cannot connect";
    const Topology t = build_topology(entries);
    CHECK(t.primary == size_t{0});
    CHECK(t.replicas == std::vector<size_t>{1, 2});
    const auto problems = check_health(t, {});
    CHECK(has_problem(problems, "127.0.0.1:27840", "unreachable"));
    CHECK(has_problem(problems, "", "no server is writable"));
  }
  SECTION("a writable replica") {
    entries[1].state->read_only = false;
    const auto problems = check_health(build_topology(entries), {});
    CHECK(has_problem(problems, "", "2 writable servers: 127.0.0.1:27840, 127.0.0.1:27841"));
  }
  SECTION("a read-only primary") {
    entries[0].state->read_only = true;
    const auto problems = check_health(build_topology(entries), {});
    CHECK(has_problem(problems, "127.0.0.1:27840", "the primary is read_only"));
  }
  SECTION("lag above --max-lag") {
    entries[2].state->channels[0].seconds_behind = 61;
    CHECK(has_problem(check_health(build_topology(entries), {}), "127.0.0.1:27842", "lags 61 s"));
    CHECK(check_health(build_topology(entries), {.max_lag_seconds = 61}).empty());
  }
  SECTION("the replicas name a server that was not given") {
    entries.erase(entries.begin());
    const Topology t = build_topology(entries);
    CHECK_FALSE(t.primary.has_value());
    CHECK(has_problem(check_health(t, {}), "", "no primary could be identified"));
  }
}

TEST_CASE("Topology: the recorded MySQL 8.0 rows") {
  const Topology t = build_topology(test::recorded_entries("mysql80_replica_status.txt", 13000));
  REQUIRE(t.primary == size_t{0});
  REQUIRE(t.errant.size() == 1);
  CHECK(t.errant[0].server == 3);
  CHECK(t.errant[0].gtids == "6b2d4e5f-71ca-11e1-9e33-c80aa9429565:1-2");
  const auto problems = check_health(t, {});
  CHECK(problems.size() == 2);
  CHECK(has_problem(problems, "127.0.0.1:13002", "IO thread is Connecting (last IO error 2003"));
  CHECK(has_problem(problems, "127.0.0.1:13003", "errant"));
  SECTION("super_read_only counts as not writable") {
    auto entries = test::recorded_entries("mysql80_replica_status.txt", 13000);
    entries[0].state->super_read_only = true;
    CHECK(has_problem(check_health(build_topology(entries), {}), "127.0.0.1:13000", "super_read_only"));
  }
}

TEST_CASE("Errant MariaDB GTIDs: per domain, behind is not errant") {
  const ServerState primary = maria(1, "0-1-100,1-5-20");
  CHECK(maria_errant(maria(2, "0-1-90"), primary).empty());                    // lagging
  CHECK(maria_errant(maria(2, "0-1-100,1-5-20"), primary).empty());            // equal
  CHECK(maria_errant(maria(2, "0-2-101"), primary).to_string() == "0-2-101");  // ahead in the domain
  // Ahead with a transaction the primary wrote itself: the primary's position was read before it.
  CHECK(maria_errant(maria(2, "0-1-101"), primary).empty());
  CHECK(maria_errant(maria(2, "0-2-100"), primary).to_string() == "0-2-100");     // same seq_no, other server
  CHECK(maria_errant(maria(2, "0-1-50,7-2-3"), primary).to_string() == "7-2-3");  // a domain it never had
  // gtid_current_pos can be further than gtid_binlog_pos (log_slave_updates off): both count.
  CHECK(maria_errant(maria(2, "0-1-50", "0-1-50,8-2-1"), primary).to_string() == "8-2-1");
  CHECK(errant_gtids(maria(2, "0-1-50"), primary).empty());
}

TEST_CASE("Errant MySQL GTIDs: executed minus the primary's executed") {
  ServerState primary, replica;
  primary.flavour = replica.flavour = Flavour::kMysql;
  primary.gtid_executed = *gtid::MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100");
  replica.gtid_executed = *gtid::MysqlGtidSet::parse(
      "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90:101-102,6b2d4e5f-71ca-11e1-9e33-c80aa9429565:1-2");
  CHECK(errant_gtids(replica, primary) ==
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:101-102,6b2d4e5f-71ca-11e1-9e33-c80aa9429565:1-2");
  // The primary's own later transactions (its set was read first) are not errant.
  primary.server_uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
  CHECK(errant_gtids(replica, primary) == "6b2d4e5f-71ca-11e1-9e33-c80aa9429565:1-2");
  replica.gtid_executed = *gtid::MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-90");
  CHECK(errant_gtids(replica, primary).empty());
}

TEST_CASE("Topology: a replica of a replica, and a source outside the servers given") {
  auto entries = test::recorded_entries("mariadb_healthy.txt", 27840);
  SECTION("server 3 replicates from server 2: the primary is still server 1") {
    entries[2].state->channels[0].source = entries[1].address;
    entries[2].state->channels[0].source_server_id = 2;
    const Topology t = build_topology(entries);
    CHECK(t.primary == size_t{0});
    CHECK(t.source_of[2] == size_t{1});
    CHECK(t.replicas == std::vector<size_t>{1, 2});
    CHECK(check_health(t, {}).empty());
  }
  SECTION("the primary replicates from a server not given: noted, still the primary") {
    ReplicationChannel upstream;
    upstream.source = {"10.0.0.9", 3306};
    upstream.source_server_id = 9;
    upstream.io_running = "Yes";
    upstream.sql_running = true;
    entries[0].state->channels.push_back(upstream);
    const Topology t = build_topology(entries);
    CHECK(t.primary == size_t{0});
    REQUIRE(t.notes.size() == 1);
    CHECK(t.notes[0] ==
          "127.0.0.1:27840 replicates from 10.0.0.9:3306, which is not among the servers given");
  }
  SECTION("a replica cut loose and writable: two writable servers, one not replicating") {
    entries[1].state->channels.clear();
    entries[1].state->read_only = false;
    const Topology t = build_topology(entries);
    CHECK(t.primary == size_t{0});
    const auto problems = check_health(t, {});
    CHECK(has_problem(problems, "", "2 writable servers: 127.0.0.1:27840, 127.0.0.1:27841"));
    CHECK(has_problem(problems, "127.0.0.1:27841", "does not replicate from any of the servers given"));
  }
  SECTION("two servers with replicas of their own and no source among those given") {
    ServerEntry second = entries[0];
    second.address = {"127.0.0.1", 27843};
    second.state->address = second.address;
    second.state->server_id = 4;
    entries.push_back(second);
    entries[2].state->channels[0].source = second.address;
    entries[2].state->channels[0].source_server_id = 4;
    const Topology t = build_topology(entries);
    CHECK_FALSE(t.primary.has_value());
    REQUIRE(t.notes.size() == 1);
    CHECK(t.notes[0] ==
          "several servers have replicas and replicate from none: 127.0.0.1:27840, 127.0.0.1:27843");
    CHECK(has_problem(check_health(t, {}), "", "no primary could be identified: several servers"));
  }
}
