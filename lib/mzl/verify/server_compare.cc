#include "mzl/verify/server_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "mzl/net/server_connection.h"
#include "mzl/net/sql_text.h"
#include "mzl/snapshot/chunk_planner.h"
#include "mzl/snapshot/consistent_start.h"
#include "mzl/util/hex.h"
#include "mzl/util/json_report.h"
#include "mzl/util/parse_number.h"

namespace mzl::verify {

namespace {

using net::quote_identifier;
using net::quote_string;
using snapshot::TableInfo;

// A table whose rows are read whole to name differences only up to this many estimated rows per chunk.
constexpr uint64_t kMaxRowsPerRowComparison = 2'000'000;

// CRC32 of one row: every column as its bytes, separated, then one NULL flag per column (CONCAT_WS skips
// NULLs, so without the flags NULL and '' would hash alike).
std::string row_hash(const TableInfo& t) {
  std::string values, nulls;
  for (const auto& c : t.columns) {
    values += fmt::format(", CAST({} AS BINARY)", c.select_expr);
    nulls += fmt::format("{}ISNULL({})", nulls.empty() ? "" : ", ", quote_identifier(c.name));
  }
  return fmt::format("CRC32(CONCAT_WS('#'{}, CONCAT({})))", values, nulls);
}

std::string key_list(const TableInfo& t) {
  std::string out;
  for (const auto& k : t.key_columns) out += (out.empty() ? "" : ",") + quote_identifier(k);
  return out;
}

std::string where_clause(const std::string& range) {
  return range.empty() ? "" : " WHERE " + range;
}

struct Summary {
  uint64_t rows = 0;
  std::string bit_xor, sum;
  bool operator==(const Summary&) const = default;
};

Result<Summary> summarise(net::ServerConnection& c, const TableInfo& t, const std::string& range) {
  const std::string hash = row_hash(t);
  MZL_TRY(auto rows,
          c.query(fmt::format("SELECT COUNT(*), COALESCE(BIT_XOR({0}), 0), COALESCE(SUM({0}), 0) "
                              "FROM {1}{2}",
                              hash, net::qualified_name(t.database, t.name), where_clause(range))));
  if (rows.size() != 1 || rows[0].size() != 3) {
    return Error(ErrorCode::kServer, "unexpected checksum result").at_r(c.server_name());
  }
  auto count = parse_uint(rows[0][0].value_or("0"), "COUNT(*)");
  if (!count.ok()) return std::move(count).error().at_r(c.server_name());
  return Summary{*count, rows[0][1].value_or(""), rows[0][2].value_or("")};
}

std::string printable(const std::optional<std::string>& v) {
  if (!v) return "NULL";
  const bool plain = std::all_of(v->begin(), v->end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  if (plain) return std::all_of(v->begin(), v->end(), ::isdigit) && !v->empty() ? *v : quote_string(*v);
  return "0x" + to_hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v->data()), v->size()));
}

// key -> CRC32 of the rows of one chunk, in key order.
Result<std::vector<std::pair<std::string, std::string>>> row_hashes(net::ServerConnection& c,
                                                                    const TableInfo& t,
                                                                    const std::string& range) {
  MZL_TRY(auto rows,
          c.query(fmt::format("SELECT {}, {} FROM {}{} ORDER BY {}", key_list(t), row_hash(t),
                              net::qualified_name(t.database, t.name), where_clause(range), key_list(t))));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    std::string key;
    for (size_t i = 0; i < t.key_columns.size(); ++i) {
      key += fmt::format("{}{}={}", i ? "," : "", t.key_columns[i], printable(row[i]));
    }
    out.emplace_back(std::move(key), row.back().value_or(""));
  }
  return out;
}

struct ChunkOutcome {
  std::optional<ChunkDifference> difference;
  std::vector<RowDifference> rows;
  std::optional<Problem> note;
  uint64_t source_rows = 0;
};

