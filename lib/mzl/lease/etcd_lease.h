#pragma once
// Electing one actor among several watchers through etcd (mzl-promote --watch --lease etcd://HOST:PORT/KEY).
// It is etcd's election recipe (client/v3/concurrency/election.go) reduced to one key: each watcher holds a
// lease with a TTL, the first to create KEY bound to its lease wins, and KEY disappears when the winner's
// lease expires or is revoked, so another can win. The etcd revision that created KEY is the winner's term:
// revisions only grow, so a later holder always has a larger term (a fencing token).
//
// Spoken over etcd 3.4's v3 JSON gateway (https://etcd.io/docs/v3.4/dev-guide/api_grpc_gateway/): protobuf
// messages in proto3 JSON, where int64 values are strings, zero values are omitted, and keys and values are
// base64.
//
// Time is passed in so that the timing rules can be tested: pass the time taken just BEFORE the call (as
// Clock::now() as an argument does). etcd starts a lease's TTL when it handles the request, which is later,
// so the local deadline (held()) never outlives etcd's.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "mzl/util/host_port.h"
#include "mzl/util/result.h"

namespace mzl {

class JsonValue;

inline constexpr unsigned kEtcdDefaultPort = 2379;

// Where the election runs: etcd://HOST:PORT/KEY (PORT defaults to 2379; KEY is everything after the first
// '/' after HOST:PORT, '/' included, and must not be empty).
struct EtcdLocation {
  HostPort server;
  std::string key;

  // kInvalidArgument naming the flag --lease and the expected form when `url` is not such a URL.
  static Result<EtcdLocation> parse(std::string_view url);
  std::string to_string() const;
};

// The local deadline of a lease: TTL after the send time of the last request etcd answered with the lease
// alive (a grant or a keep-alive). Past it the lease must be taken as lost, whatever etcd would say, since it
// may have expired there: a process frozen (SIGSTOP, a long GC-like stall) for longer than the TTL learns on
// waking that it lost, before it asks etcd anything.
class LeaseDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  void renewed(Clock::time_point sent_at, std::chrono::seconds ttl) { expires_at_ = sent_at + ttl; }
  bool passed(Clock::time_point now) const { return now >= expires_at_; }
  Clock::time_point expires_at() const { return expires_at_; }

 private:
  Clock::time_point expires_at_{};  // never renewed: passed
};

// One watcher's lease and its claim on the location's KEY (whose value is the holder's name).
//
// A watcher loop, every interval well below the TTL (a third of it, as etcd's clients do):
//   lease.keep_alive(now);                      // an error when etcd is unreachable or the lease expired
//   if (!lease.held(now)) lease.campaign(now);  // grants a new lease first when the old one is gone
//   if (lease.held(now)) ... act, with lease.term() as the fencing token ...
//
// Errors: kNetwork when etcd cannot be reached (the message names the URL); kNotFound when the lease is gone
// (expired or revoked) or KEY is no longer ours; kServer when etcd refuses a request; kCorrupt when its
// answer cannot be read. A failed call leaves held() to the local deadline.
class EtcdLease {
 public:
  using Clock = std::chrono::steady_clock;

  // Grants a lease of `ttl` (etcd may round it up: ttl() is what it granted; 3.4's minimum is 2 s).
  // Nothing is claimed yet: call campaign().
  static Result<EtcdLease> grant(const EtcdLocation& location, std::chrono::seconds ttl,
                                 std::string holder_name, Clock::time_point now = Clock::now());

  // Creates KEY = holder name bound to this lease if KEY does not exist (one transaction). True when KEY is
  // ours: created now (term() = the revision that created it), or already bound to this lease (a campaign
  // repeated, or one whose answer was lost). False when another holds it: holder() and term() are then that
  // holder's name and term. When the lease has expired or been revoked, a new one is granted first.
  Result<bool> campaign(Clock::time_point now);

  // Renews the lease (whether or not KEY is ours) and moves the local deadline to now + ttl(). kNotFound
  // when etcd says the lease has expired: KEY is then not held any more, and the next campaign() starts over.
  Status keep_alive(Clock::time_point now);

  // Whether this watcher may act as the holder: it won KEY and the local deadline has not passed. Asks
  // nothing of etcd (see confirm()).
  bool held(Clock::time_point now) const;

  // Asks etcd whether KEY still exists with our term and our lease, just before an action that must not be
  // taken twice. False (and not held any more) when it does not; holder() and term() then name the current
  // holder, or are empty and 0 when there is none.
  Result<bool> confirm();

  // Writes KEY/<subkey> = value without a lease (so it outlives this watcher), for clients and proxies to
  // watch: the new primary's address. Fenced: written only if KEY is still ours in the same transaction;
  // kNotFound (and not held any more) if it is not.
  Status publish(std::string_view subkey, std::string_view value);

  // Revokes the lease, which deletes KEY at once if we hold it, so that another watcher wins without waiting
  // for the TTL. Best effort (for a clean exit): errors are ignored, the lease expires anyway.
  void resign();

  // The term of the holder last seen: ours once campaign() won, another's after a lost campaign.
  uint64_t term() const { return term_; }
  // The name of the holder last seen ("" before any campaign).
  const std::string& holder() const { return holder_; }
  const std::string& holder_name() const { return holder_name_; }
  std::chrono::seconds ttl() const { return ttl_; }
  int64_t lease_id() const { return lease_id_; }
  const EtcdLocation& location() const { return location_; }
  LeaseDeadline deadline() const { return deadline_; }

 private:
  EtcdLease(EtcdLocation location, std::chrono::seconds ttl, std::string holder_name);

  // Grants a new lease (the first or after the last one was lost) and counts its TTL from `now`.
  Status grant_lease(Clock::time_point now);
  Result<bool> put_if_absent();
  // After a txn found KEY not ours: not won, and holder()/term() from the KEY it read (none: "" and 0).
  Status record_other_holder(const JsonValue& txn_answer);

  EtcdLocation location_;
  std::chrono::seconds requested_ttl_;
  std::chrono::milliseconds request_timeout_;
  std::string holder_name_;

  int64_t lease_id_ = 0;
  std::chrono::seconds ttl_{0};
  LeaseDeadline deadline_;
  bool lease_lost_ = true;  // no live lease: expired, revoked or never granted
  bool won_ = false;
  uint64_t term_ = 0;
  std::string holder_;
};

}  // namespace mzl
