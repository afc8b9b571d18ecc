#include "mzl/watch/primary_watch.h"

#include <fmt/format.h>

namespace mzl::watch {

const char* json_name(PrimaryHealth health) {
  switch (health) {
    case PrimaryHealth::kUp:
      return "up";
    case PrimaryHealth::kUnknown:
      return "unknown";
    case PrimaryHealth::kSuspect:
      return "suspect";
    case PrimaryHealth::kLost:
      return "lost";
    case PrimaryHealth::kUnconfirmed:
      return "unconfirmed";
  }
  return "?";
}

PrimaryVerdict PrimaryWatch::observe(const topology::Topology& t) {
  PrimaryVerdict v;
  if (!t.primary) {
    failures_ = 0;
    primary_.clear();
    v.detail = t.notes.empty() ? "no primary can be told" : fmt::format("{}", fmt::join(t.notes, "; "));
    return v;
  }
  const topology::ServerEntry& entry = t.servers[*t.primary];
  v.primary = entry.address.to_string();
  if (v.primary != primary_) {
    primary_ = v.primary;
    failures_ = 0;
  }
  if (entry.reachable()) {
    failures_ = 0;
    v.health = PrimaryHealth::kUp;
    return v;
  }
  v.failures = ++failures_;
  if (failures_ < failcount_) {
    v.health = PrimaryHealth::kSuspect;
    v.detail = fmt::format("no answer ({} of {} checks): {}", failures_, failcount_, entry.error);
    return v;
  }
  if (t.replicas_of_primary().empty()) {
    v.health = PrimaryHealth::kUnconfirmed;
    v.detail = fmt::format(
        "no answer for {} checks, but no replica of it could be asked either: this watcher may be the one "
        "cut off; not failing over ({})",
        failures_, entry.error);
    return v;
  }
  if (const std::string receiving = t.replica_still_receiving(); !receiving.empty()) {
    v.health = PrimaryHealth::kUnconfirmed;
    v.detail = fmt::format(
        "no answer for {} checks, but the replica {} still receives from it (its IO thread is connected): "
        "the primary is alive and only this watcher's route to it is down; not failing over",
        failures_, receiving);
    return v;
  }
  v.health = PrimaryHealth::kLost;
  v.detail = fmt::format("no answer for {} checks and its replicas lost it too: {}", failures_, entry.error);
  return v;
}

}  // namespace mzl::watch