Result<ChunkOutcome> compare_chunk(net::ServerConnection& source, net::ServerConnection& target,
                                   const TableInfo& t, const snapshot::Chunk& chunk, uint64_t max_rows) {
  ChunkOutcome out;
  auto on_target = std::async(std::launch::async, [&] { return summarise(target, t, chunk.where); });
  auto s = summarise(source, t, chunk.where);
  auto d = on_target.get();
  MZL_CHECK(s);
  MZL_CHECK(d);
  out.source_rows = s->rows;
  if (*s == *d) return out;
  const std::string table = net::qualified_name(t.database, t.name);
  out.difference = ChunkDifference{table, chunk.where, s->rows, d->rows};
  if (t.key_columns.empty()) {
    out.note =
        Problem{table, std::nullopt,
                "has no primary or unique NOT NULL key: the differing rows cannot be named (compare the "
                "table's rows by hand, e.g. with a full SELECT on both servers)"};
    return out;
  }
  if (std::max(s->rows, d->rows) > kMaxRowsPerRowComparison) {
    out.note =
        Problem{table, std::nullopt,
                fmt::format("the differing part holds more than {} rows in one range (its key is not an "
                            "integer, so it is not split): rows are not listed",
                            kMaxRowsPerRowComparison)};
    return out;
  }
  auto target_rows = std::async(std::launch::async, [&] { return row_hashes(target, t, chunk.where); });
  auto source_rows = row_hashes(source, t, chunk.where);
  auto dest_rows = target_rows.get();
  MZL_CHECK(source_rows);
  MZL_CHECK(dest_rows);
  std::unordered_map<std::string, std::string> on_source(source_rows->begin(), source_rows->end());
  auto add = [&](const std::string& key, const char* what) {
    if (out.rows.size() < max_rows) out.rows.push_back(RowDifference{table, key, what});
  };
  for (const auto& [key, hash] : *dest_rows) {
    auto it = on_source.find(key);
    if (it == on_source.end()) {
      add(key, "only on the target");
      continue;
    }
    if (it->second != hash) add(key, "differs");
    on_source.erase(it);
  }
  for (const auto& [key, hash] : *source_rows) {
    if (on_source.count(key)) add(key, "only on the source");
  }
  return out;
}

// CHECKSUM TABLE's value; nullopt when the server gives none (NULL).
Result<std::optional<std::string>> table_checksum(net::ServerConnection& c, const TableInfo& t) {
  MZL_TRY(auto rows, c.query("CHECKSUM TABLE " + net::qualified_name(t.database, t.name)));
  if (rows.size() != 1 || rows[0].size() != 2) return std::optional<std::string>();
  return rows[0][1];
}

