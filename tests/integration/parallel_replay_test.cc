// Parallel replay (lib/mzl/replay/parallel_replay.h, mzl-pitr-restore --replay-threads) really runs
// independent transactions at once and never runs two that touch the same row side by side.
//
// The first case drives the ParallelApplier itself against a server of the test's own, while the test holds
// the row locks every replayed transaction needs: the sessions then block inside their transactions, so how
// many are in flight at once and which ones were queued behind a conflicting one is decided by the scheduler
// alone, not by timing. The second case runs the program (snapshot, archive, restore with --json) and checks
// its counters and the restored rows against the primary's.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "mzl/replay/parallel_replay.h"
#include "mzl/replay/replay_archive.h"
#include "mzl/util/json_reader.h"
#include "mzl/util/parse_number.h"
#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDb = "mzl_par";
constexpr int kIndependent = 4;  // one transaction per table t1..t4
constexpr int kChain = 5;        // updates of the one row of `chain`

void create_tables(MysqlConnection& db) {
  db.query(fmt::format("DROP DATABASE IF EXISTS {}", kDb));
  db.query(fmt::format("CREATE DATABASE {}", kDb));
  for (int i = 1; i <= kIndependent; ++i) {
    db.query(fmt::format("CREATE TABLE {}.t{} (id INT PRIMARY KEY, v INT) ENGINE=InnoDB", kDb, i));
    db.query(fmt::format("INSERT INTO {}.t{} VALUES (1, 0)", kDb, i));
  }
  db.query(fmt::format("CREATE TABLE {}.chain (id INT PRIMARY KEY, v BIGINT) ENGINE=InnoDB", kDb));
  db.query(fmt::format("INSERT INTO {}.chain VALUES (1, 0)", kDb));
}

// The independent transactions, then the chain; v = v * 3 + k does not commute, so the chain's final value
// is right only when its updates were applied one after the other in binlog order.
void write_transactions(MysqlConnection& db) {
  for (int i = 1; i <= kIndependent; ++i)
    db.query(fmt::format("UPDATE {}.t{} SET v = v + {} WHERE id = 1", kDb, i, i * 10));
  for (int k = 1; k <= kChain; ++k)
    db.query(fmt::format("UPDATE {}.chain SET v = v * 3 + {} WHERE id = 1", kDb, k));
}

std::vector<Row> all_values(MysqlConnection& db) {
  std::string sql;
  for (int i = 1; i <= kIndependent; ++i)
    sql += fmt::format("SELECT 't{0}', id, v FROM {1}.t{0} UNION ALL ", i, kDb);
  sql += fmt::format("SELECT 'chain', id, v FROM {}.chain ORDER BY 1, 2", kDb);
  return db.query(sql);
}

void archive_primary(const fs::path& repo, const std::string& source, const std::string& first_file,
                     const fs::path& log) {
  ToolResult tail =
      run_program(tool_binary("mzl-binlog-tail"),
                  {"--defaults-file", primary_server().defaults_file.string(), "--repo", repo.string(),
                   "--source", source, "--server-id", "7811", "--start-file", first_file},
                  log);
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);
}

