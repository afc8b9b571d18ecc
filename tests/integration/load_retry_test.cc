// The restore loader's data pool against the sandbox primary: a LOAD DATA that waits on another session's row
// lock past innodb_lock_wait_timeout (error 1205, rolled back by the server) is loaded again and commits
// every row exactly once; a job that cannot be reopened fails with the server's error instead.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <thread>

#include "mzl/load/data_load_pool.h"
#include "mzl/load/load_progress_tracker.h"
#include "sandbox.h"
#include "snapshot_test_support.h"

namespace mzl::test {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const std::vector<uint8_t>> rows_text(int n) {
  std::string text;
  for (int i = 1; i <= n; ++i) text += fmt::format("{}\n", i);
  return std::make_shared<const std::vector<uint8_t>>(text.begin(), text.end());
}

load::DataJob job_for(const std::shared_ptr<const std::vector<uint8_t>>& data, bool reopenable) {
  load::DataJob job;
  job.name = "retry-test.tsv";
  job.size = data->size();
  job.target = load::LoadDataTarget{"dl_retry", "t", "", ""};
  job.expected_rows = 100;
  job.reopenable = reopenable;
  job.open = [data]() -> Result<std::unique_ptr<InputStream>> {
    return make_memory_input(data, "retry-test.tsv");
  };
  return job;
}

// Loads the job while another session holds row 50 for `hold`, with a 1 s lock wait timeout.
Result<load::DataLoadTotals> load_while_locked(load::DataJob job, std::chrono::milliseconds hold) {
  auto blocker = connect(primary_server());
  blocker.query("BEGIN");
  blocker.query("INSERT INTO dl_retry.t VALUES (50)");
  std::thread release([&] {
    std::this_thread::sleep_for(hold);
    blocker.query("ROLLBACK");
  });
  load::LoadProgressTracker progress([](const load::LoadProgress&) {});
  auto pool = load::DataLoadPool::start(primary_options(/*local_infile=*/true), 1, /*write_binlog=*/false, 0,
                                        progress);
  REQUIRE(pool.ok());
  Status submitted = (*pool)->submit(std::move(job));
  auto totals = (*pool)->finish();
  release.join();
  if (!submitted.ok()) return submitted.error();
  return totals;
}

TEST_CASE("restore loader: a load rolled back by a lock wait timeout is loaded again, once") {
  auto db = connect(primary_server());
  db.query("DROP DATABASE IF EXISTS dl_retry");
  db.query("CREATE DATABASE dl_retry");
  db.query("CREATE TABLE dl_retry.t (id INT PRIMARY KEY)");
  // For the pool's new sessions; put back whatever happens (other tests share the server).
  struct LockWaitTimeout {
    MysqlConnection& db;
    std::string saved = db.scalar("SELECT @@global.innodb_lock_wait_timeout");
    LockWaitTimeout(MysqlConnection& c) : db(c) { db.query("SET GLOBAL innodb_lock_wait_timeout = 1"); }
    ~LockWaitTimeout() {
      mysql_query(db.handle(), ("SET GLOBAL innodb_lock_wait_timeout = " + saved).c_str());
    }
  } timeout{db};

  SECTION("reopenable: the first attempt times out, the second waits for the lock and commits") {
    auto totals = load_while_locked(job_for(rows_text(100), true), 1500ms);
    INFO((totals.ok() ? std::string() : totals.error().to_string()));
    REQUIRE(totals.ok());
    CHECK(totals->files == 1);
    CHECK(totals->rows == 100);
    CHECK(db.scalar("SELECT COUNT(*) FROM dl_retry.t") == "100");
    CHECK(db.scalar("SELECT COUNT(DISTINCT id) FROM dl_retry.t") == "100");
  }
  SECTION("not reopenable: the lock wait timeout is the error, nothing is loaded") {
    auto totals = load_while_locked(job_for(rows_text(100), false), 1500ms);
    REQUIRE(!totals.ok());
    CHECK(totals.error().message.find("(error 1205)") != std::string::npos);
    CHECK(db.scalar("SELECT COUNT(*) FROM dl_retry.t") == "0");
  }
  db.query("DROP DATABASE IF EXISTS dl_retry");
}

}  // namespace
}  // namespace mzl::test
