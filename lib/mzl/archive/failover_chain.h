#pragma once
// Which server an archive follows after failovers (man/mzl-binlog-tail.1, FOLLOWING A FAILOVER): from the
// server the archiver was told to archive, every promoted failover or switchover record
// (repo/failover_record.h) whose old primary is the server archived at that point moves the archive on to the
// record's new primary, in a successor source named <base source>.<record id>. A pure function over the
// records, so that the archiver,
// --status and the tests resolve the same chain.
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/repo/failover_record.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// A server as the archive knows it: the address it connects to ("host:port"; "" when unknown) and the
// server_id the archive's state recorded (0 when unknown). A record's old primary is this server when the
// addresses are the same host and port (util/host_port.h) or the server ids are equal and not 0.
struct ArchivedServer {
  std::string address;
  uint32_t server_id = 0;
};

// One switch of the chain: `record` replaced the server archived in `predecessor` by record.new_primary,
// which is archived in `source`.
struct FailoverHop {
  repo::FailoverRecord record;
  std::string predecessor;  // the source archived before the switch
  std::string source;       // successor_source_name(base, record.id)
};

bool record_replaces(const repo::FailoverRecord& record, const ArchivedServer& server);

// The switches that apply to an archive of `start` under `base_source`, in order (`records` oldest first, as
// read_failover_records() returns them). Records that did not promote (refused, rolled back, failed, dry
// runs, rejoins) are passed over.
std::vector<FailoverHop> follow_failovers(const std::vector<repo::FailoverRecord>& records,
                                          const std::string& base_source, const ArchivedServer& start);

// Where the predecessor's part of the history ends: its last complete position `archived`, but no further
// than the fork (`fork_position`, the new primary's GTID state when it became writable): transactions the
// old primary sent after the fork (a commit in flight when the record appeared) are not the cluster's, and
// the new primary has not got them. MariaDB positions: per domain the lower of the two (a domain the fork
// does not know is dropped); MySQL sets: the intersection. `archived` as it is when the fork is unknown ("")
// or when the two texts are not of one flavour.
std::string history_fork_point(const std::string& archived, const std::string& fork_position);

// "<base_source>.<record_id>"; kInvalidArgument when that is not a valid source name (a base name too long
// to take the 16-19 characters of a record id, or a record id with characters a source name cannot hold).
Result<std::string> successor_source_name(const std::string& base_source, const std::string& record_id);

}  // namespace mzl::archive
