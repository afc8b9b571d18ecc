// mzl-binlog-tail --output against the sandbox primary: with --repo, stdout carries what the archive holds
// (raw: the same bytes as the server's files; JSON: the same lines as --read of the archived files, and two
// runs join without gap or duplicate); without --repo the events go to stdout only, and a dump connection
// killed under --stop-never is resumed without gap or duplicate.
#include <catch2/catch.hpp>
#include <regex>

#include <fmt/format.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "sandbox.h"
#include "tail_test_support.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

fs::path fresh_dir(const std::string& name) {
  return fresh_tail_dir("output-" + name);
}

std::vector<std::string> tail_args(uint32_t server_id, const std::string& start_file) {
  return {"--defaults-file", primary_server().defaults_file.string(),
          "--server-id",     std::to_string(server_id),
          "--start-file",    start_file,
          "--source",        "primary"};
}

// --read of the archived files as JSON, with the archive's directory taken out of the file names (the
// stream names the server's files).
std::string read_archive_json(const fs::path& repo, const fs::path& log_prefix) {
  const fs::path dir = repo / "binlogs" / "primary";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("mariadb-bin.", 0) == 0)
      files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  std::vector<std::string> args{"--read"};
  args.insert(args.end(), files.begin(), files.end());
  const auto read = run_program(tail_binary(), with(args, {"--output", "json"}), log_prefix);
  INFO(read.err);
  REQUIRE(read.exit_code == 0);
  std::string text = read.out;
  const std::string prefix = "\"file\":\"" + dir.string() + "/";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
    text.replace(at, prefix.size(), "\"file\":\"");
  }
  return text;
}

std::set<std::string> dump_thread_ids(MysqlConnection& primary) {
  std::set<std::string> ids;
  for (const auto& row :
       primary.query("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'")) {
    ids.insert(row.at(0));
  }
  return ids;
}

TEST_CASE("mzl-binlog-tail --output raw with --repo: stdout is the server's files, as archived",
          "[tail][output]") {
  const fs::path dir = fresh_dir("raw-repo");
  const std::string first = current_binlog_file();
  write_rows("raw_repo", 30);
  flush_binary_logs();
  write_rows("raw_repo", 20);
  const auto run = run_program(
      tail_binary(), with(tail_args(9301, first), {"--repo", (dir / "repo").string(), "--output", "raw"}),
      dir / "run");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string expected = server_stream_from(first);
  CHECK(run.out.size() == expected.size());
  CHECK(run.out == expected);
}

