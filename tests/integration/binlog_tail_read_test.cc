// mzl-binlog-tail --read against binary logs written by the sandbox primary (a real MariaDB): raw output is
// byte-identical to every file, JSON output carries exactly the rows and GTIDs the test wrote, and the GTID
// and table filters select exactly the test's transactions.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <sys/wait.h>
#include <cstdio>

#include "sandbox.h"
#include "test_support.h"

namespace mzl::test {
namespace {

struct ToolRun {
  int exit_code = -1;
  std::string out;
};

ToolRun run_tool(const std::string& args) {
  const std::string cmd = fmt::format("{}/tools/mzl-binlog-tail {} 2>/dev/null", MZL_BINARY_DIR, args);
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  ToolRun run;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.out.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> gtids_in(const std::string& json_lines) {
  std::vector<std::string> gtids;
  for (const auto& line : lines_of(json_lines)) {
    const auto at = line.find("\"type\":\"MARIA_GTID\"");
    if (at == std::string::npos) continue;
    const auto g = line.find("\"gtid\":\"");
    REQUIRE(g != std::string::npos);
    gtids.push_back(line.substr(g + 8, line.find('"', g + 8) - (g + 8)));
  }
  return gtids;
}

TEST_CASE("mzl-binlog-tail --read: raw output is byte-identical to every primary binlog file", "[tool]") {
  MysqlConnection primary = connect(primary_server());
  primary.query("CREATE DATABASE IF NOT EXISTS mzl_read_raw");
  primary.query("CREATE TABLE IF NOT EXISTS mzl_read_raw.t (id INT PRIMARY KEY, v VARCHAR(100))");
  primary.query("DELETE FROM mzl_read_raw.t");
  for (int rotation = 0; rotation < 3; ++rotation) {
    for (int i = 0; i < 20; ++i) {
      const int id = rotation * 100 + i;
      primary.query(fmt::format("INSERT INTO mzl_read_raw.t VALUES ({}, REPEAT('x', {}))", id, id % 97));
    }
    flush_binary_logs();
  }
  primary.query("INSERT INTO mzl_read_raw.t VALUES (999, 'in the file still being written')");
  const auto files = primary_binlog_files();
  REQUIRE(files.size() >= 4);
  for (const auto& file : files) {
    INFO(file);
    const auto run = run_tool(fmt::format("--read '{}' --output raw", file.string()));
    REQUIRE(run.exit_code == 0);
    const auto bytes = read_file(file);
    CHECK(run.out.size() == bytes.size());
    CHECK(std::vector<uint8_t>(run.out.begin(), run.out.end()) == bytes);
  }
  // The whole directory as one stream decodes without error.
  const auto all = run_tool(fmt::format("--read '{}' --output json", primary_binlog_dir().string()));
  CHECK(all.exit_code == 0);
  CHECK(lines_of(all.out).size() > 60);
}

TEST_CASE("mzl-binlog-tail --read: JSON rows and GTIDs are the ones written, filters select them", "[tool]") {
  MysqlConnection primary = connect(primary_server());
  primary.query("CREATE DATABASE IF NOT EXISTS mzl_read_json");
  primary.query(
      "CREATE TABLE IF NOT EXISTS mzl_read_json.t (id INT PRIMARY KEY, name VARCHAR(20), n BIGINT)");
  primary.query("CREATE TABLE IF NOT EXISTS mzl_read_json.other (id INT PRIMARY KEY)");
  primary.query("DELETE FROM mzl_read_json.t");
  primary.query("DELETE FROM mzl_read_json.other");
  const std::string before = primary.scalar("SELECT @@global.gtid_binlog_pos");

  std::vector<std::string> written_gtids;
  primary.query("INSERT INTO mzl_read_json.t VALUES (1, 'alpha', -5), (2, NULL, 9223372036854775807)");
  written_gtids.push_back(primary.scalar("SELECT @@session.last_gtid"));
  primary.query("INSERT INTO mzl_read_json.other VALUES (42)");
  written_gtids.push_back(primary.scalar("SELECT @@session.last_gtid"));
  primary.query("UPDATE mzl_read_json.t SET name = 'beta' WHERE id = 1");
  written_gtids.push_back(primary.scalar("SELECT @@session.last_gtid"));
  primary.query("DELETE FROM mzl_read_json.t WHERE id = 2");
  written_gtids.push_back(primary.scalar("SELECT @@session.last_gtid"));
  const std::string after = primary.scalar("SELECT @@global.gtid_binlog_pos");

  const std::string dir = primary_binlog_dir().string();
  // Everything after `before` up to `after`: exactly the four transactions, in order.
  const auto run = run_tool(fmt::format("--read '{}' --exclude-gtid '{}' --gtid '{}'", dir, before, after));
  REQUIRE(run.exit_code == 0);
  CHECK(gtids_in(run.out) == written_gtids);

  const std::string& out = run.out;
  CHECK(out.find(R"("rows":[{"after":{"id":1,"name":"alpha","n":-5}},{"after":{"id":2,"name":null,)"
                 R"("n":9223372036854775807}}])") != std::string::npos);
  CHECK(out.find(
            R"("rows":[{"before":{"id":1,"name":"alpha","n":-5},"after":{"id":1,"name":"beta","n":-5}}])") !=
        std::string::npos);
  CHECK(out.find(R"("rows":[{"before":{"id":2,"name":null,"n":9223372036854775807}}])") != std::string::npos);

  // A table filter keeps the rows of t and drops the row of `other`, but keeps every transaction's GTID.
  const auto filtered = run_tool(fmt::format(
      "--read '{}' --exclude-gtid '{}' --gtid '{}' --tables mzl_read_json.t", dir, before, after));
  REQUIRE(filtered.exit_code == 0);
  CHECK(filtered.out.find("\"table\":\"other\"") == std::string::npos);
  CHECK(filtered.out.find("\"table\":\"t\"") != std::string::npos);
  CHECK(gtids_in(filtered.out) == written_gtids);

  // The raw output of the filtered selection is itself a binlog the tool reads back to the same JSON rows.
  const std::string raw_path = (sandbox_dir() / "filtered.bin").string();
  REQUIRE(std::system(fmt::format("{}/tools/mzl-binlog-tail --read '{}' --exclude-gtid '{}' --gtid '{}' "
                                  "--output raw > '{}'",
                                  MZL_BINARY_DIR, dir, before, after, raw_path)
                          .c_str()) == 0);
  const auto reread = run_tool(fmt::format("--read '{}'", raw_path));
  REQUIRE(reread.exit_code == 0);
  CHECK(gtids_in(reread.out) == written_gtids);
}

TEST_CASE("mzl-binlog-tail --read: a truncated copy of a server binlog is an error naming file and offset",
          "[tool]") {
  const auto files = primary_binlog_files();
  REQUIRE(!files.empty());
  auto bytes = read_file(files.front());
  REQUIRE(bytes.size() > 300);
  const std::string copy = (sandbox_dir() / "truncated.000001").string();
  {
    FILE* f = std::fopen(copy.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fwrite(bytes.data(), 1, bytes.size() - 7, f);
    std::fclose(f);
  }
  const std::string cmd =
      fmt::format("{}/tools/mzl-binlog-tail --read '{}' 2>&1 >/dev/null", MZL_BINARY_DIR, copy);
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string err;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) err.append(buf, n);
  const int status = ::pclose(pipe);
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(err.find(copy + ":offset ") != std::string::npos);
  CHECK(err.find("truncated") != std::string::npos);
}

}  // namespace
}  // namespace mzl::test
