// The change stream (mzl-binlog-tail --output json without --repo) SIGKILLed at random moments under a
// write load and resumed as a consumer resumes it: its output cut after the last complete transaction (the
// last line with "commit":true; a torn line or an unfinished transaction is dropped), and the next run
// started with --after-gtid that transaction's GTID. The joined output must hold every transaction the
// load committed exactly once, in commit order, with its rows' values under their column names, which
// come from the schema history (binlog_row_metadata=NO_LOG), also across ALTER TABLEs passing during a kill.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <mysql.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mzl/util/json_reader.h"
#include "sandbox.h"
#include "tail_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kServerId = "9191";
constexpr int kKills = 20;

// A MariaDB GTID "domain-server-seq": the sandbox has one server and domain 0, so seq orders commits.
uint64_t gtid_seq(const std::string& gtid) {
  const size_t dash = gtid.rfind('-');
  REQUIRE(dash != std::string::npos);
  return std::stoull(gtid.substr(dash + 1));
}

// A transaction the load committed: `rows` rows (txn = number, part = 0..rows-1, v = "t<number>-r<part>").
struct LoadTransaction {
  uint64_t number = 0;
  int rows = 0;
  std::string gtid;  // @@last_gtid after its COMMIT returned
};

// One client writing transactions of 1-5 rows back to back on its own thread, as one INSERT of several
// rows or one INSERT per row (several rows events). Catch2's assertions are for the test's thread only:
// the thread records its first error, which stop() REQUIREs to be empty.
class WriteLoad {
 public:
  explicit WriteLoad(const fs::path& cnf) : connection_(cnf) {
    thread_ = std::thread([this] { run(); });
  }
  ~WriteLoad() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t committed_count() const { return count_; }
  // Ends the load after its current transaction; the committed transactions, in commit order.
  std::vector<LoadTransaction> stop() {
    stop_ = true;
    thread_.join();
    INFO(error_);
    REQUIRE(error_.empty());
    return committed_;
  }

 private:
  bool execute(const std::string& sql) {
    if (mysql_real_query(connection_.handle(), sql.data(), sql.size()) == 0) return true;
    error_ = fmt::format("{}: {}", sql.substr(0, 200), mysql_error(connection_.handle()));
    return false;
  }
  std::string last_gtid() {
    if (!execute("SELECT @@last_gtid")) return "";
    MYSQL_RES* result = mysql_store_result(connection_.handle());
    MYSQL_ROW row = result != nullptr ? mysql_fetch_row(result) : nullptr;
    std::string gtid = row != nullptr && row[0] != nullptr ? row[0] : "";
    if (result != nullptr) mysql_free_result(result);
    if (gtid.empty()) error_ = "no @@last_gtid after a COMMIT";
    return gtid;
  }
  void run() {
    std::mt19937 random(4242);
    for (uint64_t number = 1; !stop_; ++number) {
      const int rows = 1 + static_cast<int>(random() % 5);
      const bool one_statement = random() % 2 == 0;
      if (!execute("BEGIN")) return;
      std::string values;
      for (int part = 0; part < rows; ++part) {
        const std::string row = fmt::format("({}, {}, 't{}-r{}')", number, part, number, part);
        if (one_statement) {
          values += (values.empty() ? "" : ",") + row;
        } else if (!execute("INSERT INTO mzl_resume.t (txn, part, v) VALUES " + row)) {
          return;
        }
      }
      if (one_statement && !execute("INSERT INTO mzl_resume.t (txn, part, v) VALUES " + values)) return;
      if (!execute("COMMIT")) return;
      std::string gtid = last_gtid();
      if (gtid.empty()) return;
      committed_.push_back(LoadTransaction{number, rows, std::move(gtid)});
      ++count_;
    }
  }

  MysqlConnection connection_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> count_{0};
  std::vector<LoadTransaction> committed_;
  std::string error_;
};

// What a consumer keeps of a run's output: everything up to the end of the last complete line with
// "commit":true, and that line's GTID ("" when the run wrote no complete transaction).
struct KeptOutput {
  std::string text;
  std::string last_gtid;
};

KeptOutput complete_transactions(const std::string& out) {
  const size_t last_newline = out.rfind('\n');  // a torn last line does not count
  if (last_newline == std::string::npos) return KeptOutput{};
  const std::string_view whole(out.data(), last_newline + 1);
  constexpr std::string_view kCommit = "\"commit\":true";
  for (size_t at = whole.rfind(kCommit); at != std::string_view::npos;) {
    const size_t newline_before = whole.rfind('\n', at);
    const size_t line_start = newline_before == std::string_view::npos ? 0 : newline_before + 1;
    const size_t line_end = whole.find('\n', at);
    const std::string_view line = whole.substr(line_start, line_end - line_start);
    auto parsed = parse_json(line, "change stream line");
    INFO(line);
    REQUIRE(parsed.ok());
    const JsonValue* commit = parsed->find("commit");
    if (commit != nullptr && commit->as_bool() != nullptr && *commit->as_bool()) {
      const JsonValue* gtid = parsed->find("gtid");
      REQUIRE(gtid != nullptr);
      REQUIRE(gtid->as_string() != nullptr);
      return KeptOutput{out.substr(0, line_end + 1), *gtid->as_string()};
    }
    if (line_start == 0) break;
    at = whole.rfind(kCommit, line_start - 1);
  }
  return KeptOutput{};
}

