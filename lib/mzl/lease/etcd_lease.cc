#include "mzl/lease/etcd_lease.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "mzl/lease/http_post.h"
#include "mzl/util/base64.h"
#include "mzl/util/json.h"
#include "mzl/util/json_reader.h"
#include "mzl/util/parse_number.h"

namespace mzl {

namespace {

constexpr std::string_view kUrlScheme = "etcd://";
// gRPC status NOT_FOUND, which etcd answers for a lease it does not know (any more).
constexpr int64_t kGrpcNotFound = 5;

Error bad_url(std::string_view url, std::string_view problem) {
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("--lease '{}': {} (expected etcd://HOST:PORT/KEY)", url, problem));
}

std::string base64_of(std::string_view text) {
  return base64_encode(Bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// An int64 member in proto3 JSON: a string (or a number), 0 when absent.
Result<int64_t> int64_member(const JsonValue& object, std::string_view key, std::string_view what) {
  const JsonValue* member = object.find(key);
  if (member == nullptr) return int64_t{0};
  if (const std::string* text = member->as_string()) return parse_int(*text, what);
  if (auto number = member->as_int64()) return *number;
  return Error(ErrorCode::kCorrupt, fmt::format("bad etcd answer: {} (\"{}\") is not an integer", what, key));
}

struct Etcd {
  const EtcdLocation& location;
  std::chrono::milliseconds timeout;

  // POSTs a request to the gateway and returns the answer; etcd's refusals become errors (kNotFound for
  // gRPC NOT_FOUND). A streaming endpoint's one answer is unwrapped from its {"result": ...}.
  Result<JsonValue> call(std::string_view path, const std::string& body) const {
    MZL_TRY(HttpResponse response, http_post(location.server, path, body, timeout));
    const std::string where = fmt::format("etcd {} {}", location.server.to_string(), path);
    auto answer = parse_json(response.body, where, "etcd answer");
    if (!answer.ok()) {
      if (response.status != 200) return refused(path, response.status, response.body, 0);
      return std::move(answer).error();
    }
    // Unary calls put a failure at the top ({"error": "...", "message": "...", "code": 5}), streaming calls
    // inside {"error": {"grpc_code": 5, "message": "..."}}.
    const JsonValue* error = answer->find("error");
    if (error != nullptr && error->as_object() != nullptr) {
      MZL_TRY(int64_t code, int64_member(*error, "grpc_code", "gRPC code"));
      const std::string* message = error->find("message") ? error->find("message")->as_string() : nullptr;
      return refused(path, response.status, message ? *message : response.body, code);
    }
    if (response.status != 200 || error != nullptr) {
      MZL_TRY(int64_t code, int64_member(*answer, "code", "gRPC code"));
      const std::string* message = answer->find("message") ? answer->find("message")->as_string() : nullptr;
      return refused(path, response.status, message ? *message : response.body, code);
    }
    if (const JsonValue* result = answer->find("result")) return *result;
    return std::move(answer).value();
  }

  Error refused(std::string_view path, long status, std::string_view message, int64_t grpc_code) const {
    return Error(grpc_code == kGrpcNotFound ? ErrorCode::kNotFound : ErrorCode::kServer,
                 fmt::format("etcd {} refused POST {} (HTTP {}): {}", location.server.to_string(), path,
                             status, message));
  }
};

// The key-value pair a txn's requestRange found (mvccpb.KeyValue), when there is one.
struct FoundKey {
  std::string value;
  int64_t create_revision = 0;
  int64_t lease = 0;
};

Result<std::optional<FoundKey>> range_answer(const JsonValue& txn_answer) {
  const JsonValue* responses = txn_answer.find("responses");
  if (responses == nullptr || responses->as_array() == nullptr || responses->as_array()->empty())
    return std::optional<FoundKey>();
  const JsonValue* range = responses->as_array()->front().find("response_range");
  const JsonValue* kvs = range ? range->find("kvs") : nullptr;
  if (kvs == nullptr || kvs->as_array() == nullptr || kvs->as_array()->empty())
    return std::optional<FoundKey>();
  const JsonValue& kv = kvs->as_array()->front();
  FoundKey found;
  MZL_TRY(found.create_revision, int64_member(kv, "create_revision", "the key's create_revision"));
  MZL_TRY(found.lease, int64_member(kv, "lease", "the key's lease"));
  if (const JsonValue* value = kv.find("value"); value != nullptr && value->as_string() != nullptr) {
    auto decoded = decode_base64(*value->as_string());
    if (!decoded) return Error(ErrorCode::kCorrupt, "bad etcd answer: the key's value is not base64");
    found.value = std::move(*decoded);
  }
  return std::optional<FoundKey>(std::move(found));
}

bool succeeded(const JsonValue& txn_answer) {
  const JsonValue* flag = txn_answer.find("succeeded");
  return flag != nullptr && flag->as_bool() != nullptr && *flag->as_bool();
}

// {"key": <key>, "target": <target>, "result": "EQUAL", <field>: <value>}: one etcdserverpb.Compare.
void write_compare_equal(JsonWriter& w, const std::string& key_b64, std::string_view target,
                         std::string_view field, int64_t value) {
  w.begin_object();
  w.key("key");
  w.value(key_b64);
  w.key("target");
  w.value(target);
  w.key("result");
  w.value("EQUAL");
  w.key(field);
  w.value(std::to_string(value));
  w.end_object();
}

void write_range(JsonWriter& w, const std::string& key_b64) {
  w.begin_object();
  w.key("requestRange");
  w.begin_object();
  w.key("key");
  w.value(key_b64);
  w.end_object();
  w.end_object();
}

// A put of key = value, bound to `lease` unless it is 0.
void write_put(JsonWriter& w, const std::string& key_b64, std::string_view value, int64_t lease) {
  w.begin_object();
  w.key("requestPut");
  w.begin_object();
  w.key("key");
  w.value(key_b64);
  w.key("value");
  w.value(base64_of(value));
  if (lease != 0) {
    w.key("lease");
    w.value(std::to_string(lease));
  }
  w.end_object();
  w.end_object();
}

// A txn whose compares hold exactly when KEY is ours: created at `term` and bound to `lease`. When they do
// not, it reads KEY (to learn the holder). `on_success` writes the success requests.
template <class WriteSuccess>
std::string held_txn(const std::string& key_b64, uint64_t term, int64_t lease, WriteSuccess on_success) {
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.key("compare");
  w.begin_array();
  write_compare_equal(w, key_b64, "CREATE", "createRevision", static_cast<int64_t>(term));
  write_compare_equal(w, key_b64, "LEASE", "lease", lease);
  w.end_array();
  w.key("success");
  w.begin_array();
  on_success(w);
  w.end_array();
  w.key("failure");
  w.begin_array();
  write_range(w, key_b64);
  w.end_array();
  w.end_object();
  return body;
}

}  // namespace

Result<EtcdLocation> EtcdLocation::parse(std::string_view url) {
  if (!url.starts_with(kUrlScheme)) return bad_url(url, "not an etcd:// URL");
  const std::string_view rest = url.substr(kUrlScheme.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 == rest.size()) return bad_url(url, "no KEY");
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return bad_url(url, "no HOST");
  auto server = HostPort::parse(authority);
  if (!server.ok()) return bad_url(url, server.error().message);
  const bool has_port = authority.front() == '[' ? authority.find("]:") != std::string_view::npos
                                                 : authority.find(':') != std::string_view::npos;
  if (!has_port) server->port = kEtcdDefaultPort;
  return EtcdLocation{std::move(*server), std::string(rest.substr(slash + 1))};
}

std::string EtcdLocation::to_string() const {
  return fmt::format("{}{}/{}", kUrlScheme, server.to_string(), key);
}

EtcdLease::EtcdLease(EtcdLocation location, std::chrono::seconds ttl, std::string holder_name)
    : location_(std::move(location)),
      requested_ttl_(ttl),
      // An answer later than the TTL is of no use to the watcher loop, which must run again before then.
      request_timeout_(std::max<std::chrono::milliseconds>(std::chrono::seconds(1), ttl / 2)),
      holder_name_(std::move(holder_name)) {}

Result<EtcdLease> EtcdLease::grant(const EtcdLocation& location, std::chrono::seconds ttl,
                                   std::string holder_name, Clock::time_point now) {
  if (ttl.count() <= 0) return Error(ErrorCode::kInvalidArgument, "the lease TTL must be at least 1 second");
  EtcdLease lease(location, ttl, std::move(holder_name));
  MZL_CHECK(lease.grant_lease(now));
  return lease;
}

Status EtcdLease::grant_lease(Clock::time_point now) {
  const Etcd etcd{location_, request_timeout_};
  MZL_TRY(JsonValue answer,
          etcd.call("/v3/lease/grant", fmt::format("{{\"TTL\":\"{}\"}}", requested_ttl_.count())));
  MZL_TRY(int64_t id, int64_member(answer, "ID", "lease ID"));
  MZL_TRY(int64_t granted, int64_member(answer, "TTL", "lease TTL"));
  if (id == 0 || granted <= 0) {
    return Error(ErrorCode::kServer, fmt::format("etcd {} granted no lease (no ID or TTL in its answer)",
                                                 location_.server.to_string()));
  }
  lease_id_ = id;
  ttl_ = std::chrono::seconds(granted);
  deadline_.renewed(now, ttl_);
  lease_lost_ = false;
  won_ = false;
  return ok_status();
}

Result<bool> EtcdLease::put_if_absent() {
  const std::string key_b64 = base64_of(location_.key);
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.key("compare");
  w.begin_array();
  write_compare_equal(w, key_b64, "CREATE", "createRevision", 0);  // KEY does not exist
  w.end_array();
  w.key("success");
  w.begin_array();
  write_put(w, key_b64, holder_name_, lease_id_);
  w.end_array();
  w.key("failure");
  w.begin_array();
  write_range(w, key_b64);
  w.end_array();
  w.end_object();

  const Etcd etcd{location_, request_timeout_};
  MZL_TRY(JsonValue answer, etcd.call("/v3/kv/txn", body));
  if (succeeded(answer)) {
    // The put is the transaction's only write, so KEY was created at the revision it made.
    const JsonValue* header = answer.find("header");
    if (header == nullptr) return Error(ErrorCode::kCorrupt, "bad etcd answer: a txn without header");
    MZL_TRY(int64_t revision, int64_member(*header, "revision", "header revision"));
    won_ = true;
    term_ = static_cast<uint64_t>(revision);
    holder_ = holder_name_;
    return true;
  }
  MZL_TRY(std::optional<FoundKey> found, range_answer(answer));
  if (!found) {
    // Compare and range run at one revision, so a failed compare finds KEY: an answer without it is wrong.
    return Error(ErrorCode::kCorrupt,
                 fmt::format("bad etcd answer: {} exists yet reads as empty", location_.key));
  }
  won_ = found->lease == lease_id_;
  term_ = static_cast<uint64_t>(found->create_revision);
  holder_ = std::move(found->value);
  return won_;
}

Result<bool> EtcdLease::campaign(Clock::time_point now) {
  if (lease_lost_) MZL_CHECK(grant_lease(now));
  auto won = put_if_absent();
  if (!won.ok() && won.error().code == ErrorCode::kNotFound) {
    // The lease expired since the last keep-alive (etcd: "requested lease not found"): start over once.
    lease_lost_ = true;
    won_ = false;
    MZL_CHECK(grant_lease(now));
    return put_if_absent();
  }
  return won;
}

Status EtcdLease::keep_alive(Clock::time_point now) {
  if (lease_lost_) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("{}: no live lease (expired or revoked); campaign to get a new one",
                             location_.to_string()));
  }
  const Etcd etcd{location_, request_timeout_};
  auto answer = etcd.call("/v3/lease/keepalive", fmt::format("{{\"ID\":\"{}\"}}", lease_id_));
  std::optional<int64_t> remaining;
  if (answer.ok()) {
    MZL_TRY(remaining, int64_member(*answer, "TTL", "lease TTL"));
  } else if (answer.error().code != ErrorCode::kNotFound) {
    return std::move(answer).error();
  }
  // An expired lease is answered without TTL (0, omitted in proto3 JSON) or with NOT_FOUND.
  if (!remaining || *remaining <= 0) {
    lease_lost_ = true;
    won_ = false;
    return Error(
        ErrorCode::kNotFound,
        fmt::format("{}: etcd lease {} expired (no keep-alive within its TTL of {} s); {} is not held "
                    "any more",
                    location_.to_string(), lease_id_, ttl_.count(), location_.key));
  }
  ttl_ = std::chrono::seconds(*remaining);
  deadline_.renewed(now, ttl_);
  return ok_status();
}

