// open_consistent_snapshots() against the sandbox primary while a writer commits single-row transactions as
// fast as it can: every worker sees the same number of rows, and that number equals the transactions in the
// binary log before the recorded position (counted with SHOW BINLOG EVENTS from a point taken before the
// writer started) and the seq_no of the recorded GTID. Also the lock paths (forced) with their measured lock
// time, the FTWRL held for non-transactional tables, the server identity, and plan_chunks() covering every
// row exactly once on real tables.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/net/sql_text.h"
#include "mzl/snapshot/catalog.h"
#include "mzl/snapshot/chunk_planner.h"
#include "mzl/snapshot/consistent_start.h"
#include "sandbox.h"
#include "snapshot_test_support.h"

namespace mzl::test {
namespace {

uint64_t number_of(net::ServerConnection& c, const std::string& sql) {
  auto r = c.scalar(sql);
  INFO(sql << ": " << (r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  return std::stoull(**r);
}

// The seq_no of domain 0 in a MariaDB GTID position ("0-1-42,1-2-7" -> 42); 0 when domain 0 is absent.
uint64_t domain0_seq(const std::string& gtid_pos) {
  size_t start = 0;
  while (start < gtid_pos.size()) {
    size_t end = gtid_pos.find(',', start);
    if (end == std::string::npos) end = gtid_pos.size();
    const std::string one = gtid_pos.substr(start, end - start);
    if (one.rfind("0-", 0) == 0) return std::stoull(one.substr(one.rfind('-') + 1));
    start = end + 1;
  }
  return 0;
}

// Commits one-row transactions on its own connection until stopped (no Catch2 macros in this thread).
class Writer {
 public:
  Writer() {
    auto c = net::ServerConnection::connect(primary_options());
    REQUIRE(c.ok());
    connection_.emplace(std::move(*c));
    thread_ = std::thread([this] {
      while (!stop_) {
        if (!connection_->execute("INSERT INTO mzl_cons.t (v) VALUES (1)").ok()) {
          failed_ = true;
          return;
        }
        ++commits_;
      }
    });
  }
  ~Writer() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t commits() const { return commits_; }
  bool failed() const { return failed_; }

 private:
  std::optional<net::ServerConnection> connection_;
  std::thread thread_;
  std::atomic<bool> stop_{false}, failed_{false};
  std::atomic<uint64_t> commits_{0};
};

struct Start {
  std::string file;
  uint64_t position = 0;
  uint64_t seq = 0;
};

// A fresh table and binlog file; returns the binlog point (and domain-0 seq_no) before any row exists.
Start prepare_table(net::ServerConnection& admin) {
  run(admin, "DROP DATABASE IF EXISTS mzl_cons");
  run(admin, "CREATE DATABASE mzl_cons");
  run(admin, "CREATE TABLE mzl_cons.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB");
  run(admin, "FLUSH BINARY LOGS");
  const auto status = rows_of(admin, "SHOW MASTER STATUS");
  REQUIRE(status.size() == 1);
  Start start;
  start.file = status[0][0].value_or("");
  start.position = std::stoull(status[0][1].value_or("0"));
  start.seq = domain0_seq(rows_of(admin, "SELECT @@gtid_binlog_pos")[0][0].value_or(""));
  return start;
}

// Transactions (GTID events) in `file` from `from` up to `until`.
uint64_t transactions_in_binlog(net::ServerConnection& admin, const std::string& file, uint64_t from,
                                uint64_t until) {
  const auto events =
      rows_of(admin, fmt::format("SHOW BINLOG EVENTS IN {} FROM {}", net::quote_string(file), from));
  uint64_t count = 0;
  for (const auto& e : events) {
    // Log_name, Pos, Event_type, Server_id, End_log_pos, Info
    if (std::stoull(e[4].value_or("0")) > until) break;
    if (e[2].value_or("") == "Gtid") ++count;
  }
  return count;
}

void check_consistent(snapshot::ConsistentStart& start, net::ServerConnection& admin, const Start& before,
                      unsigned connections) {
  REQUIRE(start.workers.size() == connections);
  std::vector<uint64_t> counts;
  for (auto& w : start.workers) counts.push_back(number_of(w, "SELECT COUNT(*) FROM mzl_cons.t"));
  for (uint64_t c : counts) CHECK(c == counts.front());
  // The workers are inside their transactions: a commit made now is not visible to them.
  for (auto& w : start.workers) CHECK(number_of(w, "SELECT COUNT(*) FROM mzl_cons.t") == counts.front());
  REQUIRE(start.coordinates.file == before.file);  // FLUSH BINARY LOGS gave the writer a fresh file
  CHECK(transactions_in_binlog(admin, before.file, before.position, start.coordinates.position) ==
        counts.front());
  CHECK(domain0_seq(start.coordinates.gtid) - before.seq == counts.front());
  CHECK(start.coordinates.gtid == rows_of(admin, fmt::format("SELECT BINLOG_GTID_POS({}, {})",
                                                             net::quote_string(start.coordinates.file),
                                                             start.coordinates.position))[0][0]
                                      .value_or(""));
  CHECK(start.workers.front().scalar("SELECT @@character_set_results")->value_or("") == "binary");
  CHECK(start.workers.front().scalar("SELECT @@session.time_zone")->value_or("") == "+00:00");
}

}  // namespace

TEST_CASE(
    "consistent start: 4 connections under concurrent commits see one binlog point (commits blocked a "
    "moment)",
    "[snapshot]") {
  auto admin = connect_primary();
  const Start before = prepare_table(admin);
  Writer writer, writer2, writer3;  // three committing connections: group commits and more races
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int round = 0; round < 5; ++round) {
    snapshot::ConsistentStartOptions options;
    options.connections = 4;
    auto start = snapshot::open_consistent_snapshots(primary_options(), options);
    INFO((start.ok() ? "" : start.error().to_string()));
    REQUIRE(start.ok());
    std::cout << fmt::format(
        "consistent start round {}: method {}, attempts {}, lock {:.6f} s, {} @ {}, gtid {}\n", round,
        start->lock.method, start->lock.attempts, start->lock.seconds, start->coordinates.file,
        start->coordinates.position, start->coordinates.gtid);
    CHECK(start->lock.method == "backup_stage_block_commit");  // the only start: no lock-free one
    CHECK(start->lock.seconds < 5);
    CHECK_FALSE(start->lock_holder.has_value());
    check_consistent(*start, admin, before, 4);
  }
  for (Writer* w : {&writer, &writer2, &writer3}) {
    w->stop();
    CHECK_FALSE(w->failed());
  }
  const uint64_t commits = writer.commits() + writer2.commits() + writer3.commits();
  CHECK(commits > 100);
  std::cout << fmt::format("writers committed {} transactions\n", commits);
  run(admin, "DROP DATABASE mzl_cons");
}

TEST_CASE("consistent start: the lock blocks commits briefly and is measured", "[snapshot]") {
  auto admin = connect_primary();
  const Start before = prepare_table(admin);
  Writer writer;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  snapshot::ConsistentStartOptions options;
  options.connections = 4;
  auto start = snapshot::open_consistent_snapshots(primary_options(), options);
  INFO((start.ok() ? "" : start.error().to_string()));
  REQUIRE(start.ok());
  std::cout << fmt::format("lock: method {}, lock {:.6f} s\n", start->lock.method, start->lock.seconds);
  CHECK(start->lock.method == "backup_stage_block_commit");
  CHECK(start->lock.attempts == 0);
  CHECK(start->lock.seconds > 0);
  CHECK(start->lock.seconds < 5);
  check_consistent(*start, admin, before, 4);
  writer.stop();
  CHECK_FALSE(writer.failed());
  // The backup stage is over: commits go through.
  run(admin, "INSERT INTO mzl_cons.t (v) VALUES (2)");
  start->workers.clear();  // their transactions hold metadata locks on the table
  run(admin, "DROP DATABASE mzl_cons");
}

TEST_CASE("consistent start: FTWRL held for non-transactional tables until release_lock()", "[snapshot]") {
  auto admin = connect_primary();
  const Start before = prepare_table(admin);
  for (int i = 0; i < 3; ++i) run(admin, "INSERT INTO mzl_cons.t (v) VALUES (1)");  // 3 transactions
  snapshot::ConsistentStartOptions options;
  options.connections = 2;
  options.lock_non_transactional = true;
  const auto t0 = std::chrono::steady_clock::now();
  auto start = snapshot::open_consistent_snapshots(primary_options(), options);
  INFO((start.ok() ? "" : start.error().to_string()));
  REQUIRE(start.ok());
  CHECK(start->lock.method == "flush_tables_with_read_lock");
  REQUIRE(start->lock_holder.has_value());
  check_consistent(*start, admin, before, 2);
  // A write waits for the global read lock (and times out here).
  auto blocked = connect_primary();
  run(blocked, "SET SESSION lock_wait_timeout = 1");
  CHECK_FALSE(blocked.execute("INSERT INTO mzl_cons.t (v) VALUES (4)").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE(start->release_lock().ok());
  const double held = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK_FALSE(start->lock_holder.has_value());
  CHECK(start->lock.seconds >= 1.2);  // at least the blocked insert's second and the sleep
  CHECK(start->lock.seconds <= held);
  run(blocked, "INSERT INTO mzl_cons.t (v) VALUES (4)");
  CHECK(number_of(start->workers[0], "SELECT COUNT(*) FROM mzl_cons.t") == 3);  // still its snapshot
  std::cout << fmt::format("FTWRL held {:.3f} s\n", start->lock.seconds);
  start->workers.clear();
  run(admin, "DROP DATABASE mzl_cons");
}

TEST_CASE("consistent start: server identity", "[snapshot]") {
  auto admin = connect_primary();
  auto identity = snapshot::read_server_identity(admin, "my-source");
  REQUIRE(identity.ok());
  CHECK(identity->source == "my-source");
  CHECK(identity->flavour == "mariadb");
  CHECK(identity->server_uuid.empty());
  CHECK(identity->server_id == number_of(admin, "SELECT @@server_id"));
  CHECK(identity->version == rows_of(admin, "SELECT VERSION()")[0][0].value_or(""));
  CHECK(identity->address == fmt::format("127.0.0.1:{}", primary_server().port));
}

TEST_CASE("chunk planner: the chunks of real tables cover every row exactly once", "[snapshot]") {
  auto admin = connect_primary();
  run(admin, "DROP DATABASE IF EXISTS mzl_chunks");
  run(admin, "CREATE DATABASE mzl_chunks");
  run(admin, "CREATE TABLE mzl_chunks.neg (id INT PRIMARY KEY, v INT)");
  run(admin, "INSERT INTO mzl_chunks.neg SELECT CAST(seq AS SIGNED) - 1001, 1 FROM mzl_chunks.seq_1_to_2000");
  run(admin, "INSERT INTO mzl_chunks.neg VALUES (-2147483648, 0), (2147483647, 0), (5000000, 0)");  // gaps
  run(admin, "CREATE TABLE mzl_chunks.one (id BIGINT PRIMARY KEY)");
  run(admin, "INSERT INTO mzl_chunks.one VALUES (42)");
  run(admin, "CREATE TABLE mzl_chunks.empty (id INT PRIMARY KEY)");
  run(admin, "CREATE TABLE mzl_chunks.umax (id BIGINT UNSIGNED PRIMARY KEY)");
  run(admin,
      "INSERT INTO mzl_chunks.umax VALUES (0), (1), (9223372036854775807), (9223372036854775808), "
      "(18446744073709551614), (18446744073709551615)");
  run(admin, "CREATE TABLE mzl_chunks.composite (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (b, a))");
  run(admin, "INSERT INTO mzl_chunks.composite SELECT seq % 7, seq FROM mzl_chunks.seq_1_to_500");
  run(admin, "CREATE TABLE mzl_chunks.text_key (k VARCHAR(10) PRIMARY KEY)");
  run(admin, "INSERT INTO mzl_chunks.text_key VALUES ('a'), ('b')");

  snapshot::CatalogFilter filter;
  filter.databases = {"mzl_chunks"};
  auto tables = snapshot::list_tables(admin, filter);
  REQUIRE(tables.ok());
  REQUIRE(tables->size() == 6);
  for (auto& t : *tables) t.estimated_rows = 1000;  // information_schema's estimate may be anything
  auto chunks = snapshot::plan_chunks(admin, *tables, 97);
  REQUIRE(chunks.ok());

  for (size_t t = 0; t < tables->size(); ++t) {
    const auto& table = (*tables)[t];
    const std::string name = net::qualified_name(table.database, table.name);
    INFO(name);
    std::vector<std::string> where;
    for (const auto& c : *chunks) {
      if (c.table_index != t) continue;
      CHECK(c.chunk_index == where.size());  // a table's chunks keep key order
      where.push_back(c.where);
    }
    REQUIRE_FALSE(where.empty());
    const uint64_t total = number_of(admin, "SELECT COUNT(*) FROM " + name);
    if (table.name == "text_key" || table.name == "empty") {
      CHECK(where == std::vector<std::string>{""});
      continue;
    }
    if (table.name == "one") CHECK(where.size() == 1);
    if (table.name == "neg" || table.name == "umax" || table.name == "composite") CHECK(where.size() > 1);
    uint64_t sum = 0;
    std::string membership;  // how many chunks each row is in
    for (const auto& w : where) {
      sum += number_of(admin, fmt::format("SELECT COUNT(*) FROM {} {}", name, w.empty() ? "" : "WHERE " + w));
      membership += (membership.empty() ? "" : " + ") + (w.empty() ? std::string("1") : "(" + w + ")");
    }
    CHECK(sum == total);
    CHECK(number_of(admin, fmt::format("SELECT COUNT(*) FROM {} WHERE ({}) <> 1", name, membership)) == 0);
  }

  // Larger tables first: give one table a much larger estimate.
  (*tables)[0].estimated_rows = 100000;
  (*tables)[0].data_bytes = 100000000;
  auto ordered = snapshot::plan_chunks(admin, *tables, 0);  // 0: never split
  REQUIRE(ordered.ok());
  REQUIRE(ordered->size() == tables->size());
  CHECK(ordered->front().table_index == 0);
  for (const auto& c : *ordered) CHECK(c.where.empty());
  run(admin, "DROP DATABASE mzl_chunks");
}

}  // namespace mzl::test
