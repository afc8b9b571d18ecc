// The values of mzl-binlog-tail --metrics-file (man/mzl-binlog-tail.1), each checked against what the server
// or the archive says independently: the events archived are the events SHOW BINLOG EVENTS lists in the
// server's files, the bytes archived are the archive files' sizes (less each file's 4-byte magic, which is
// no event), the lag after catching up is small and not negative, the lag's 1-minute average and 5-minute
// p99 lie between 0 and the oldest event's age, the last event's timestamp is when the test wrote it, and
// with --semi-sync the ACKs sent are the transactions the primary counts as acknowledged
// (Rpl_semi_sync_master_yes_tx), one per commit.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <string>
#include <thread>

#include "sandbox.h"
#include "tail_test_support.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSource = "primary";

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

fs::path fresh_repo(const fs::path& base, const std::string& name) {
  const fs::path repo = base / "tail-metrics-tests" / name;
  fs::remove_all(repo);
  fs::create_directories(repo);
  return repo;
}

struct EventCount {
  uint64_t events = 0;
  uint64_t gtid_events =
      0;  // MariaDB GTID events (type 162): one per transaction, each complete in the files
  uint32_t oldest_timestamp = UINT32_MAX;  // the smallest non-zero event timestamp
};

// Every event of the shared primary's binlog files, walked by the event_size field of each header (SHOW
// BINLOG EVENTS fails on the events larger than max_allowed_packet that other tests write there).
EventCount primary_event_count() {
  EventCount count;
  for (const fs::path& file : primary_binlog_files()) {
    const std::vector<uint8_t> bytes = read_file(file);
    size_t offset = 4;
    while (offset + 19 <= bytes.size()) {
      const uint8_t* size = bytes.data() + offset + 9;
      const uint32_t event_size =
          uint32_t{size[0]} | uint32_t{size[1]} << 8 | uint32_t{size[2]} << 16 | uint32_t{size[3]} << 24;
      INFO(file << " at " << offset);
      REQUIRE(event_size >= 19);
      if (bytes[offset + 4] == 162) ++count.gtid_events;
      const uint8_t* timestamp = bytes.data() + offset;
      const uint32_t event_timestamp = uint32_t{timestamp[0]} | uint32_t{timestamp[1]} << 8 |
                                       uint32_t{timestamp[2]} << 16 | uint32_t{timestamp[3]} << 24;
      if (event_timestamp != 0) count.oldest_timestamp = std::min(count.oldest_timestamp, event_timestamp);
      offset += event_size;
      ++count.events;
    }
    INFO(file);
    REQUIRE(offset == bytes.size());
  }
  return count;
}

// Every event of the server's binlog files, as the server lists them.
EventCount server_event_count(const fs::path& defaults_file) {
  MysqlConnection server(defaults_file);
  EventCount count;
  for (const auto& row : server.query("SHOW BINARY LOGS")) {
    for (const auto& event : server.query(fmt::format("SHOW BINLOG EVENTS IN '{}'", row.at(0)))) {
      ++count.events;
      if (event.at(2) == "Gtid") ++count.gtid_events;
    }
  }
  return count;
}

// The fsync and ACK summaries: quantiles in order, within the run's duration.
void check_latency_summary(const std::map<std::string, double>& values, const std::string& name,
                           double elapsed) {
  INFO(name);
  const double p50 = values.at(name + "{0.5}");
  const double p99 = values.at(name + "{0.99}");
  CHECK(p50 >= 0);
  CHECK(p50 <= p99);
  CHECK(p99 <= elapsed);
}

// The lag windows: a sample is the lag of one moment of the run (wall clock minus the last archived event's
// timestamp, or 0 when caught up), so neither figure is negative nor above the age of the oldest event the
// server had when the run ended.
void check_lag_windows(const std::map<std::string, double>& values, double max_lag) {
  REQUIRE(values.count("mzl_binlog_tail_lag_avg_1m_seconds") == 1);
  REQUIRE(values.count("mzl_binlog_tail_lag_p99_5m_seconds") == 1);
  const double average = values.at("mzl_binlog_tail_lag_avg_1m_seconds");
  const double p99 = values.at("mzl_binlog_tail_lag_p99_5m_seconds");
  INFO("1-minute average " << average << ", 5-minute p99 " << p99 << ", max lag possible " << max_lag);
  CHECK(average >= 0);
  CHECK(average <= max_lag);
  CHECK(p99 >= 0);
  CHECK(p99 <= max_lag);
}

