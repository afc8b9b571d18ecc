#pragma once
// REPO/failovers/<id>.json: what one mzl-promote run did (man/mzl.7, REPOSITORY LAYOUT; man/mzl-promote.1,
// THE RECORD). Written once, at the end of a run that changed something or was refused, with
// atomic_write_file(), so a reader (mzl-binlog-tail following a failover, mzl-verify and mzl-pitr-restore
// following the history across one) sees a whole record or none. Ids are snapshot-style times
// ("YYYYMMDDTHHMMSSZ", "-<n>" when several fall in one second) and order the records.
//
// {"format":1, "id":"20261207T041500Z", "kind":"failover", "outcome":"promoted",
//  "started":"2026-12-07T04:15:00Z", "finished":"2026-12-07T04:15:01Z",
//  "old_primary":{"address":"db1:3306", "server_id":1}, "new_primary":{"address":"db2:3306", "server_id":2},
//  "fork_position":"0-1-5500", "archive":{"source":"db1", "acknowledged":"0-1-5500",
//  "new_primary_holds":true}, "nothing_acknowledged_lost":true, "write_downtime_ms":null, "candidate":"...",
//  "excluded":[...], "before":[...], "after":[...], "steps":[{"what":"...", "server":"db2:3306", "at_ms":12,
//  "ms":3, "ok":true, "error":""}], "message":"", "term":null}
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/repo/directory_lock.h"
#include "mzl/util/result.h"

namespace mzl::repo {

inline constexpr int kFailoverRecordFormat = 1;

enum class RunKind { kFailover, kSwitchover, kRejoin };
const char* json_name(RunKind kind);

// How a run ended.
enum class Outcome {
  kPromoted,    // failover or switchover: the new primary takes writes, the replicas follow it
  kRejoined,    // rejoin: the old primary replicates from the new one
  kRefused,     // a check failed before anything changed
  kRolledBack,  // a step failed and what had changed was put back
  kFailed,      // a step failed and could not be put back: the record says where it stopped
  kDryRun,      // --dry-run: the plan only
};
const char* json_name(Outcome outcome);

struct ServerRef {
  std::string address;  // host:port
  uint32_t server_id = 0;
};

// One server as it stood before or after the run.
struct ServerSnapshot {
  std::string address;
  std::string role;  // "primary", "replica", "unreachable", "standalone"
  bool writable = false;
  std::string gtids;   // MariaDB gtid_binlog_pos or MySQL gtid_executed
  std::string source;  // the server it replicates from ("" for none)
};

// What the archive in --repo acknowledged, and whether the new primary holds it.
struct ArchiveVerdict {
  std::string source;        // REPO/binlogs/<source>
  std::string acknowledged;  // per domain the last complete transaction the archive holds (MariaDB position
                             // or MySQL set)
  bool new_primary_holds = false;
};

struct FailoverStep {
  std::string what;
  std::string server;  // host:port, "" for none
  int64_t at_ms = 0;   // since the run started
  int64_t ms = 0;      // how long it took
  bool ok = true;
  std::string error;
};

struct FailoverRecord {
  int format = kFailoverRecordFormat;
  std::string id;
  RunKind kind = RunKind::kFailover;
  Outcome outcome = Outcome::kRefused;
  std::string started, finished;  // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  ServerRef old_primary, new_primary;
  // The new primary's GTID state when it became writable: the history forks here (the old primary's
  // transactions after it were never the cluster's).
  std::string fork_position;
  std::optional<ArchiveVerdict> archive;
  std::optional<bool> nothing_acknowledged_lost;  // set when there is an archive verdict
  std::optional<double> write_downtime_ms;        // switchover
  std::string candidate;                          // why the new primary was chosen
  std::vector<std::string> excluded;              // servers not chosen, and why
  std::vector<ServerSnapshot> before, after;
  std::vector<FailoverStep> steps;
  std::string message;  // why it was refused or failed; what rejoin saved
  // mzl-promote --watch --lease: the term (the etcd revision at which the watcher won its lease) under which
  // the run acted; null for a run by hand.
  std::optional<uint64_t> term;
};

std::string encode_failover_record(const FailoverRecord& record);
// Reads what encode_failover_record() writes (before, after and steps are not read back). kCorrupt at
// `where` for bad JSON, a wrong type or an unknown kind/outcome; a format above kFailoverRecordFormat is
// kCorrupt too.
Result<FailoverRecord> decode_failover_record(std::string_view json, const std::string& where);

// Gives the record its id (the time now, made unique among the records there) and writes it to
// REPO/failovers/<id>.json (the directory created 0700 if missing). Returns the path.
Result<std::string> write_failover_record(const std::string& repo, FailoverRecord& record);

// Every record in REPO/failovers/, oldest first; none when the directory does not exist.
Result<std::vector<FailoverRecord>> read_failover_records(const std::string& repo);

// The lock that keeps two mzl-promote runs from acting on one repository at once (REPO/failovers/, created
// if missing): kIo saying another mzl-promote holds it.
Result<DirectoryLock> lock_failovers(const std::string& repo);

// "YYYY-MM-DDTHH:MM:SSZ" of `t`.
std::string utc_time_text(std::chrono::system_clock::time_point t);
// The time utc_time_text() wrote; nullopt for other text.
std::optional<std::chrono::system_clock::time_point> parse_utc_time_text(std::string_view text);

// When the newest failover or switchover recorded in REPO/failovers/ promoted (its "finished" time); nullopt
// when none did or the records cannot be read.
std::optional<std::chrono::system_clock::time_point> last_promotion_time(const std::string& repo);

}  // namespace mzl::repo
