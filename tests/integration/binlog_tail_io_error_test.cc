// mzl-binlog-tail's local I/O errors against the sandbox primary: a full disk (a 2 MiB tmpfs that the test
// mounts; as root, a failed mount is a failure) and a repository it may not write (the program run as nobody:
// root is never refused by file modes) end with exit code 4 and a message naming the file; what is left in
// the archive is intact, and the archive resumes and completes once the cause is gone. A second archiver of
// the same source, while the first runs, is refused the same way (exit 4) and touches nothing.
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "sandbox.h"
#include "tail_test_support.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr size_t kInUseFlagOffset = 21;  // 4-byte magic + the FORMAT_DESCRIPTION header's flags field

std::vector<std::string> archive_args(const fs::path& cnf, const fs::path& repo,
                                      const std::string& start_file, uint32_t server_id) {
  return {"--defaults-file", cnf.string(), "--repo",      repo.string(),
          "--source",        "primary",    "--server-id", std::to_string(server_id),
          "--start-file",    start_file};
}

// Every file in the archive holds the start of the server's file of that name, byte for byte (a file cut
// by the full disk may be shorter; LOG_EVENT_BINLOG_IN_USE_F aside).
void check_archive_prefix(const fs::path& repo) {
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(repo / "binlogs" / "primary")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("mariadb-bin.", 0) != 0) continue;
    INFO("file " << name);
    ++files;
    std::vector<uint8_t> server = read_file(primary_binlog_dir() / name);
    const std::vector<uint8_t> copy = read_file(entry.path());
    REQUIRE(copy.size() <= server.size());
    if (server.size() > kInUseFlagOffset) server[kInUseFlagOffset] &= static_cast<uint8_t>(~0x01);
    server.resize(copy.size());
    CHECK(copy == server);
  }
  CHECK(files > 0);
}

TEST_CASE("mzl-binlog-tail: a full disk is exit code 4 naming the file, the archive resumes with space",
          "[tail][io]") {
  const fs::path dir = fresh_tail_dir("disk-full");
  const fs::path repo = dir / "repo";
  TmpfsMount mount(repo, "2m");
  const std::string first = current_binlog_file();
  write_rows("disk_full", 32, 32768);
  flush_binary_logs();
  write_rows("disk_full", 64, 32768);
  const fs::path cnf = primary_server().defaults_file;
  const auto args = archive_args(cnf, repo, first, 9404);

  const auto full = run_program(tail_binary(), args, dir / "full");
  INFO(full.err);
  CHECK(full.exit_code == 4);
  CHECK_THAT(full.err, Catch::Contains((repo / "binlogs" / "primary").string() + "/mariadb-bin."));
  CHECK_THAT(full.err, Catch::Contains("No space left on device"));
  CHECK_THAT(full.err, Catch::Contains("free space"));

  // What is left is intact: the state and every file it names read back with valid checksums.
  const auto status = run_program(tail_binary(), {"--status", "--repo", repo.string(), "--source", "primary"},
                                  dir / "status");
  INFO(status.err);
  CHECK(status.exit_code == 0);
  check_archive_prefix(repo);

  mount.resize("64m");
  const auto resumed = run_program(tail_binary(), args, dir / "resumed");
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  check_archive_identical_from(repo / "binlogs" / "primary", first);
}

TEST_CASE("mzl-binlog-tail: a repository it may not write is exit code 4 naming it, it resumes once allowed",
          "[tail][io]") {
  const fs::path dir = fresh_tail_dir("permission");
  const fs::path repo = dir / "repo";
  fs::create_directories(repo);
  fs::permissions(repo, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);  // root's: nobody may not write
  const fs::path cnf = write_client_cnf(dir / "client.cnf", kSandboxUser, kSandboxPassword);
  REQUIRE(::chown(cnf.c_str(), 65534, 65534) == 0);
  const std::string first = current_binlog_file();
  write_rows("permission", 20);
  // As nobody: root is never refused by file modes.
  std::vector<std::string> args{"--reuid=65534", "--regid=65534", "--clear-groups", tail_binary()};
  const auto archive = archive_args(cnf, repo, first, 9405);
  args.insert(args.end(), archive.begin(), archive.end());

  const auto denied = run_program("/usr/bin/setpriv", args, dir / "denied");
  INFO(denied.err);
  CHECK(denied.exit_code == 4);
  CHECK_THAT(denied.err, Catch::Contains((repo / "binlogs").string()));
  CHECK_THAT(denied.err, Catch::Contains("Permission denied"));

  REQUIRE(::chown(repo.c_str(), 65534, 65534) == 0);
  const auto allowed = run_program("/usr/bin/setpriv", args, dir / "allowed");
  INFO(allowed.err);
  REQUIRE(allowed.exit_code == 0);
  check_archive_identical_from(repo / "binlogs" / "primary", first);
}

TEST_CASE(
    "mzl-binlog-tail: a second archiver of the same source is refused with exit code 4 while the first runs",
    "[tail][io]") {
  const fs::path dir = fresh_tail_dir("second-archiver");
  const fs::path repo = dir / "repo";
  const fs::path cnf = primary_server().defaults_file;
  const std::string first = current_binlog_file();
  write_rows("second_archiver", 20);
  auto args = archive_args(cnf, repo, first, 9406);
  auto forever = args;
  forever.push_back("--stop-never");
  ToolProcess running(tail_binary(), forever, dir / "running");
  const fs::path state = repo / "binlogs" / "primary" / "state.json";
  for (int i = 0; i < 300 && !fs::exists(state); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(fs::exists(state));
  REQUIRE(running.running());

  const auto second = run_program(tail_binary(), archive_args(cnf, repo, first, 9407), dir / "second");
  INFO(second.err);
  CHECK(second.exit_code == 4);
  CHECK_THAT(second.err, Catch::Contains("locked") && Catch::Contains("another mzl-binlog-tail") &&
                             Catch::Contains((repo / "binlogs" / "primary").string()));
  CHECK(running.running());

  // The kernel drops the lock of a killed archiver: the next run takes over at once and completes the copy.
  running.signal(SIGKILL);
  REQUIRE(running.wait_for(std::chrono::seconds(10)));
  write_rows("second_archiver", 20);
  const auto next = run_program(tail_binary(), args, dir / "next");
  INFO(next.err);
  REQUIRE(next.exit_code == 0);
  check_archive_identical_from(repo / "binlogs" / "primary", first);
}

}  // namespace
}  // namespace mzl::test
