// Bad input to every program, as a new user or a hostile one gives it (issue 21): missing, wrong-typed and
// hostile arguments, a repository of another server, a truncated stream on stdin, an option file with an
// unknown key, an unreadable password file. Each run exits with the code man mzl(7) documents, says what is
// wrong, and changes nothing: the repository's files (names, sizes, contents) and the server (its GTID
// position and the test database's checksum) are compared before and after. Hostile but valid input works:
// a repository path with a space and a newline, a database and a table named with backticks and quotes.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "mzl/util/sha256.h"
#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

// Every file under `dir` (relative path) with its size and SHA-256: what "changes nothing" compares.
std::map<std::string, std::string> tree_of(const fs::path& dir) {
  std::map<std::string, std::string> tree;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string relative = fs::relative(entry.path(), dir).string();
    if (!entry.is_regular_file()) {
      tree[relative] = "dir";
      continue;
    }
    const std::string bytes = file_text(entry.path());
    tree[relative] = fmt::format("{} {}", entry.file_size(),
                                 sha256_hex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
  }
  return tree;
}

struct ServerLook {
  std::string position, checksum;
  bool operator==(const ServerLook&) const = default;
};

constexpr const char* kDatabase = "we`ird \"db\"";

ServerLook look_at(MysqlConnection& db) {
  return {db.scalar("SELECT @@global.gtid_binlog_pos"),
          db.query("CHECKSUM TABLE `we``ird \"db\"`.`ta'b``le` EXTENDED").at(0).at(1)};
}

struct Case {
  std::string name;
  std::string program;
  std::vector<std::string> args;
  int exit_code;
  std::string message;  // a part of stderr that says what is wrong
  std::optional<fs::path> stdin_file = std::nullopt;
};

}  // namespace