// The rows lines of one transaction of the joined output.
struct StreamTransaction {
  std::string gtid;
  std::string table;  // database.table of its first rows line
  std::vector<JsonValue> rows;
  size_t first_line = 0;
};

// Groups the rows lines of the joined output by transaction; every line must be whole JSON, every rows line
// carry gtid and xid, and each transaction end with its one commit line before the next begins.
std::vector<StreamTransaction> stream_transactions(const std::string& joined,
                                                   std::vector<std::string>& problems) {
  std::vector<StreamTransaction> transactions;
  std::optional<StreamTransaction> open;
  std::optional<uint64_t> open_xid;
  size_t number = 0;
  for (size_t start = 0; start < joined.size();) {
    const size_t end = joined.find('\n', start);
    REQUIRE(end != std::string::npos);  // the kept output ends with a whole line
    const std::string line = joined.substr(start, end - start);
    start = end + 1;
    ++number;
    auto parsed = parse_json(line, "change stream line");
    INFO(fmt::format("line {}: {}", number, line.substr(0, 500)));
    REQUIRE(parsed.ok());
    const JsonValue* rows = parsed->find("rows");
    if (rows == nullptr) continue;
    const JsonValue* gtid = parsed->find("gtid");
    const JsonValue* xid = parsed->find("xid");
    const JsonValue* database = parsed->find("database");
    const JsonValue* table = parsed->find("table");
    REQUIRE(gtid != nullptr);
    REQUIRE(gtid->as_string() != nullptr);
    REQUIRE(xid != nullptr);
    REQUIRE(xid->as_uint64().has_value());
    REQUIRE(database != nullptr);
    REQUIRE(table != nullptr);
    REQUIRE(rows->as_array() != nullptr);
    if (open && open->gtid != *gtid->as_string()) {
      problems.push_back(
          fmt::format("transaction {} (from line {}) has no \"commit\":true line before the rows "
                      "of {} (line {})",
                      open->gtid, open->first_line, *gtid->as_string(), number));
      transactions.push_back(std::move(*open));
      open.reset();
    }
    if (!open) {
      open = StreamTransaction{
          *gtid->as_string(), *database->as_string() + "." + *table->as_string(), {}, number};
      open_xid = xid->as_uint64();
    } else if (open_xid != xid->as_uint64()) {
      problems.push_back(fmt::format("transaction {}: line {} has another xid", open->gtid, number));
    }
    open->rows.insert(open->rows.end(), rows->as_array()->begin(), rows->as_array()->end());
    const JsonValue* commit = parsed->find("commit");
    if (commit != nullptr && commit->as_bool() != nullptr && *commit->as_bool()) {
      transactions.push_back(std::move(*open));
      open.reset();
    }
  }
  if (open)
    problems.push_back(fmt::format("transaction {} (line {}) is not complete", open->gtid, open->first_line));
  return transactions;
}

// The column names a load row has after the ALTER TABLEs committed before it.
struct AddedColumn {
  std::string gtid;
  std::string name;
  std::string value;  // its default, as the JSON renders it
};

std::vector<std::string> load_row_problems(const StreamTransaction& got, const LoadTransaction& want,
                                           const std::vector<AddedColumn>& added) {
  std::vector<std::string> problems;
  if (got.rows.size() != static_cast<size_t>(want.rows)) {
    problems.push_back(fmt::format("transaction {} (load number {}) has {} rows, committed {}", got.gtid,
                                   want.number, got.rows.size(), want.rows));
    return problems;
  }
  for (size_t part = 0; part < got.rows.size(); ++part) {
    const JsonValue* after = got.rows[part].find("after");
    const JsonObject* image = after != nullptr ? after->as_object() : nullptr;
    std::map<std::string, std::string> expected{{"txn", std::to_string(want.number)},
                                                {"part", std::to_string(part)},
                                                {"v", fmt::format("\"t{}-r{}\"", want.number, part)}};
    for (const AddedColumn& column : added) {
      if (gtid_seq(column.gtid) < gtid_seq(want.gtid)) expected[column.name] = column.value;
    }
    std::map<std::string, std::string> actual;
    if (image != nullptr) {
      for (const auto& [name, value] : *image) {
        if (name == "id") continue;  // AUTO_INCREMENT: any value
        if (const std::string* text = value.as_string()) {
          actual[name] = "\"" + *text + "\"";
        } else if (const JsonNumber* number = value.as_number()) {
          actual[name] = number->text;
        } else {
          actual[name] = "(other)";
        }
      }
      if (image->count("id") == 0) actual["id"] = "(missing)";
    }
    if (actual != expected) {
      std::string shown;
      for (const auto& [name, value] : actual) shown += fmt::format(" {}={}", name, value);
      problems.push_back(
          fmt::format("transaction {} (load number {}) row {}: columns{} -- expected txn={}, "
                      "part={}, v, id{}",
                      got.gtid, want.number, part, shown, want.number, part,
                      added.empty() ? "" : " and the columns added before it"));
    }
  }
  return problems;
}

