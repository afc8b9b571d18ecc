// When mzl-promote --watch takes the primary for lost (watch/primary_watch.h), on topologies built by hand.
#include <catch2/catch.hpp>

#include "mzl/watch/primary_watch.h"

using namespace mzl;
using namespace mzl::topology;
using namespace mzl::watch;

namespace {

ServerEntry entry(unsigned port, uint32_t server_id, bool reachable, const char* io = nullptr,
                  unsigned source_port = 0, uint32_t source_id = 0) {
  ServerEntry e;
  e.address = *ServerAddress::parse("127.0.0.1:" + std::to_string(port));
  if (!reachable) {
    e.error = "Can't connect";
    return e;
  }
  ServerState s;
  s.address = e.address;
  s.server_id = server_id;
  s.read_only = io != nullptr;
  if (io) {
    ReplicationChannel c;
    c.source = *ServerAddress::parse("127.0.0.1:" + std::to_string(source_port));
    c.source_server_id = source_id;
    c.io_running = io;
    c.sql_running = true;
    s.channels.push_back(c);
  }
  e.state = s;
  return e;
}

// A primary on 3306 (server_id 1, up or not) and two replicas naming it; `io` their IO threads.
Topology three(bool primary_up, const char* io2, const char* io3) {
  return build_topology(
      {entry(3306, 1, primary_up), entry(3307, 2, true, io2, 3306, 1), entry(3308, 3, true, io3, 3306, 1)});
}

}  // namespace

TEST_CASE("primary watch: lost only after failcount failed checks confirmed by every replica") {
  PrimaryWatch watch(3);
  CHECK(watch.observe(three(true, "Yes", "Yes")).health == PrimaryHealth::kUp);
  auto v = watch.observe(three(false, "Connecting", "Connecting"));
  CHECK(v.health == PrimaryHealth::kSuspect);
  CHECK(v.failures == 1);
  CHECK(v.primary == "127.0.0.1:3306");
  CHECK(watch.observe(three(false, "Connecting", "Connecting")).health == PrimaryHealth::kSuspect);
  v = watch.observe(three(false, "Connecting", "No"));
  CHECK(v.health == PrimaryHealth::kLost);
  CHECK(v.failures == 3);
  // An answer in between starts the count again.
  PrimaryWatch again(3);
  again.observe(three(false, "Connecting", "Connecting"));
  again.observe(three(false, "Connecting", "Connecting"));
  CHECK(again.observe(three(true, "Yes", "Yes")).health == PrimaryHealth::kUp);
  CHECK(again.observe(three(false, "Connecting", "Connecting")).failures == 1);
}

TEST_CASE("primary watch: a replica still receiving means only this watcher is cut off") {
  PrimaryWatch watch(2);
  watch.observe(three(false, "Connecting", "Yes"));
  const PrimaryVerdict v = watch.observe(three(false, "Connecting", "Yes"));
  CHECK(v.health == PrimaryHealth::kUnconfirmed);
  CHECK_THAT(v.detail, Catch::Contains("127.0.0.1:3308 still receives"));
}

TEST_CASE("primary watch: no replica to ask confirms nothing") {
  PrimaryWatch watch(1);
  // Only the primary given, and it does not answer: no primary can be told at all.
  CHECK(watch.observe(build_topology({entry(3306, 1, false)})).health == PrimaryHealth::kUnknown);
  // The replicas name it, but none of them answers now (the previous topology is not kept by the watch).
  Topology t = build_topology({entry(3306, 1, false), entry(3307, 2, true, "Connecting", 3306, 1)});
  t.replicas.clear();
  const PrimaryVerdict v = watch.observe(t);
  CHECK(v.health == PrimaryHealth::kUnconfirmed);
  CHECK_THAT(v.detail, Catch::Contains("no replica of it could be asked"));
}

TEST_CASE("primary watch: a primary named by another address is matched by its remembered server_id") {
  // The watcher reaches the primary through 3400 (a proxy); the replicas name it 3306. While it answers it is
  // matched by server_id; when it does not, by the server_id remembered for 3400.
  ServerEntry through_proxy = entry(3400, 1, false);
  through_proxy.remembered_server_id = 1;
  const Topology t = build_topology(
      {through_proxy, entry(3307, 2, true, "Yes", 3306, 1), entry(3308, 3, true, "Yes", 3306, 1)});
  REQUIRE(t.primary == size_t{0});
  PrimaryWatch watch(1);
  const PrimaryVerdict v = watch.observe(t);
  CHECK(v.health == PrimaryHealth::kUnconfirmed);
  CHECK(v.primary == "127.0.0.1:3400");
  // Without the remembered id the primary cannot be told.
  const Topology unknown = build_topology(
      {entry(3400, 1, false), entry(3307, 2, true, "Yes", 3306, 1), entry(3308, 3, true, "Yes", 3306, 1)});
  CHECK_FALSE(unknown.primary.has_value());
}

TEST_CASE("primary watch: a new primary starts its own count") {
  PrimaryWatch watch(2);
  watch.observe(three(false, "Connecting", "Connecting"));
  // After a failover 3308 is the primary and 3307 replicates from it.
  const Topology after =
      build_topology({entry(3306, 1, false), entry(3307, 2, true, "Yes", 3308, 3), entry(3308, 3, true)});
  REQUIRE(after.primary == size_t{2});
  CHECK(watch.observe(after).health == PrimaryHealth::kUp);
}
