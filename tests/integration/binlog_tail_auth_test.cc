// mzl-binlog-tail against the sandbox primary with a user authenticated by ed25519 (MariaDB's auth_ed25519
// server plugin; the client plugin, client_ed25519.so, is in libmariadb's own plugin directory): it archives
// with and without --plugin-dir, and a wrong password is access denied (exit code 3).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "sandbox.h"
#include "tail_test_support.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEdUser = "mzl_ed25519";
constexpr const char* kEdPassword = "ed-secret-1";

std::vector<std::string> archive_args(const fs::path& cnf, const fs::path& repo,
                                      const std::string& start_file, uint32_t server_id) {
  return {"--defaults-file", cnf.string(), "--repo",      repo.string(),
          "--source",        "primary",    "--server-id", std::to_string(server_id),
          "--start-file",    start_file};
}

void create_ed25519_user() {
  MysqlConnection root(primary_server().root_defaults_file);
  if (root.scalar("SELECT COUNT(*) FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519' AND "
                  "PLUGIN_STATUS = 'ACTIVE'") == "0") {
    root.query("INSTALL SONAME 'auth_ed25519'");
  }
  root.query("SET SESSION sql_log_bin = 0");
  root.query(fmt::format("DROP USER IF EXISTS '{}'@'127.0.0.1'", kEdUser));
  root.query(fmt::format("CREATE USER '{}'@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('{}')", kEdUser,
                         kEdPassword));
  root.query(fmt::format("GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO '{}'@'127.0.0.1'", kEdUser));
  CHECK(root.scalar(fmt::format("SELECT plugin FROM mysql.user WHERE user = '{}'", kEdUser)) == "ed25519");
}

TEST_CASE("mzl-binlog-tail: a user authenticated with ed25519 archives the primary", "[tail][auth]") {
  create_ed25519_user();
  const fs::path dir = fresh_tail_dir("ed25519");
  const std::string first = current_binlog_file();
  write_rows("ed25519", 50);
  const fs::path cnf = write_client_cnf(dir / "ed.cnf", kEdUser, kEdPassword);

  SECTION("without --plugin-dir: libmariadb finds client_ed25519.so in its own plugin directory") {
    const auto run =
        run_program(tail_binary(), archive_args(cnf, dir / "repo", first, 9401), dir / "default");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    check_archive_identical_from(dir / "repo" / "binlogs" / "primary", first);
  }
  SECTION("with --default-auth and --plugin-dir naming that directory") {
    auto args = archive_args(cnf, dir / "repo2", first, 9402);
    args.insert(args.end(), {"--default-auth", "client_ed25519", "--plugin-dir",
                             "/usr/lib/x86_64-linux-gnu/libmariadb3/plugin"});
    const auto run = run_program(tail_binary(), args, dir / "plugin-dir");
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    check_archive_identical_from(dir / "repo2" / "binlogs" / "primary", first);
  }
  SECTION("a wrong ed25519 password is access denied, exit code 3") {
    const fs::path bad = write_client_cnf(dir / "bad.cnf", kEdUser, "not-the-password");
    const auto run =
        run_program(tail_binary(), archive_args(bad, dir / "repo3", first, 9403), dir / "denied");
    CHECK(run.exit_code == 3);
    CHECK_THAT(run.err, Catch::Contains("Access denied"));
  }
}

}  // namespace
}  // namespace mzl::test