TEST_CASE("mzl-binlog-tail --output json with --repo: the lines of --read, and two runs join exactly",
          "[tail][output]") {
  const fs::path dir = fresh_dir("json-repo");
  const fs::path repo = dir / "repo";
  const auto args =
      with(tail_args(9302, current_binlog_file()), {"--repo", repo.string(), "--output", "json"});
  write_rows("json_repo", 25);
  const auto first = run_program(tail_binary(), args, dir / "first");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  write_rows("json_repo", 10);
  flush_binary_logs();
  write_rows("json_repo", 15);
  const auto second = run_program(tail_binary(), args, dir / "second");
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  REQUIRE(!first.out.empty());
  REQUIRE(!second.out.empty());
  CHECK(second.out.find("\"type\":\"FORMAT_DESCRIPTION\"") != std::string::npos);  // the new file's
  const std::string expected = read_archive_json(repo, dir / "read");
  size_t commits = 0;
  const std::string streamed = without_transaction_fields(first.out + second.out, &commits);
  size_t xids = 0;  // each transaction's last rows line says "commit":true
  for (size_t at = expected.find("\"type\":\"XID\""); at != std::string::npos;
       at = expected.find("\"type\":\"XID\"", at + 1)) {
    ++xids;
  }
  CHECK(commits >= 50);
  CHECK(commits == xids);
  CHECK(streamed.size() == expected.size());
  CHECK(streamed == expected);

  // A consumer that has only the first ten transactions of the first run resumes after them: the archive
  // passes on what it holds after that GTID, then the server what is new; each transaction once, in order.
  const std::regex commit_gtid(R"re("gtid":"([^"]+)","xid":[0-9]+,"commit":true\})re");
  std::vector<std::string> committed;
  const std::string all = first.out + second.out;
  for (auto it = std::sregex_iterator(all.begin(), all.end(), commit_gtid); it != std::sregex_iterator();
       ++it) {
    committed.push_back((*it)[1]);
  }
  REQUIRE(committed.size() > 10);
  write_rows("json_repo", 3);
  const auto resumed =
      run_program(tail_binary(), with(args, {"--after-gtid", committed[9]}), dir / "resumed");
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  std::vector<std::string> resumed_gtids;
  for (auto it = std::sregex_iterator(resumed.out.begin(), resumed.out.end(), commit_gtid);
       it != std::sregex_iterator(); ++it) {
    resumed_gtids.push_back((*it)[1]);
  }
  REQUIRE(resumed_gtids.size() == committed.size() - 10 + 3);
  CHECK(std::equal(committed.begin() + 10, committed.end(), resumed_gtids.begin()));
}

TEST_CASE("mzl-binlog-tail --output without --repo: stdout only, a killed dump connection is resumed",
          "[tail][output]") {
  const fs::path dir = fresh_dir("stream-only");
  MysqlConnection primary = connect(primary_server());
  const std::set<std::string> real_dumps = dump_thread_ids(primary);
  const std::string first = current_binlog_file();
  write_rows("stream_only", 20);
  ToolProcess tail(tail_binary(), with(tail_args(9303, first), {"--output", "raw", "--stop-never"}),
                   dir / "tail");
  // Our dump thread: the one that was not there before.
  std::string ours;
  for (int i = 0; i < 200 && ours.empty(); ++i) {
    for (const auto& id : dump_thread_ids(primary)) {
      if (!real_dumps.count(id)) ours = id;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  REQUIRE(!ours.empty());
  write_rows("stream_only", 10);
  primary.query("KILL CONNECTION " + ours);
  write_rows("stream_only", 10);
  flush_binary_logs();
  write_rows("stream_only", 10);

  // It reconnects (after a 1 s back-off) and catches up.
  std::string expected;
  bool caught_up = false;
  for (int i = 0; i < 300 && !caught_up; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    expected = server_stream_from(first);
    caught_up = fs::file_size(tail.out_path()) == expected.size();
  }
  tail.signal(SIGTERM);
  const auto status = tail.wait_for(milliseconds(30000));
  REQUIRE(status.has_value());
  INFO(tail.err());
  CHECK(WIFEXITED(*status));
  CHECK(WEXITSTATUS(*status) == 0);
  CHECK_THAT(tail.err(), Catch::Contains("reconnecting"));
  CHECK(caught_up);
  const std::string out = tail.out();
  CHECK(out.size() == expected.size());
  CHECK(out == expected);
}

TEST_CASE("mzl-binlog-tail: --semi-sync needs --repo, nothing to do without --repo or --output",
          "[tail][output]") {
  const fs::path dir = fresh_dir("usage");
  const auto semi = run_program(
      tail_binary(), with(tail_args(9304, current_binlog_file()), {"--output", "json", "--semi-sync"}),
      dir / "semi");
  CHECK(semi.exit_code == 2);
  CHECK_THAT(semi.err, Catch::Contains("--semi-sync needs --repo"));
  const auto nothing = run_program(tail_binary(), tail_args(9304, current_binlog_file()), dir / "nothing");
  CHECK(nothing.exit_code == 2);
  CHECK_THAT(nothing.err, Catch::Contains("--repo DIR or --output"));
  CHECK(semi.out.empty());
}

}  // namespace
}  // namespace mzl::test