// Every committed load transaction exactly once, in order, with its rows; nothing else after the load
// began (`before_load`: the server's GTID position then, whose transactions may appear or not).
std::vector<std::string> check_stream(const std::string& joined, const std::vector<LoadTransaction>& load,
                                      const std::vector<AddedColumn>& added, uint64_t before_load) {
  std::vector<std::string> problems;
  const std::vector<StreamTransaction> transactions = stream_transactions(joined, problems);
  std::map<std::string, size_t> seen;  // gtid -> first line
  uint64_t previous_seq = 0;
  std::string previous_gtid;
  size_t next = 0;  // the load transaction expected next
  for (const StreamTransaction& got : transactions) {
    auto [at, fresh] = seen.emplace(got.gtid, got.first_line);
    if (!fresh) {
      problems.push_back(fmt::format("DUPLICATE: transaction {} is in the stream twice (lines {} and {})",
                                     got.gtid, at->second, got.first_line));
      continue;
    }
    const uint64_t seq = gtid_seq(got.gtid);
    if (seq <= previous_seq) {
      problems.push_back(fmt::format("OUT OF ORDER: transaction {} (line {}) after {}", got.gtid,
                                     got.first_line, previous_gtid));
    }
    previous_seq = seq;
    previous_gtid = got.gtid;
    if (got.table != "mzl_resume.t") {
      if (seq > before_load) {
        problems.push_back(fmt::format("EXTRA: transaction {} (line {}) on {} is none of the load's",
                                       got.gtid, got.first_line, got.table));
      }
      continue;
    }
    while (next < load.size() && gtid_seq(load[next].gtid) < seq) {
      problems.push_back(
          fmt::format("GAP: transaction {} (load number {}) is missing; the stream goes on "
                      "with {} (line {})",
                      load[next].gtid, load[next].number, got.gtid, got.first_line));
      ++next;
    }
    if (next == load.size() || load[next].gtid != got.gtid) {
      problems.push_back(fmt::format("EXTRA: transaction {} (line {}) was not committed by the load",
                                     got.gtid, got.first_line));
      continue;
    }
    for (auto& problem : load_row_problems(got, load[next], added)) problems.push_back(std::move(problem));
    ++next;
  }
  if (next < load.size()) {
    problems.push_back(
        fmt::format("GAP: the stream ends after {}; {} committed transactions are missing, "
                    "from {} (load number {}) on",
                    previous_gtid, load.size() - next, load[next].gtid, load[next].number));
  }
  return problems;
}

std::vector<std::string> stream_args(const fs::path& cnf, const fs::path& history, const std::string& after,
                                     bool stop_never) {
  std::vector<std::string> args{"--defaults-file", cnf.string(), "--server-id",      kServerId,
                                "--output",        "json",       "--schema-history", history.string()};
  if (stop_never) args.push_back("--stop-never");
  if (!after.empty()) args.insert(args.end(), {"--after-gtid", after});
  return args;
}

