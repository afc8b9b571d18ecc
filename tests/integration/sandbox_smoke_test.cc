// Proves the sandbox and its harness: real servers, row-based binary logs, GTID replication and TLS.
#include "sandbox.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iterator>

#include "test_support.h"

namespace mzl::test {
namespace {

// A value no earlier run of the test can have written.
std::string unique_token() {
  return std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

// Offset of the flags of the first event (FORMAT_DESCRIPTION): 4 magic bytes + 17 header bytes before them.
constexpr size_t kFirstEventFlagsOffset = 4 + 17;
constexpr uint8_t kBinlogInUseFlag = 0x1;

TEST_CASE("sandbox: the primary writes row-based binary logs with full metadata", "[sandbox]") {
  MysqlConnection primary = connect(primary_server());
  CHECK(primary.scalar("SELECT @@global.log_bin") == "1");
  CHECK(primary.scalar("SELECT @@global.binlog_format") == "ROW");
  CHECK(primary.scalar("SELECT @@global.binlog_row_metadata") == "FULL");
  CHECK(primary.scalar("SELECT @@global.gtid_strict_mode") == "1");
  CHECK(primary.scalar("SELECT @@global.server_id") == "1");

  auto files = primary_binlog_files();
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    INFO(file);
    CHECK(file.parent_path() == primary_binlog_dir());
    CHECK(file.filename().string().rfind("mariadb-bin.", 0) == 0);
    auto bytes = read_file(file);
    REQUIRE(bytes.size() > kFirstEventFlagsOffset);
    CHECK(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4) ==
          std::vector<uint8_t>{0xfe, 'b', 'i', 'n'});
  }
}

TEST_CASE("sandbox: flush_binary_logs closes the current file and starts the next", "[sandbox]") {
  auto before = primary_binlog_files();
  REQUIRE(!before.empty());
  std::string current = flush_binary_logs();
  auto after = primary_binlog_files();
  REQUIRE(after.size() == before.size() + 1);
  CHECK(after.back().filename() == current);

  // The server sets LOG_EVENT_BINLOG_IN_USE_F in the file it is writing and clears it on close.
  auto closed = read_file(before.back());
  auto open = read_file(after.back());
  REQUIRE(closed.size() > kFirstEventFlagsOffset);
  REQUIRE(open.size() > kFirstEventFlagsOffset);
  CHECK((closed[kFirstEventFlagsOffset] & kBinlogInUseFlag) == 0);
  CHECK((open[kFirstEventFlagsOffset] & kBinlogInUseFlag) == kBinlogInUseFlag);
}

TEST_CASE("sandbox: a row written on the primary arrives on replica 2 with the same GTID", "[sandbox]") {
  std::string token = unique_token();
  MysqlConnection primary = connect(primary_server());
  primary.query("CREATE DATABASE IF NOT EXISTS mzl_smoke");
  primary.query(
      "CREATE TABLE IF NOT EXISTS mzl_smoke.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(64))");
  primary.query("INSERT INTO mzl_smoke.t (token) VALUES ('" + token + "')");
  std::string gtid = primary.scalar("SELECT @@session.last_gtid");
  REQUIRE(!gtid.empty());
  CHECK(gtid.rfind("0-1-", 0) == 0);  // domain 0, server_id 1

  wait_replica_caught_up(2);
  MysqlConnection replica = connect(sandbox_server(2));
  CHECK(replica.scalar("SELECT @@global.server_id") == "2");
  CHECK(replica.scalar("SELECT COUNT(*) FROM mzl_smoke.t WHERE token = '" + token + "'") == "1");
  CHECK(replica.scalar("SELECT @@global.gtid_slave_pos") == gtid);
  // log_slave_updates: the replica logs the transaction under the primary's GTID.
  CHECK(replica.scalar("SELECT @@global.gtid_binlog_pos") == gtid);
}

TEST_CASE("sandbox: mzl_tls connects over TLS only", "[sandbox][tls]") {
  auto server = primary_server();
  MysqlConnection tls(server.tls_defaults_file);
  CHECK(tls.scalar("SELECT CURRENT_USER()") == std::string(kSandboxTlsUser) + "@127.0.0.1");
  auto cipher = tls.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
  REQUIRE(cipher.size() == 1);
  CHECK(!cipher[0].at(1).empty());
  auto version = tls.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
  REQUIRE(version.size() == 1);
  CHECK(version[0].at(1).rfind("TLSv1.", 0) == 0);

  // The same account without TLS is refused (REQUIRE SSL).
  auto plain_file = std::filesystem::path(MZL_BINARY_DIR) / "tests" / "integration" / "plain-mzl_tls.cnf";
  {
    std::ofstream plain(plain_file, std::ios::trunc);
    plain << "[client]\nhost=127.0.0.1\nport=" << server.port << "\nuser=" << kSandboxTlsUser
          << "\npassword=" << kSandboxPassword << "\n";
  }
  std::string error;
  auto refused = MysqlConnection::try_connect(plain_file, &error);
  CHECK(!refused.has_value());
  CHECK(error.rfind("1045:", 0) == 0);  // ER_ACCESS_DENIED_ERROR
}

}  // namespace
}  // namespace mzl::test
