#include "mzl/lease/etcd_lease.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <memory>
#include <thread>

#include "etcd_fixture.h"
#include "mzl/lease/http_post.h"
#include "mzl/util/base64.h"
#include "mzl/util/json_reader.h"
#include "mzl/util/parse_number.h"

using namespace mzl;
using namespace std::chrono_literals;
using Clock = EtcdLease::Clock;

namespace {

EtcdLocation location_of(const test::EtcdServer& etcd, std::string_view key) {
  auto location = EtcdLocation::parse(etcd.lease_url(key));
  REQUIRE(location.ok());
  return *location;
}

EtcdLease granted(const EtcdLocation& location, std::string name, std::chrono::seconds ttl = 2s,
                  Clock::time_point now = Clock::now()) {
  auto lease = EtcdLease::grant(location, ttl, std::move(name), now);
  INFO((lease.ok() ? "" : lease.error().to_string()));
  REQUIRE(lease.ok());
  return std::move(lease).value();
}

bool campaign(EtcdLease& lease) {
  auto won = lease.campaign(Clock::now());
  INFO((won.ok() ? "" : won.error().to_string()));
  REQUIRE(won.ok());
  return *won;
}

bool confirm(EtcdLease& lease) {
  auto held = lease.confirm();
  INFO((held.ok() ? "" : held.error().to_string()));
  REQUIRE(held.ok());
  return *held;
}

struct StoredValue {
  std::string value;
  int64_t lease = 0;
};

// KEY as /v3/kv/range reads it, nullopt when absent: the view of a client watching the published address.
std::optional<StoredValue> read_key(const test::EtcdServer& etcd, std::string_view key) {
  std::string body = R"({"key":")";
  body += base64_encode(Bytes(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  body += R"("})";
  auto response = http_post(etcd.address(), "/v3/kv/range", body, 2s);
  REQUIRE(response.ok());
  REQUIRE(response->status == 200);
  auto answer = parse_json(response->body, "range answer");
  REQUIRE(answer.ok());
  const JsonValue* kvs = answer->find("kvs");
  if (kvs == nullptr) return std::nullopt;
  REQUIRE(kvs->as_array() != nullptr);
  REQUIRE(kvs->as_array()->size() == 1);
  const JsonValue& kv = kvs->as_array()->front();
  StoredValue stored;
  auto value = decode_base64(*kv.find("value")->as_string());
  REQUIRE(value);
  stored.value = *value;
  if (const JsonValue* lease = kv.find("lease")) stored.lease = *parse_int(*lease->as_string(), "lease");
  return stored;
}

}  // namespace

TEST_CASE("EtcdLocation::parse: etcd://HOST:PORT/KEY") {
  auto plain = EtcdLocation::parse("etcd://127.0.0.1:24790/mzl/cluster1/leader");
  REQUIRE(plain.ok());
  CHECK(plain->server == HostPort{"127.0.0.1", 24790});
  CHECK(plain->key == "mzl/cluster1/leader");
  CHECK(plain->to_string() == "etcd://127.0.0.1:24790/mzl/cluster1/leader");

  auto default_port = EtcdLocation::parse("etcd://etcd.example.com/k");
  REQUIRE(default_port.ok());
  CHECK(default_port->server == HostPort{"etcd.example.com", kEtcdDefaultPort});
  CHECK(default_port->key == "k");

  auto v6 = EtcdLocation::parse("etcd://[::1]:2379//absolute/");
  REQUIRE(v6.ok());
  CHECK(v6->server == HostPort{"::1", 2379});
  CHECK(v6->key == "/absolute/");

  auto v6_default_port = EtcdLocation::parse("etcd://[fd00::1]/k");
  REQUIRE(v6_default_port.ok());
  CHECK(v6_default_port->server == HostPort{"fd00::1", kEtcdDefaultPort});
}