// Transactions as MariaDB logs them under binlog_format=STATEMENT (or MIXED): no BEGIN query, the GTID
// event opens them, then one or more QUERY events and XID (InnoDB) or a QUERY "COMMIT" (MyISAM). Each is one
// transaction with one GTID event; a tracker that ended them at their first QUERY counted more.
void write_statement_logged_transactions() {
  MysqlConnection primary = connect(primary_server());
  primary.query("CREATE DATABASE IF NOT EXISTS mzl_tail_tests");
  primary.query("CREATE TABLE IF NOT EXISTS mzl_tail_tests.statement_innodb (id INT) ENGINE=InnoDB");
  primary.query("CREATE TABLE IF NOT EXISTS mzl_tail_tests.statement_myisam (id INT) ENGINE=MyISAM");
  primary.query("SET SESSION binlog_format = 'STATEMENT'");
  primary.query("INSERT INTO mzl_tail_tests.statement_innodb VALUES (1)");
  primary.query("BEGIN");
  primary.query("INSERT INTO mzl_tail_tests.statement_innodb VALUES (2)");
  primary.query("INSERT INTO mzl_tail_tests.statement_innodb VALUES (3)");
  primary.query("COMMIT");
  primary.query("INSERT INTO mzl_tail_tests.statement_myisam VALUES (1)");
}

struct ArchiveFiles {
  size_t files = 0;
  uint64_t bytes = 0;
};

ArchiveFiles archive_files(const fs::path& repo) {
  ArchiveFiles out;
  for (const auto& entry : fs::directory_iterator(repo / "binlogs" / kSource)) {
    if (entry.path().filename().string().rfind("mariadb-bin.", 0) != 0) continue;
    ++out.files;
    out.bytes += fs::file_size(entry.path());
  }
  return out;
}

TEST_CASE("mzl-binlog-tail --metrics-file: events, bytes, lag and timestamps are the archive's",
          "[tool][archive]") {
  const auto primary = primary_server();
  const fs::path repo = fresh_repo(sandbox_dir(), "values");
  const fs::path metrics = repo / "tail.prom";
  write_rows("metrics", 30);  // more events than one batch of the archiver's loop (64): see the lag windows
  flush_binary_logs();        // more than one file: each file's magic is not counted
  const double written = unix_now();
  write_rows("metrics", 4, 3000);
  write_statement_logged_transactions();
  const EventCount server = primary_event_count();

  const double started = unix_now();
  const auto run =
      run_program(tail_binary(),
                  {"--defaults-file", primary.defaults_file.string(), "--repo", repo.string(), "--source",
                   kSource, "--server-id", "9106", "--metrics-file", metrics.string()},
                  repo / "tail", {}, 90000ms);
  const double ended = unix_now();
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto values = read_tail_metrics(metrics, kSource);
  const ArchiveFiles archived = archive_files(repo);
  REQUIRE(archived.files >= 2);
  CHECK(values["mzl_binlog_tail_events_total"] == static_cast<double>(server.events));
  // Every transaction of the files ended in the archive, and each has one GTID event.
  REQUIRE(server.gtid_events >= 7);
  CHECK(values["mzl_binlog_tail_transactions_total"] == static_cast<double>(server.gtid_events));
  CHECK(values["mzl_binlog_tail_bytes_total"] == static_cast<double>(archived.bytes - 4 * archived.files));
  // The last event is the last row written; binlog timestamps are whole seconds.
  CHECK(values["mzl_binlog_tail_last_event_timestamp_seconds"] >= std::floor(written));
  CHECK(values["mzl_binlog_tail_last_event_timestamp_seconds"] <= ended);
  CHECK(values["mzl_binlog_tail_lag_seconds"] >= 0);
  CHECK(values["mzl_binlog_tail_lag_seconds"] <= ended - std::floor(written) + 1);
  REQUIRE(server.oldest_timestamp != UINT32_MAX);
  check_lag_windows(values, ended - server.oldest_timestamp);
  // The lag was sampled while catching up (the first batch of events ends before the dump does), when the
  // last event archived was already written: more than 0.
  REQUIRE(server.events > 128);
  CHECK(values["mzl_binlog_tail_lag_avg_1m_seconds"] > 0);
  CHECK(values["mzl_binlog_tail_lag_p99_5m_seconds"] > 0);
  CHECK(values["mzl_binlog_tail_last_fsync_timestamp_seconds"] >= started);
  CHECK(values["mzl_binlog_tail_last_fsync_timestamp_seconds"] <= ended);
  CHECK(values["mzl_binlog_tail_fsyncs_total"] >= 1);
  check_latency_summary(values, "mzl_binlog_tail_fsync_seconds", ended - started);
  // No semi-sync: no ACK, and the ACK summary is empty (0).
  CHECK(values.at("mzl_binlog_tail_ack_seconds{0.5}") == 0);
  CHECK(values.at("mzl_binlog_tail_ack_seconds{0.99}") == 0);
  CHECK(values["mzl_binlog_tail_up"] == 0);  // written at the exit, after the disconnect
  CHECK(values["mzl_binlog_tail_reconnects_total"] == 0);
  CHECK(values["mzl_binlog_tail_semisync_acks_total"] == 0);

  // A second run finds nothing new: the counters of that process stay at zero.
  const auto again =
      run_program(tail_binary(),
                  {"--defaults-file", primary.defaults_file.string(), "--repo", repo.string(), "--source",
                   kSource, "--server-id", "9106", "--metrics-file", metrics.string()},
                  repo / "again", {}, 90000ms);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  values = read_tail_metrics(metrics, kSource);
  CHECK(values["mzl_binlog_tail_events_total"] == 0);
  CHECK(values["mzl_binlog_tail_bytes_total"] == 0);
  CHECK(values["mzl_binlog_tail_transactions_total"] == 0);
}