bool EtcdLease::held(Clock::time_point now) const {
  return won_ && !lease_lost_ && !deadline_.passed(now);
}

Result<bool> EtcdLease::confirm() {
  if (!won_ || lease_lost_) return false;
  const std::string key_b64 = base64_of(location_.key);
  const Etcd etcd{location_, request_timeout_};
  MZL_TRY(JsonValue answer, etcd.call("/v3/kv/txn", held_txn(key_b64, term_, lease_id_, [](JsonWriter&) {})));
  if (succeeded(answer)) return true;
  MZL_CHECK(record_other_holder(answer));
  return false;
}

Status EtcdLease::publish(std::string_view subkey, std::string_view value) {
  const std::string target = fmt::format("{}/{}", location_.key, subkey);
  const auto not_held = [&] {
    return Error(ErrorCode::kNotFound,
                 fmt::format("{}: not publishing {}: {} is not held by {} any more", location_.to_string(),
                             target, location_.key, holder_name_));
  };
  if (!won_ || lease_lost_) return not_held();
  const std::string key_b64 = base64_of(location_.key);
  const Etcd etcd{location_, request_timeout_};
  MZL_TRY(JsonValue answer, etcd.call("/v3/kv/txn", held_txn(key_b64, term_, lease_id_, [&](JsonWriter& w) {
                                        write_put(w, base64_of(target), value, 0);
                                      })));
  if (succeeded(answer)) return ok_status();
  MZL_CHECK(record_other_holder(answer));
  return not_held();
}

Status EtcdLease::record_other_holder(const JsonValue& txn_answer) {
  won_ = false;
  MZL_TRY(std::optional<FoundKey> found, range_answer(txn_answer));
  term_ = found ? static_cast<uint64_t>(found->create_revision) : 0;
  holder_ = found ? std::move(found->value) : std::string();
  return ok_status();
}

void EtcdLease::resign() {
  if (!lease_lost_) {
    const Etcd etcd{location_, request_timeout_};
    (void)etcd.call("/v3/lease/revoke", fmt::format("{{\"ID\":\"{}\"}}", lease_id_));
  }
  lease_lost_ = true;
  won_ = false;
}

}  // namespace mzl