// Runs job(worker, i) for i in [0, jobs) on `threads` threads, worker being the thread's index (its pair of
// connections); the first error stops the others from taking new jobs and is returned.
Status run_on_workers(unsigned threads, size_t jobs, const std::function<Status(unsigned, size_t)>& job) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::optional<Error> first_error;
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      for (size_t i = next++; i < jobs; i = next++) {
        Status s = job(w, i);
        if (!s.ok()) {
          std::lock_guard lock(mutex);
          if (!first_error) first_error = s.error();
          next = jobs;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  if (first_error) return *first_error;
  return ok_status();
}

// Stops a replica target's replication and starts it again when the comparison no longer needs it stopped
// (or fails): mzl never leaves a replica stopped.
class ReplicaPause {
 public:
  explicit ReplicaPause(net::ServerConnection& target) : target_(target) {}
  ~ReplicaPause() { (void)resume(); }
  Status stop() {
    MZL_CHECK(target_.execute("STOP SLAVE"));
    stopped_ = true;
    return ok_status();
  }
  Status resume() {
    if (!stopped_) return ok_status();
    stopped_ = false;
    return target_.execute("START SLAVE");
  }

 private:
  net::ServerConnection& target_;
  bool stopped_ = false;
};

Status bring_replica_to(net::ServerConnection& target, const std::string& gtid, std::chrono::seconds wait) {
  MZL_CHECK(target.execute(fmt::format("START SLAVE UNTIL master_gtid_pos = {}", quote_string(gtid))));
  MZL_TRY(auto reached,
          target.scalar(fmt::format("SELECT MASTER_GTID_WAIT({}, {})", quote_string(gtid), wait.count())));
  if (reached.value_or("-1") != "0") {
    return Error(ErrorCode::kServer,
                 fmt::format("the replica did not reach the source's GTID {} within {} s (is it replicating "
                             "from this source? see SHOW SLAVE STATUS)",
                             gtid, wait.count()))
        .at_r(target.server_name());
  }
  // MariaDB stops both threads at an UNTIL master_gtid_pos; wait for that, or a START SLAVE issued while they
  // are stopping does nothing and the replica stays stopped.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    MZL_TRY(auto status, target.query("SHOW SLAVE STATUS"));
    // Slave_IO_Running and Slave_SQL_Running are the 11th and 12th columns.
    if (status.empty() || status[0].size() < 12) break;
    if (status[0][10] != "Yes" && status[0][10] != "Connecting" && status[0][11] != "Yes") break;
    if (std::chrono::steady_clock::now() > deadline) {
      return Error(ErrorCode::kServer, "the replica reached the GTID but its threads did not stop")
          .at_r(target.server_name());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ok_status();
}

std::string columns_of(const TableInfo& t) {
  std::string out;
  for (const auto& c : t.columns)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", c.name, c.column_type);
  return out;
}

// The tables both sides have with the same columns; the others are problems.
std::vector<TableInfo> common_tables(const std::vector<TableInfo>& source,
                                     const std::vector<TableInfo>& target, std::vector<Problem>& problems) {
  std::map<std::pair<std::string, std::string>, const TableInfo*> on_target;
  for (const auto& t : target) on_target[{t.database, t.name}] = &t;
  std::vector<TableInfo> both;
  for (const auto& t : source) {
    const std::string name = net::qualified_name(t.database, t.name);
    auto it = on_target.find({t.database, t.name});
    if (it == on_target.end()) {
      problems.push_back({name, std::nullopt, "only on the source: the target has no such table"});
      continue;
    }
    if (columns_of(t) != columns_of(*it->second)) {
      problems.push_back({name, std::nullopt,
                          fmt::format("different columns: source ({}), target ({}); rows not compared",
                                      columns_of(t), columns_of(*it->second))});
    } else {
      both.push_back(t);
    }
    on_target.erase(it);
  }
  for (const auto& [key, t] : on_target) {
    problems.push_back({net::qualified_name(t->database, t->name), std::nullopt,
                        "only on the target: the source has no such table"});
  }
  return both;
}

}  // namespace

Result<ServerCompareReport> compare_servers(const ServerCompareOptions& options) {
  if (options.threads == 0) return Error(ErrorCode::kInvalidArgument, "--threads must be at least 1");
  ServerCompareReport report;
  report.source = options.source.describe();
  report.target = options.target.describe();
  MZL_TRY(auto target_control, net::ServerConnection::connect(options.target));
  MZL_TRY(auto slave_status, target_control.query("SHOW SLAVE STATUS"));
  report.target_is_replica = !slave_status.empty();
  ReplicaPause pause(target_control);
  if (report.target_is_replica) MZL_CHECK(pause.stop());

  snapshot::ConsistentStartOptions start;
  start.connections = options.threads;
  MZL_TRY(auto source, snapshot::open_consistent_snapshots(options.source, start));
  report.gtid = source.coordinates.gtid;
  report.lock_seconds = source.lock.seconds;
  if (report.target_is_replica) {
    if (report.gtid.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "the source has no binary log, so the replica cannot be stopped at its point")
          .at_r(report.source);
    }
    MZL_CHECK(bring_replica_to(target_control, report.gtid, options.replica_wait));
  }
  MZL_TRY(auto target, snapshot::open_consistent_snapshots(options.target, start));
  MZL_CHECK(pause.resume());

  MZL_TRY(auto source_tables, snapshot::list_tables(source.workers[0], options.filter));
  MZL_TRY(auto target_tables, snapshot::list_tables(target.workers[0], options.filter));
  const std::vector<TableInfo> all_tables = common_tables(source_tables, target_tables, report.problems);
  report.tables = all_tables.size();

  // First CHECKSUM TABLE on both sides (the server's own row checksum, read in the open snapshots): a table
  // whose checksums agree holds the same rows. The others (or all, when the storage formats differ and the
  // checksums cannot agree) are compared chunk by chunk.
  std::vector<std::optional<std::string>> source_sums(all_tables.size()), target_sums(all_tables.size());
  const size_t checksummed = options.checksum_table_first ? all_tables.size() : 0;
  MZL_CHECK(run_on_workers(options.threads, checksummed, [&](unsigned w, size_t t) -> Status {
    auto on_target =
        std::async(std::launch::async, [&] { return table_checksum(target.workers[w], all_tables[t]); });
    auto on_source = table_checksum(source.workers[w], all_tables[t]);
    auto theirs = on_target.get();
    MZL_CHECK(on_source);
    MZL_CHECK(theirs);
    source_sums[t] = *on_source;
    target_sums[t] = *theirs;
    return ok_status();
  }));
  std::vector<TableInfo> tables;
  for (size_t t = 0; t < all_tables.size(); ++t) {
    if (options.checksum_table_first && source_sums[t] && source_sums[t] == target_sums[t]) {
      ++report.tables_equal_by_checksum;
    } else {
      tables.push_back(all_tables[t]);
    }
  }
  MZL_TRY(auto chunks, snapshot::plan_chunks(source.workers[0], tables, options.chunk_rows));
  report.chunks = chunks.size();

  std::vector<std::optional<Result<ChunkOutcome>>> outcomes(chunks.size());
  MZL_CHECK(run_on_workers(options.threads, chunks.size(), [&](unsigned w, size_t c) -> Status {
    outcomes[c] = compare_chunk(source.workers[w], target.workers[w], tables[chunks[c].table_index],
                                chunks[c], options.max_row_differences);
    if (!outcomes[c]->ok()) return outcomes[c]->error();
    return ok_status();
  }));

  std::map<std::string, uint64_t> rows_listed;  // per table, for max_row_differences
  for (auto& outcome : outcomes) {
    if (!outcome) continue;
    if (!outcome->ok()) return std::move(*outcome).error();
    ChunkOutcome& o = outcome->value();
    report.source_rows += o.source_rows;
    if (o.difference) report.chunk_differences.push_back(std::move(*o.difference));
    if (o.note) report.problems.push_back(std::move(*o.note));
    for (auto& row : o.rows) {
      if (rows_listed[row.table]++ < options.max_row_differences)
        report.row_differences.push_back(std::move(row));
    }
  }
  auto by_table = [](const auto& a, const auto& b) { return a.table < b.table; };
  std::stable_sort(report.chunk_differences.begin(), report.chunk_differences.end(), by_table);
  std::stable_sort(report.row_differences.begin(), report.row_differences.end(), by_table);
  return report;
}