TEST_CASE("bad input to every program: the documented exit code, a clear message, nothing changed") {
  auto db = connect(primary_server());
  db.query("DROP DATABASE IF EXISTS `we``ird \"db\"`");
  db.query("CREATE DATABASE `we``ird \"db\"`");
  db.query("CREATE TABLE `we``ird \"db\"`.`ta'b``le` (id INT PRIMARY KEY, `v``q` VARCHAR(20))");
  db.query("INSERT INTO `we``ird \"db\"`.`ta'b``le` VALUES (1, 'a`b'), (2, 'c\"d'), (3, 'e''f')");

  const fs::path dir = sandbox_scratch_dir("bad-input", "all");
  const fs::path repo = dir / "repo with space\nand newline";
  const auto primary = primary_server();
  // Hostile but valid: archive, snapshot and verify in that repository, the odd names in the filter.
  ToolResult archived = run_program(tool_binary("mzl-binlog-tail"),
                                    {"--defaults-file", primary.defaults_file.string(), "--repo",
                                     repo.string(), "--source", "src", "--server-id", "4343"},
                                    dir / "archive");
  INFO("archive: " << archived.err);
  REQUIRE(archived.exit_code == 0);
  ToolResult snapped =
      run_program(tool_binary("mzl-snapshot"),
                  snapshot_args(repo, {"--databases", kDatabase, "--source", "src"}), dir / "snapshot");
  INFO("snapshot: " << snapped.err);
  REQUIRE(snapped.exit_code == 0);
  ToolResult verified = run_program(tool_binary("mzl-verify"), {"--repo", repo.string()}, dir / "verify");
  INFO("verify: " << verified.out << verified.err);
  REQUIRE(verified.exit_code == 0);
  CHECK_THAT(verified.out, Catch::Contains("3 rows"));

  // Inputs.
  const fs::path unknown_key = dir / "unknown-key.cnf";
  std::ofstream(unknown_key) << "[client]\nuser=mzl\n[mzl]\nrepos=/tmp\n";
  const fs::path password_dir = dir / "password-dir";
  fs::create_directories(password_dir);
  const fs::path truncated = dir / "truncated.tar";
  {
    ToolResult stream = run_program(
        "/bin/sh",
        {"-c", fmt::format("'{}' --defaults-file '{}' --databases '{}' --output - | head -c 3000 > '{}'",
                           tool_binary("mzl-snapshot"), primary.defaults_file.string(), "we`ird \"db\"",
                           truncated.string())},
        dir / "stream");
    REQUIRE(stream.exit_code == 0);
    REQUIRE(fs::file_size(truncated) == 3000);
  }
  const std::string cnf = primary.defaults_file.string();
  const std::string replica_cnf = sandbox_server(2).defaults_file.string();
  const std::string servers = fmt::format("127.0.0.1:{},127.0.0.1:{}", primary.port, sandbox_server(2).port);
  const std::vector<Case> cases = {
      // Missing and wrong-typed arguments.
      {"snapshot without --repo", "mzl-snapshot", {"--defaults-file", cnf}, 2, "--repo"},
      {"snapshot --threads abc",
       "mzl-snapshot",
       {"--repo", repo.string(), "--threads", "abc"},
       2,
       "--threads"},
      {"snapshot --compress rar", "mzl-snapshot", {"--repo", repo.string(), "--compress", "rar"}, 2, "rar"},
      {"snapshot list --repo /etc", "mzl-snapshot", {"list", "--repo", "/etc"}, 2, "/etc"},
      {"verify without anything to verify", "mzl-verify", {}, 2, "--repo"},
      {"verify --threads -1", "mzl-verify", {"--repo", repo.string(), "--threads", "-1"}, 2, "--threads"},
      {"verify --snapshot of a name with a slash",
       "mzl-verify",
       {"--repo", repo.string(), "--snapshot", "../../etc"},
       2,
       "../../etc"},
      {"tail --server-id x",
       "mzl-binlog-tail",
       {"--repo", repo.string(), "--server-id", "x"},
       2,
       "--server-id"},
      {"tail --read of a missing file",
       "mzl-binlog-tail",
       {"--read", (dir / "no such\nfile").string()},
       1,
       "no such file or directory"},
      {"pitr --stop-gtid garbage",
       "mzl-pitr-restore",
       {"--defaults-file", cnf, "--repo", repo.string(), "--stop-gtid", "0-1-x; DROP DATABASE mysql",
        "--dry-run"},
       2,
       "0-1-x"},
      {"pitr with two stop points",
       "mzl-pitr-restore",
       {"--defaults-file", cnf, "--repo", repo.string(), "--to-latest", "--stop-gtid", "0-1-1", "--dry-run"},
       2,
       "--to-latest"},
      {"pitr --stop-datetime not a time",
       "mzl-pitr-restore",
       {"--defaults-file", cnf, "--repo", repo.string(), "--stop-datetime", "yesterday`", "--dry-run"},
       2,
       "yesterday"},
      {"promote --servers garbage",
       "mzl-promote",
       {"--defaults-file", cnf, "--servers", "a:b:c,'`"},
       2,
       "a:b:c"},
      {"promote --interval abc",
       "mzl-promote",
       {"--defaults-file", cnf, "--servers", servers, "--watch", "--interval", "abc"},
       2,
       "abc"},
      // A repository of another server: the archive under "src" is the primary's; replica 2 is refused.
      {"tail into another server's archive",
       "mzl-binlog-tail",
       {"--defaults-file", replica_cnf, "--repo", repo.string(), "--source", "src", "--server-id", "4343"},
       2,
       "a different server"},
      // A truncated snapshot stream on stdin.
      {"verify - of a truncated stream",
       "mzl-verify",
       {"-"},
       1,
       "<stdin>:3000: not a whole snapshot stream",
       truncated},
      // An option file with a key no program takes, and an unreadable password file.
      {"an unknown key in [mzl]",
       "mzl-verify",
       {"--defaults-file", unknown_key.string(), "--repo", repo.string()},
       2,
       "unknown option 'repos'"},
      {"a password file that is a directory",
       "mzl-snapshot",
       {"--defaults-file", cnf, "--password-file", password_dir.string(), "--repo", repo.string()},
       4,
       "the password file is a directory"},
      {"a missing password file",
       "mzl-promote",
       {"--defaults-file", cnf, "--password-file", (dir / "none").string(), "--servers", servers, "--check"},
       4,
       "No such file or directory"},
  };

  const auto repo_before = tree_of(repo);
  const ServerLook server_before = look_at(db);
  for (const Case& c : cases) {
    ToolResult r =
        run_program(tool_binary(c.program), c.args, dir / fmt::format("case-{}", &c - cases.data()), {},
                    std::chrono::milliseconds(60000), c.stdin_file);
    INFO(c.name << ": " << c.program << " exited " << r.exit_code << "\nstdout: " << r.out
                << "\nstderr: " << r.err);
    CHECK(r.exit_code == c.exit_code);
    // A problem found in the data is in the report (stdout) or an error (stderr); an error says who speaks.
    CHECK_THAT(r.out + r.err, Catch::Contains(c.message));
    if (!r.err.empty()) CHECK(r.err.find(c.program + ": ") != std::string::npos);
    CHECK(tree_of(repo) == repo_before);
    CHECK(look_at(db) == server_before);
  }
}

}  // namespace mzl::test
