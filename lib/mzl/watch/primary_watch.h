#pragma once
// When mzl-promote --watch takes the primary for lost (man/mzl-promote.1, WATCHING): after `failcount`
// consecutive checks in which it did not answer, and only when the replicas have lost it too: every
// reachable replica of it reports its IO thread no longer connected. A watcher cut off from a healthy
// primary (its own route down) sees the replicas still receiving and does not fail over; a watcher that
// reaches no replica of it cannot confirm anything either. Pure: it judges the topologies it is given.
#include <string>

#include "mzl/topology/topology.h"

namespace mzl::watch {

enum class PrimaryHealth {
  kUp,           // the primary answered
  kUnknown,      // no primary can be told (the topology's notes say why)
  kSuspect,      // it did not answer, fewer than failcount checks in a row
  kLost,         // failcount checks in a row, and the replicas lost it too: fail over
  kUnconfirmed,  // failcount checks in a row, but a replica still receives from it or none could be asked
};
const char* json_name(PrimaryHealth health);

struct PrimaryVerdict {
  PrimaryHealth health = PrimaryHealth::kUnknown;
  std::string primary;  // host:port ("" when unknown)
  unsigned failures = 0;
  std::string detail;  // why, for the alert
};

class PrimaryWatch {
 public:
  explicit PrimaryWatch(unsigned failcount) : failcount_(failcount == 0 ? 1 : failcount) {}

  // One check's topology. The count of failures is per primary: a new primary starts from zero.
  PrimaryVerdict observe(const topology::Topology& t);

 private:
  unsigned failcount_;
  unsigned failures_ = 0;
  std::string primary_;
};

}  // namespace mzl::watch
