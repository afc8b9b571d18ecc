#pragma once
// mzl-binlog-tail's archiving loop: connect to the primary as a replica (net/replica_stream.h), append every
// event to the durable repository (binlog_archive.h), fsync by policy, answer semi-sync ACKs only after the
// transaction is on stable storage, reconnect after the server or the network goes away, and stop cleanly on
// SIGTERM/SIGINT (util/stop_signal.h). man/mzl-binlog-tail.1 documents the behaviour.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "mzl/archive/binlog_archive.h"
#include "mzl/archive/event_writer.h"
#include "mzl/net/connection_options.h"
#include "mzl/util/latency_histogram.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::archive {

struct TailOptions {
  net::ConnectionOptions connection;
  std::string repo;    // empty: no archive, the events go to `output` only
  std::string source;  // empty: default_source_name(host, port)
  uint32_t server_id = 0;
  // Where to start when the archive is empty: a file of the server (empty: its oldest) and position.
  std::string start_file;
  uint64_t start_position = 4;
  // false: stop once the server has sent everything it has (one pass, for cron); true: follow forever.
  bool stop_never = false;
  bool semi_sync = false;
  // 0: fsync at every transaction end (grouping the transactions that arrive together); N: at most every
  // N ms (a semi-sync ACK still waits for its fsync).
  std::chrono::milliseconds fsync_interval{0};
  std::chrono::milliseconds heartbeat_period{1000};
  bool compress_closed_files = false;
  bool allow_new_source = false;
  bool verify_checksums = true;
  // Reconnect after a lost connection, waiting 1 s, 2 s, 4 s ... up to this long between attempts.
  std::chrono::seconds max_backoff{30};
  // Give up after this many failed connection attempts in a row (0: never, with stop_never).
  unsigned max_reconnect_attempts = 0;
  std::string metrics_file;  // Prometheus textfile, rewritten atomically every few seconds ("" = none)
  std::chrono::seconds metrics_interval{5};
  // --output: every event of the server's files is also written here (tail_output.h): with a repository
  // once its transaction is durable there; without one as it arrives (then a lost connection is resumed
  // after the last event written, within this run only).
  OutputStream* output = nullptr;
  OutputFormat output_format = OutputFormat::kJson;
  // The change stream (JSON output; man/mzl-binlog-tail.1, CHANGE STREAM). Column names for servers that do
  // not log them come from a schema history (schema/schema_tracker.h) kept in this file: "" is
  // REPO/binlogs/<source>/schema-history.jsonl with a repository, memory only without one.
  bool schema_history = true;
  std::string schema_history_file;
  // Write only transactions not in this GTID set (MySQL) or after this position (MariaDB, per domain);
  // without a repository the dump starts there.
  std::string after_gtid;
  // Called (on the archiving thread) with each durable transaction boundary of the archive, and with the
  // resume point when it is opened: what `--serve` may send (serve/archive_end.h).
  std::function<void(const ResumePoint&)> on_durable;
};

struct TailStats {
  uint64_t events = 0;  // events appended to the archive
  uint64_t bytes = 0;
  uint64_t reconnects = 0;
  uint64_t acks = 0;
  uint64_t fsyncs = 0;
  uint64_t transactions = 0;       // transactions ended in the archive (with a repository)
  LatencyHistogram fsync_latency;  // each fsync of the archive
  LatencyHistogram ack_latency;    // semi-sync: first event an ACK covers received -> the ACK sent
  std::string last_file;
  uint64_t last_position = 0;
  std::string last_gtid_position;
};

// With a repository, the archive follows failovers (tail_follow.h; man/mzl-binlog-tail.1, FOLLOWING A
// FAILOVER): the server and source come from REPO/failovers/ at every connection attempt, and with stop_never
// a record that replaces the server being archived ends its stream at once, before another semi-sync ACK.
// Runs until the server has sent everything (without stop_never), a stop signal, or an error that
// reconnecting cannot cure (access denied, a server that no longer has what the archive needs, a different
// server, local I/O). Everything appended is fsynced (and what is durable written to `output`) before it
// returns, whatever the reason. kInvalidArgument without server_id, with neither repo nor output, or with
// semi_sync but no repo (an ACK promises a durable copy).
Result<TailStats> run_tail(const TailOptions& options);

// The archive's state for --status: text or JSON (state.json). After a failover that the archive followed
// (tail_follow.h) it is the state of the successor source archived now; the text names the chain.
Result<std::string> describe_archive(const std::string& repo, const std::string& source, bool json);

}  // namespace mzl::archive