TEST_CASE(
    "change stream: SIGKILLed 20 times under load and resumed --after-gtid its last complete "
    "transaction, every transaction exactly once, in order",
    "[tail][output][change-stream]") {
  const auto started = Clock::now();
  OwnSandbox sandbox("sandbox-stream-resume", 91);
  const fs::path cnf = sandbox.client_cnf();
  const fs::path dir = fresh_tail_dir("stream-resume");
  const fs::path history = dir / "schema-history.jsonl";
  MysqlConnection admin(cnf);
  admin.query("SET GLOBAL binlog_row_metadata = NO_LOG");  // the names must come from the schema history
  admin.query("CREATE DATABASE mzl_resume");
  admin.query(
      "CREATE TABLE mzl_resume.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, txn BIGINT NOT NULL, "
      "part INT NOT NULL, v VARCHAR(64) NOT NULL)");
  const uint64_t before_load = gtid_seq(admin.scalar("SELECT @@global.gtid_binlog_pos"));

  // ALTER TABLEs in two rounds, each right before that round's kill (a kill while the DDL passes).
  const std::map<int, AddedColumn> alters{{6, {"", "extra", "7"}}, {13, {"", "note", "\"n\""}}};
  std::vector<AddedColumn> added;
  std::mt19937 random(Catch::rngSeed());
  std::string joined;
  std::string after_gtid;  // the consumer's resume point: "" until it has a complete transaction
  std::string log;         // what each round did, for a failure's message
  int rounds_with_progress = 0;
  // The first run seeds the schema history from information_schema while the server is quiet (under a
  // steady load the seed is read several times until it is stable), then the load starts.
  std::optional<ToolProcess> tail;
  tail.emplace(tail_binary(), stream_args(cnf, history, after_gtid, true), dir / "run-00");
  for (const auto deadline = Clock::now() + 30s; Clock::now() < deadline && tail->running();) {
    if (fs::exists(history) && fs::file_size(history) > 0) break;
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(fs::exists(history));
  WriteLoad load(cnf);
  for (int round = 0; round < kKills; ++round) {
    if (round > 0) {
      tail.emplace(tail_binary(), stream_args(cnf, history, after_gtid, true),
                   dir / fmt::format("run-{:02}", round));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 451));
    if (auto alter = alters.find(round); alter != alters.end()) {
      AddedColumn column = alter->second;
      admin.query(fmt::format("ALTER TABLE mzl_resume.t ADD COLUMN {} {} NOT NULL DEFAULT {}", column.name,
                              column.name == "extra" ? "INT" : "VARCHAR(8)",
                              column.name == "extra" ? "7" : "'n'"));
      column.gtid = admin.scalar("SELECT @@last_gtid");
      added.push_back(column);
      std::this_thread::sleep_for(std::chrono::milliseconds(random() % 20));
    }
    INFO(log);
    INFO(tail->err());
    REQUIRE(tail->running());  // an error would have ended it
    tail->signal(SIGKILL);
    const auto status = tail->wait_for(10s);
    REQUIRE(status.has_value());
    REQUIRE(WIFSIGNALED(*status));
    const std::string out = tail->out();
    KeptOutput kept = complete_transactions(out);
    log += fmt::format("run {:2} --after-gtid '{}': {} bytes written, {} kept, last complete {}\n", round,
                       after_gtid, out.size(), kept.text.size(), kept.last_gtid);
    if (!kept.last_gtid.empty()) {
      ++rounds_with_progress;
      after_gtid = kept.last_gtid;
    }
    joined += kept.text;
  }
  const std::vector<LoadTransaction> committed = load.stop();

  // The last run: without --stop-never it ends at the end of the binlog.
  const auto last =
      run_program(tail_binary(), stream_args(cnf, history, after_gtid, false), dir / "last", {}, 120000ms);
  const KeptOutput kept = complete_transactions(last.out);
  log += fmt::format("last run --after-gtid '{}': {} bytes written, {} kept, last complete {}\n", after_gtid,
                     last.out.size(), kept.text.size(), kept.last_gtid);
  INFO(log);
  INFO(last.err);
  REQUIRE(last.exit_code == 0);
  CHECK(last.out.find("\"rows\"", kept.text.size()) == std::string::npos);  // it ends with a whole one
  joined += kept.text;

  // Each ALTER TABLE was followed once (a run killed after following it takes it from the history).
  const std::string history_text = file_text(history);
  for (const AddedColumn& column : added) {
    INFO(history_text.substr(
        history_text.find("{\"gtid\"") == std::string::npos ? 0 : history_text.find("{\"gtid\"")));
    const std::string key = fmt::format("{{\"gtid\":\"{}\"", column.gtid);
    const size_t first = history_text.find(key);
    CHECK(first != std::string::npos);
    CHECK(history_text.find(key, first + 1) == std::string::npos);
  }

  REQUIRE(committed.size() > 100);
  const std::vector<std::string> problems = check_stream(joined, committed, added, before_load);
  std::string shown = fmt::format("{} problems in the joined output:\n", problems.size());
  for (size_t i = 0; i < problems.size() && i < 30; ++i) shown += problems[i] + "\n";
  INFO(
      fmt::format("{} transactions committed (gtid {} .. {}), added columns at {} and {}; the joined output "
                  "is in {}",
                  committed.size(), committed.front().gtid, committed.back().gtid, added.at(0).gtid,
                  added.at(1).gtid, (dir / "joined.jsonl").string()));
  std::ofstream(dir / "joined.jsonl") << joined;
  if (!problems.empty()) FAIL(shown);
  // The kills must have hit a stream that was making progress, or they prove little.
  CHECK(rounds_with_progress >= kKills / 2);
  const auto elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  WARN(fmt::format("{} transactions, {} of {} runs made progress, {:.1f} s\n{}", committed.size(),
                   rounds_with_progress, kKills, elapsed, log));
}

}  // namespace
}  // namespace mzl::test