TEST_CASE("mzl-binlog-tail --metrics-file: with --semi-sync one ACK per commit, as the primary counts them",
          "[tool][archive][semisync]") {
  const double before_sandbox = unix_now();  // every event of the fresh server is younger
  OwnSandbox sandbox("sandbox-tail-metrics", 30);
  const fs::path cnf = sandbox.client_cnf();
  const fs::path repo = fresh_repo(sandbox.dir(), "semisync");
  const fs::path metrics = repo / "tail.prom";
  MysqlConnection client(cnf);
  client.query("CREATE DATABASE mzl_tail_metrics");
  client.query("CREATE TABLE mzl_tail_metrics.t (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT)");
  client.query("SET GLOBAL rpl_semi_sync_master_timeout = 600000");
  client.query("SET GLOBAL rpl_semi_sync_master_wait_point = 'AFTER_SYNC'");
  client.query("SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
  client.query("SET GLOBAL rpl_semi_sync_master_enabled = 1");

  ToolProcess tail(tail_binary(),
                   {"--defaults-file=" + cnf.string(), "--repo", repo.string(), "--source", kSource,
                    "--server-id", "4344", "--stop-never", "--semi-sync", "--metrics-file", metrics.string()},
                   repo / "tail");
  const auto deadline = Clock::now() + 20s;
  while (global_status_number(cnf, "Rpl_semi_sync_master_clients") != 1 && Clock::now() < deadline) {
    INFO(tail.err());
    REQUIRE(tail.running());
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(global_status_number(cnf, "Rpl_semi_sync_master_clients") == 1);
  const uint64_t yes_before = global_status_number(cnf, "Rpl_semi_sync_master_yes_tx");
  const uint64_t no_before = global_status_number(cnf, "Rpl_semi_sync_master_no_tx");

  constexpr int kCommits = 12;  // one after the other: each waits for its own ACK
  for (int i = 0; i < kCommits; ++i) {
    client.query(fmt::format("INSERT INTO mzl_tail_metrics.t (v) VALUES ('commit {}')", i));
  }
  const uint64_t yes_after = global_status_number(cnf, "Rpl_semi_sync_master_yes_tx");
  CHECK(yes_after - yes_before == kCommits);
  CHECK(global_status_number(cnf, "Rpl_semi_sync_master_no_tx") == no_before);

  const double elapsed = std::chrono::duration<double>(Clock::now() - (deadline - 20s)).count();
  tail.signal(SIGTERM);
  const auto stopped = tail.wait_for(10000ms);
  INFO(tail.err());
  REQUIRE(stopped.has_value());
  CHECK((WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0));
  const auto values = read_tail_metrics(metrics, kSource);
  check_lag_windows(values, unix_now() - std::floor(before_sandbox));
  CHECK(values.at("mzl_binlog_tail_semisync_acks_total") == kCommits);
  CHECK(values.at("mzl_binlog_tail_semisync_ack_latency_seconds") >= 0);
  CHECK(values.at("mzl_binlog_tail_semisync_ack_latency_seconds") < 5);
  CHECK(values.at("mzl_binlog_tail_fsyncs_total") >= kCommits);
  // Each commit waited for its own ACK, which came after an fsync and a round trip: never 0 µs.
  check_latency_summary(values, "mzl_binlog_tail_ack_seconds", elapsed);
  CHECK(values.at("mzl_binlog_tail_ack_seconds{0.5}") > 0);
  CHECK(values.at("mzl_binlog_tail_ack_seconds{0.99}") < 5);
  check_latency_summary(values, "mzl_binlog_tail_fsync_seconds", elapsed);
  const EventCount server = server_event_count(cnf);
  CHECK(values.at("mzl_binlog_tail_events_total") == static_cast<double>(server.events));
  REQUIRE(server.gtid_events >= kCommits + 2);  // CREATE DATABASE, CREATE TABLE, the commits
  CHECK(values.at("mzl_binlog_tail_transactions_total") == static_cast<double>(server.gtid_events));
  const ArchiveFiles archived = archive_files(repo);
  CHECK(values.at("mzl_binlog_tail_bytes_total") == static_cast<double>(archived.bytes - 4 * archived.files));
}

}  // namespace
}  // namespace mzl::test