void run_ok_snapshot(const fs::path& repo, const std::string& db, const fs::path& log) {
  ToolResult r =
      run_program(tool_binary("mzl-snapshot"),
                  snapshot_args(repo, {"--source", "par-tool", "--databases", db, "--threads", "2"}), log);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

TEST_CASE("parallel replay: independent transactions run at once, a chain on one row runs in order") {
  const fs::path dir = sandbox_scratch_dir("parallel-replay", "scheduler");
  const fs::path repo = dir / "repo";
  MysqlConnection primary = connect(primary_server());
  const std::string first_file = primary.query("SHOW MASTER STATUS").at(0).at(0);
  create_tables(primary);
  const auto start = primary.query("SHOW MASTER STATUS").at(0);
  write_transactions(primary);
  const std::vector<Row> expected = all_values(primary);
  archive_primary(repo, "par-primary", first_file, dir / "tail");

  OwnSandbox target("sandbox-parallel", 30);
  MysqlConnection admin(target.client_cnf());
  admin.query("SET GLOBAL server_id = 7812");
  create_tables(admin);  // the state the replayed range starts from

  // Every replayed transaction needs one of these row locks: until the COMMIT below, each session that
  // starts one blocks inside it and stays in flight.
  MysqlConnection locker(target.client_cnf());
  locker.query("START TRANSACTION");
  for (int i = 1; i <= kIndependent; ++i)
    locker.query(fmt::format("SELECT v FROM {}.t{} WHERE id = 1 FOR UPDATE", kDb, i));
  locker.query(fmt::format("SELECT v FROM {}.chain WHERE id = 1 FOR UPDATE", kDb));

  replay::ParallelReplayOptions options;
  options.target = connection_to(primary_server());
  options.target.port = target.port();
  options.sessions = kIndependent;
  auto applier = replay::ParallelApplier::create(options);
  INFO((applier.ok() ? "" : applier.error().to_string()));
  REQUIRE(applier.ok());
  replay::ReplayOptions replay;
  replay.archive_dir = (repo / "binlogs" / "par-primary").string();
  replay.start_file = start.at(0);
  auto start_position = parse_uint(start.at(1), "binlog position");
  REQUIRE(start_position.ok());
  replay.start_position = *start_position;
  auto replayed = std::async(std::launch::async, [&] { return replay::replay_archive(replay, **applier); });

  // All four sessions end up blocked in a transaction of their own, at the same time.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((*applier)->stats().peak_in_flight < kIndependent && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK((*applier)->stats().peak_in_flight == kIndependent);
  CHECK(admin.scalar(fmt::format("SELECT v FROM {}.chain", kDb)) == "0");  // nothing got past the locks
  locker.query("COMMIT");

  REQUIRE(replayed.wait_for(std::chrono::seconds(120)) == std::future_status::ready);
  auto stats = replayed.get();
  INFO((stats.ok() ? "" : stats.error().to_string()));
  REQUIRE(stats.ok());
  CHECK(stats->transactions == kIndependent + kChain);
  const replay::ParallelReplayStats parallel = (*applier)->stats();
  CHECK(parallel.peak_in_flight == kIndependent);  // the sessions there are, no more
  CHECK(parallel.alone == 0);
  CHECK(parallel.parallel == kIndependent + kChain);
  // The chain's first update found no conflict; each later one found its predecessor still queued (the
  // first session was blocked), so it was queued behind it rather than beside it.
  CHECK(parallel.conflicts == kChain - 1);
  CHECK(all_values(admin) == expected);
  primary.query(fmt::format("DROP DATABASE {}", kDb));
}

// A field of the --json summary as an unsigned integer (REQUIREs it to be there).
uint64_t json_uint(const JsonValue& summary, const char* key) {
  const JsonValue* v = summary.find(key);
  INFO("field " << key);
  REQUIRE(v != nullptr);
  REQUIRE(v->as_uint64().has_value());
  return *v->as_uint64();
}

TEST_CASE(
    "mzl-pitr-restore --replay-threads 4 --json: counts concurrency and conflicts, rows as the primary's") {
  constexpr const char* kToolDb = "mzl_par_tool";
  constexpr int kHeavy = 6;  // transactions of kHeavyRows rows, each into a table of its own
  constexpr int kHeavyRows = 20000;
  const fs::path dir = sandbox_scratch_dir("parallel-replay", "tool");
  const fs::path repo = dir / "repo";
  MysqlConnection primary = connect(primary_server());
  primary.query(fmt::format("DROP DATABASE IF EXISTS {}", kToolDb));
  primary.query(fmt::format("CREATE DATABASE {}", kToolDb));
  const std::string first_file = primary.query("SHOW MASTER STATUS").at(0).at(0);
  for (int i = 1; i <= kHeavy; ++i)
    primary.query(fmt::format("CREATE TABLE {}.h{} (id INT PRIMARY KEY, pad CHAR(60))", kToolDb, i));
  primary.query(fmt::format("CREATE TABLE {}.chain (id INT PRIMARY KEY, v BIGINT)", kToolDb));
  primary.query(fmt::format("INSERT INTO {}.chain VALUES (1, 0), (2, 0)", kToolDb));
  run_ok_snapshot(repo, kToolDb, dir / "snapshot");

  for (int i = 1; i <= kHeavy; ++i) {
    primary.query(
        fmt::format("INSERT INTO {}.h{} SELECT seq, REPEAT(CHAR(64 + {}), 60) FROM test.seq_1_to_{}", kToolDb,
                    i, i, kHeavyRows));
  }
  for (int k = 1; k <= 40; ++k)
    primary.query(fmt::format("UPDATE {}.chain SET v = v * 3 + {} WHERE id = 1", kToolDb, k % 7));
  const std::string chain = primary.scalar(fmt::format("SELECT v FROM {}.chain WHERE id = 1", kToolDb));
  std::vector<std::string> checksums;
  for (int i = 1; i <= kHeavy; ++i)
    checksums.push_back(primary.query(fmt::format("CHECKSUM TABLE {}.h{} EXTENDED", kToolDb, i)).at(0).at(1));
  archive_primary(repo, "par-tool", first_file, dir / "tail");

  OwnSandbox target("sandbox-parallel-tool", 30);
  MysqlConnection admin(target.client_cnf());
  admin.query("SET GLOBAL server_id = 7813");
  ToolResult restored =
      run_program(tool_binary("mzl-pitr-restore"),
                  {"--defaults-file", target.client_cnf().string(), "--repo", repo.string(), "--to-latest",
                   "--replay-threads", "4", "--replay-mode", "statements", "--json"},
                  dir / "restore");
  INFO(restored.err);
  REQUIRE(restored.exit_code == 0);
  auto summary = parse_json(restored.out, "mzl-pitr-restore --json");
  INFO(restored.out);
  REQUIRE(summary.ok());
  CHECK(json_uint(*summary, "transactions_replayed") == kHeavy + 40);
  CHECK(json_uint(*summary, "replay_threads") == 4);
  CHECK(json_uint(*summary, "transactions_replayed_alone") == 0);
  // Six transactions of 20000 rows on six tables: the target takes far longer to apply each than the
  // reader takes to hand the next to another session.
  CHECK(json_uint(*summary, "replay_peak_in_flight") > 1);
  CHECK(json_uint(*summary, "replay_peak_in_flight") <= 4);
  CHECK(json_uint(*summary, "transactions_replayed_after_conflict") <= 39);

  CHECK(admin.scalar(fmt::format("SELECT v FROM {}.chain WHERE id = 1", kToolDb)) == chain);
  CHECK(admin.scalar(fmt::format("SELECT v FROM {}.chain WHERE id = 2", kToolDb)) == "0");
  for (int i = 1; i <= kHeavy; ++i) {
    INFO("table h" << i);
    CHECK(admin.query(fmt::format("CHECKSUM TABLE {}.h{} EXTENDED", kToolDb, i)).at(0).at(1) ==
          checksums[static_cast<size_t>(i - 1)]);
  }
  primary.query(fmt::format("DROP DATABASE {}", kToolDb));
}

}  // namespace
}  // namespace mzl::test
