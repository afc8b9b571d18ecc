#include "tail_test_support.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "sandbox.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {

namespace fs = std::filesystem;

namespace {
constexpr size_t kInUseFlagOffset = 21;  // 4-byte magic + the FORMAT_DESCRIPTION header's flags field

// The primary's files from `first` on, in order.
std::vector<fs::path> server_files_from(const std::string& first) {
  const auto files = primary_binlog_files();
  auto it = std::find_if(files.begin(), files.end(),
                         [&](const fs::path& f) { return f.filename().string() == first; });
  REQUIRE(it != files.end());
  return {it, files.end()};
}

// The server's file as it will be once closed (the last one is still open).
std::vector<uint8_t> as_closed(const fs::path& file, bool last) {
  std::vector<uint8_t> bytes = read_file(file);
  REQUIRE(bytes.size() > kInUseFlagOffset);
  if (last) bytes[kInUseFlagOffset] &= static_cast<uint8_t>(~0x01);
  return bytes;
}
}  // namespace

std::string tail_binary() {
  return tool_binary("mzl-binlog-tail");
}

fs::path fresh_tail_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("mzl-tail-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  return dir;
}

std::map<std::string, double> read_tail_metrics(const fs::path& path, const std::string& source) {
  const std::string text = file_text(path);
  INFO(text);
  REQUIRE(!text.empty());
  // `name{source="S"} value`, or a summary's `name{source="S",quantile="Q"} value` (kept as `name{Q}`).
  const std::regex sample("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{source=\"" + source +
                          "\"(,quantile=\"([0-9.]+)\")?\\} (-?[0-9.eE+-]+)$");
  std::map<std::string, double> values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    std::smatch m;
    REQUIRE(std::regex_match(line, m, sample));
    const std::string name = m[3].matched ? m[1].str() + "{" + m[3].str() + "}" : m[1].str();
    REQUIRE(values.count(name) == 0);
    values[name] = std::stod(m[4].str());
  }
  return values;
}

uint64_t global_status_number(const fs::path& defaults_file, const std::string& name) {
  MysqlConnection connection(defaults_file);
  const auto rows = connection.query(fmt::format("SHOW GLOBAL STATUS LIKE '{}'", name));
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 2);
  return std::stoull(rows[0][1]);
}

std::string current_binlog_file() {
  MysqlConnection primary = connect(primary_server());
  return primary.query("SHOW MASTER STATUS").at(0).at(0);
}

void write_rows(const std::string& table, int transactions, int row_bytes) {
  MysqlConnection primary = connect(primary_server());
  primary.query("CREATE DATABASE IF NOT EXISTS mzl_tail_tests");
  primary.query(fmt::format(
      "CREATE TABLE IF NOT EXISTS mzl_tail_tests.{} (id INT AUTO_INCREMENT PRIMARY KEY, v LONGTEXT)", table));
  for (int i = 0; i < transactions; ++i) {
    primary.query(fmt::format("INSERT INTO mzl_tail_tests.{} (v) VALUES (REPEAT(CHAR(65 + {} % 26), {}))",
                              table, i, row_bytes));
  }
}

fs::path write_client_cnf(const fs::path& path, const std::string& user, const std::string& password,
                          unsigned port) {
  std::ofstream out(path);
  out << "[client]\nhost=127.0.0.1\nport=" << (port != 0 ? port : primary_server().port) << "\nuser=" << user
      << "\npassword=" << password << "\n";
  out.close();
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  return path;
}

std::string server_stream_from(const std::string& first) {
  std::string out(
      "\xfe"
      "bin");
  const auto files = server_files_from(first);
  for (size_t i = 0; i < files.size(); ++i) {
    const auto bytes = as_closed(files[i], i + 1 == files.size());
    out.append(bytes.begin() + 4, bytes.end());
  }
  return out;
}

void check_archive_identical_from(const fs::path& archive_dir, const std::string& first) {
  const auto files = server_files_from(first);
  for (size_t i = 0; i < files.size(); ++i) {
    INFO("file " << files[i]);
    const fs::path copy_path = archive_dir / files[i].filename();
    REQUIRE(fs::exists(copy_path));
    const auto server = as_closed(files[i], i + 1 == files.size());
    const auto copy = read_file(copy_path);
    CHECK(copy.size() == server.size());
    CHECK(copy == server);
  }
}

std::vector<std::string> with(std::vector<std::string> args, std::initializer_list<std::string> more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string without_transaction_fields(const std::string& lines, size_t* commits) {
  static const std::regex fields(R"re(,"gtid":"[^"]+"(,"xid":[0-9]+)?(,"commit":true)?\}$)re");
  std::istringstream in(lines);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("\"rows\":") != std::string::npos) {
      std::smatch match;
      INFO(line);
      REQUIRE(std::regex_search(line, match, fields));
      if (commits && match[2].matched) ++*commits;
      line = match.prefix().str() + "}";
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace mzl::test