TEST_CASE("EtcdLocation::parse: what is not etcd://HOST:PORT/KEY names --lease") {
  for (const char* url :
       {"", "127.0.0.1:2379/k", "http://127.0.0.1:2379/k", "etcd://127.0.0.1:2379", "etcd://127.0.0.1:2379/",
        "etcd:///k", "etcd://h:0/k", "etcd://h:port/k", "etcd://h:70000/k", "etcd://[::1/k"}) {
    INFO(url);
    auto location = EtcdLocation::parse(url);
    REQUIRE_FALSE(location.ok());
    CHECK(location.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(location.error().message,
               Catch::Contains("--lease") && Catch::Contains("etcd://HOST:PORT/KEY"));
  }
}

TEST_CASE("LeaseDeadline: passed TTL after the send time of the last renewal") {
  LeaseDeadline deadline;
  const auto t0 = Clock::now();
  CHECK(deadline.passed(t0));  // never renewed
  deadline.renewed(t0, 2s);
  CHECK_FALSE(deadline.passed(t0));
  CHECK_FALSE(deadline.passed(t0 + 1999ms));
  CHECK(deadline.passed(t0 + 2s));
  // A process frozen past the deadline knows it on waking, before any request.
  CHECK(deadline.passed(t0 + 1h));
  deadline.renewed(t0 + 1500ms, 2s);
  CHECK_FALSE(deadline.passed(t0 + 3s));
  CHECK(deadline.passed(t0 + 3500ms));
}

TEST_CASE("EtcdLease::grant: a TTL below 1 s is refused before any request") {
  auto lease = EtcdLease::grant(*EtcdLocation::parse("etcd://127.0.0.1:1/k"), 0s, "w1");
  REQUIRE_FALSE(lease.ok());
  CHECK(lease.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("EtcdLease::grant: etcd unreachable is kNetwork naming the URL") {
  const unsigned port = test::free_loopback_port();
  auto location = EtcdLocation::parse(fmt::format("etcd://127.0.0.1:{}/mzl/x", port));
  REQUIRE(location.ok());
  auto lease = EtcdLease::grant(*location, 2s, "w1");
  REQUIRE_FALSE(lease.ok());
  CHECK(lease.error().code == ErrorCode::kNetwork);
  CHECK_THAT(lease.error().message, Catch::Contains(fmt::format("http://127.0.0.1:{}/v3/lease/grant", port)));
}

TEST_CASE("EtcdLease: of two watchers on one key exactly one wins, the other sees its name and term") {
  test::EtcdServer etcd;
  if (!etcd.running()) return;
  const EtcdLocation location = location_of(etcd, "mzl/leader");
  EtcdLease first = granted(location, "w1");
  EtcdLease second = granted(location, "w2");
  CHECK(first.ttl() == 2s);
  CHECK_FALSE(first.held(Clock::now()));

  CHECK(campaign(first));
  CHECK_FALSE(campaign(second));
  CHECK(first.term() > 0);
  CHECK(first.holder() == "w1");
  CHECK(second.holder() == "w1");
  CHECK(second.term() == first.term());
  CHECK(first.held(Clock::now()));
  CHECK_FALSE(second.held(Clock::now()));

  // Campaigning again while holding is no new claim: the same term.
  const uint64_t term = first.term();
  CHECK(campaign(first));
  CHECK(first.term() == term);
  CHECK(confirm(first));
  CHECK_FALSE(confirm(second));

  auto stored = read_key(etcd, "mzl/leader");
  REQUIRE(stored);
  CHECK(stored->value == "w1");
  CHECK(stored->lease == first.lease_id());
}

TEST_CASE("EtcdLease: keep_alive keeps the key past its TTL") {
  test::EtcdServer etcd;
  if (!etcd.running()) return;
  const EtcdLocation location = location_of(etcd, "mzl/leader");
  EtcdLease first = granted(location, "w1");
  EtcdLease second = granted(location, "w2");
  REQUIRE(campaign(first));
  const auto until = Clock::now() + first.ttl() + 1s;
  while (Clock::now() < until) {
    std::this_thread::sleep_for(first.ttl() / 4);
    const auto now = Clock::now();
    auto alive = first.keep_alive(now);
    INFO((alive.ok() ? "" : alive.error().to_string()));
    REQUIRE(alive.ok());
    CHECK(first.held(now));
    CHECK(first.deadline().expires_at() == now + first.ttl());
  }
  CHECK(confirm(first));
  CHECK_FALSE(campaign(second));
  CHECK(second.holder() == "w1");
}

TEST_CASE("EtcdLease: without keep-alives the lease expires and the other watcher wins a larger term") {
  test::EtcdServer etcd;
  if (!etcd.running()) return;
  const EtcdLocation location = location_of(etcd, "mzl/leader");
  const auto granted_at = Clock::now();
  EtcdLease first = granted(location, "w1", 2s, granted_at);
  EtcdLease second = granted(location, "w2");
  REQUIRE(campaign(first));
  const uint64_t first_term = first.term();
  // Held for at most one TTL from the grant, without asking etcd (a process frozen that long has lost).
  CHECK(first.held(Clock::now()));
  CHECK_FALSE(first.held(granted_at + first.ttl()));

  // The other watcher's loop: keep its own lease alive, campaign until it wins.
  const auto give_up = Clock::now() + first.ttl() + 5s;
  bool second_won = false;
  while (!second_won && Clock::now() < give_up) {
    std::this_thread::sleep_for(200ms);
    const auto now = Clock::now();
    REQUIRE(second.keep_alive(now).ok());
    second_won = campaign(second);
    // Never two holders: etcd frees the key only after the first's local deadline has passed.
    if (second_won) CHECK_FALSE(first.held(Clock::now()));
  }
  REQUIRE(second_won);
  CHECK(second.term() > first_term);
  CHECK(second.held(Clock::now()));

  CHECK_FALSE(confirm(first));
  CHECK(first.holder() == "w2");
  CHECK(first.term() == second.term());
  auto alive = first.keep_alive(Clock::now());
  REQUIRE_FALSE(alive.ok());
  CHECK(alive.error().code == ErrorCode::kNotFound);
  CHECK_THAT(alive.error().message, Catch::Contains("expired"));

  // A later campaign grants a new lease first, and finds the key taken.
  const int64_t old_lease = first.lease_id();
  CHECK_FALSE(campaign(first));
  CHECK(first.lease_id() != old_lease);
  CHECK(first.holder() == "w2");
  CHECK(first.keep_alive(Clock::now()).ok());
}

TEST_CASE("EtcdLease::publish: KEY/subkey without a lease, only by the holder") {
  test::EtcdServer etcd;
  if (!etcd.running()) return;
  const EtcdLocation location = location_of(etcd, "mzl/leader");
  EtcdLease first = granted(location, "w1");
  EtcdLease second = granted(location, "w2");
  REQUIRE(campaign(first));
  REQUIRE_FALSE(campaign(second));

  auto published = first.publish("primary", "db2.example:3306");
  INFO((published.ok() ? "" : published.error().to_string()));
  REQUIRE(published.ok());
  auto stored = read_key(etcd, "mzl/leader/primary");
  REQUIRE(stored);
  CHECK(stored->value == "db2.example:3306");
  CHECK(stored->lease == 0);

  auto refused = second.publish("primary", "db3.example:3306");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kNotFound);
  CHECK(read_key(etcd, "mzl/leader/primary")->value == "db2.example:3306");

  // The published value outlives the holder's lease.
  first.resign();
  CHECK_FALSE(first.publish("primary", "db4.example:3306").ok());
  CHECK(read_key(etcd, "mzl/leader/primary")->value == "db2.example:3306");
}

TEST_CASE("EtcdLease::resign: frees the key at once for the other watcher") {
  test::EtcdServer etcd;
  if (!etcd.running()) return;
  const EtcdLocation location = location_of(etcd, "mzl/leader");
  EtcdLease first = granted(location, "w1", 30s);
  EtcdLease second = granted(location, "w2", 30s);
  REQUIRE(campaign(first));
  const uint64_t first_term = first.term();
  REQUIRE_FALSE(campaign(second));

  first.resign();
  CHECK_FALSE(first.held(Clock::now()));
  CHECK_FALSE(read_key(etcd, "mzl/leader"));
  CHECK(campaign(second));  // at once, not after the 30 s TTL
  CHECK(second.term() > first_term);
  CHECK(second.holder() == "w2");

  CHECK_FALSE(campaign(first));  // with a new lease
  CHECK(first.holder() == "w2");
  CHECK(first.term() == second.term());
}

TEST_CASE("EtcdLease: etcd going away leaves held() to the local deadline") {
  auto etcd = std::make_unique<test::EtcdServer>();
  if (!etcd->running()) return;
  const EtcdLocation location = location_of(*etcd, "mzl/leader");
  EtcdLease first = granted(location, "w1");
  REQUIRE(campaign(first));
  const auto deadline = first.deadline().expires_at();
  etcd.reset();

  auto alive = first.keep_alive(Clock::now());
  REQUIRE_FALSE(alive.ok());
  CHECK(alive.error().code == ErrorCode::kNetwork);
  CHECK_THAT(alive.error().message, Catch::Contains(location.server.to_string() + "/v3/lease/keepalive"));
  CHECK(first.held(deadline - 1ms));
  CHECK_FALSE(first.held(deadline));
  auto asked = first.confirm();
  REQUIRE_FALSE(asked.ok());
  CHECK(asked.error().code == ErrorCode::kNetwork);
}