// The JSON of `mzl-verify tables --json` (man/mzl-verify.1, TABLES), for util/json_report.h. Static members
// of this namespace, not of an unnamed one, for argument-dependent lookup.
static void visit_fields(auto& io, const ChunkDifference& c) {
  io.field("table", c.table);
  io.field("range", c.range);
  io.field("source_rows", c.source_rows);
  io.field("target_rows", c.target_rows);
}

static void visit_fields(auto& io, const RowDifference& d) {
  io.field("table", d.table);
  io.field("key", d.key);
  io.field("what", d.what);
}

static void visit_fields(auto& io, const ServerCompareReport& r) {
  io.field("ok", r.ok());
  io.field("source", r.source);
  io.field("target", r.target);
  io.field("gtid", r.gtid);
  io.field("target_is_replica", r.target_is_replica);
  io.field("tables", r.tables);
  io.field("tables_equal_by_checksum", r.tables_equal_by_checksum);
  io.field("chunks", r.chunks);
  io.field("source_rows", r.source_rows);
  io.field("lock_seconds", r.lock_seconds);
  io.array("differing_chunks", r.chunk_differences);
  io.array("differing_rows", r.row_differences);
  io.array("problems", r.problems);
}

std::string describe_server_compare(const ServerCompareReport& r, bool json) {
  if (json) return json_line(r);
  std::string out;
  out += fmt::format(
      "source {} and target {}{} compared at GTID {}: {} tables, {} equal by CHECKSUM TABLE, the others in "
      "{} "
      "chunks ({} source rows)\n",
      r.source, r.target, r.target_is_replica ? " (a replica, stopped there for a moment)" : "",
      r.gtid.empty() ? "(none)" : r.gtid, r.tables, r.tables_equal_by_checksum, r.chunks, r.source_rows);
  for (const auto& p : r.problems) out += format_problem(p) + "\n";
  for (const auto& c : r.chunk_differences) {
    out += fmt::format("{}: rows differ in {} (source {} rows, target {})\n", c.table,
                       c.range.empty() ? "the whole table" : c.range, c.source_rows, c.target_rows);
  }
  for (const auto& d : r.row_differences) out += fmt::format("  {} {}: {}\n", d.table, d.key, d.what);
  out += r.ok() ? "identical: every compared table holds the same rows\n"
                : fmt::format("{} difference{} found\n", r.difference_count(),
                              r.difference_count() == 1 ? "" : "s");
  return out;
}

}  // namespace mzl::verify
