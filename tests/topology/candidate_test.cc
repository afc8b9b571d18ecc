// Candidate ranking (topology/candidate.h): executed plus received, --prefer / --never, the order given,
// errant replicas excluded.
#include <catch2/catch.hpp>

#include "mzl/topology/candidate.h"
#include "mzl/topology/health_check.h"
#include "recorded_rows.h"

using namespace mzl;
using namespace mzl::topology;

namespace {

// A MariaDB primary and replicas given (gtid_slave_pos, Gtid_IO_Pos), ports 3306, 3307, ...
Topology maria_topology(const std::vector<std::pair<const char*, const char*>>& replicas) {
  std::vector<ServerEntry> entries;
  ServerEntry primary;
  primary.address = {"db", 3306};
  primary.state.emplace();
  primary.state->server_id = 1;
  primary.state->gtid_binlog_pos = *gtid::MariaGtidPosition::parse("0-1-100,1-1-50");
  primary.state->address = primary.address;
  entries.push_back(primary);
  unsigned port = 3307;
  for (auto [slave_pos, io_pos] : replicas) {
    ServerEntry e;
    e.address = {"db", port++};
    e.state.emplace();
    e.state->address = e.address;
    e.state->server_id = port;
    e.state->read_only = true;
    e.state->gtid_slave_pos = *gtid::MariaGtidPosition::parse(slave_pos);
    e.state->gtid_binlog_pos = e.state->gtid_current_pos = e.state->gtid_slave_pos;
    ReplicationChannel c;
    c.source = primary.address;
    c.io_running = "Yes";
    c.sql_running = true;
    c.maria_received = *gtid::MariaGtidPosition::parse(io_pos);
    e.state->channels.push_back(c);
    entries.push_back(e);
  }
  return build_topology(entries);
}

ServerAddress at(unsigned port) {
  return {"db", port};
}

}  // namespace

TEST_CASE("Candidate: received counts, not only executed (MariaDB)") {
  // 3307 applied less but received more than 3308.
  const Topology t =
      maria_topology({{"0-1-80,1-1-50", "0-1-100,1-1-50"}, {"0-1-95,1-1-50", "0-1-95,1-1-50"}});
  const CandidateChoice c = choose_candidate(t, {});
  REQUIRE(c.chosen == size_t{1});
  CHECK(c.reason.find("db:3307: the most complete data (every other candidate has less)") == 0);
  CHECK(c.reason.find("0-1-100,1-1-50") != std::string::npos);
  CHECK(c.data.size() == 2);
}

TEST_CASE("Candidate: per domain, the further of gtid_slave_pos and Gtid_IO_Pos") {
  // The IO position of a replica is behind its slave position in domain 1 (received before a restart):
  // its data is the union.
  const Topology t =
      maria_topology({{"0-1-90,1-1-50", "0-1-100,1-1-40"}, {"0-1-100,1-1-45", "0-1-100,1-1-45"}});
  CHECK(choose_candidate(t, {}).chosen == size_t{1});
}

TEST_CASE("Candidate: equal data, then --prefer, then the order given") {
  const Topology t =
      maria_topology({{"0-1-100,1-1-50", ""}, {"0-1-90,1-1-50", "0-1-100,1-1-50"}, {"0-1-99", ""}});
  CHECK(choose_candidate(t, {}).chosen == size_t{1});
  CHECK(choose_candidate(t, {}).reason.find("first in the order given") != std::string::npos);
  const CandidateChoice preferred = choose_candidate(t, {.prefer = {at(3308)}, .never = {}});
  CHECK(preferred.chosen == size_t{2});
  CHECK(preferred.reason.find("--prefer") != std::string::npos);
  // --prefer does not outrank data: 3309 has less.
  CHECK(choose_candidate(t, {.prefer = {at(3309)}, .never = {}}).chosen == size_t{1});
}

TEST_CASE("Candidate: --never and errant replicas are excluded and named") {
  Topology t = maria_topology({{"0-1-100,1-1-50", ""}, {"0-1-90,1-1-50", ""}});
  const CandidateChoice never = choose_candidate(t, {.prefer = {}, .never = {at(3307)}});
  CHECK(never.chosen == size_t{2});
  CHECK(never.excluded == std::vector<std::string>{"db:3307: --never"});
  t.errant.push_back({1, "5-3-1"});
  const CandidateChoice errant = choose_candidate(t, {});
  CHECK(errant.chosen == size_t{2});
  CHECK(errant.excluded == std::vector<std::string>{"db:3307: errant transactions 5-3-1"});
  const CandidateChoice none = choose_candidate(t, {.prefer = {}, .never = {at(3308)}});
  CHECK_FALSE(none.chosen.has_value());
  CHECK(none.reason == "no replica can be promoted");
}

TEST_CASE("Candidate: diverged histories choose nothing") {
  // 3307 is further in domain 0, 3308 in domain 1.
  const Topology t = maria_topology({{"0-1-100,1-1-40", ""}, {"0-1-90,1-1-50", ""}});
  const CandidateChoice c = choose_candidate(t, {});
  CHECK_FALSE(c.chosen.has_value());
  CHECK(c.reason.find("diverged") != std::string::npos);
}

TEST_CASE("Candidate: MySQL, executed union Retrieved_Gtid_Set, errant excluded (recorded rows)") {
  const Topology t = build_topology(test::recorded_entries("mysql80_replica_status.txt", 13000));
  const CandidateChoice c = choose_candidate(t, {});
  // Server 2 executed 1-90 but received 1-100; server 3 executed 1-95; server 4 is errant.
  REQUIRE(c.chosen == size_t{1});
  CHECK(c.excluded == std::vector<std::string>{"127.0.0.1:13003: errant transactions "
                                               "6b2d4e5f-71ca-11e1-9e33-c80aa9429565:1-2"});
  CHECK(candidate_data_text(t, 1) ==
        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100,8e9f0a1b-71ca-11e1-9e33-c80aa9429566:1-20");
  const std::string json = describe_dry_run(t, c, true);
  CHECK(json.find("\"candidate\":\"127.0.0.1:13001\"") != std::string::npos);
}

TEST_CASE("Candidate: an unreachable replica is named") {
  auto entries = test::recorded_entries("mariadb_healthy.txt", 27840);
  entries[1].state.reset();
  entries[1].error = "cannot connect";
  const CandidateChoice c = choose_candidate(build_topology(entries), {});
  CHECK(c.chosen == size_t{2});
  CHECK(c.excluded == std::vector<std::string>{"127.0.0.1:27841: unreachable"});
}
