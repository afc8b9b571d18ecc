#include "sandbox.h"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string_view>
#include <utility>

namespace mzl::test {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  INFO(name << " is not set: run the integration tests through ctest, or start a sandbox and "
               "`eval \"$(scripts/sandbox env --dir DIR)\"`");
  REQUIRE(value != nullptr);
  REQUIRE(*value != '\0');
  return value;
}

std::string mysql_failure(MYSQL* mysql) {
  return std::to_string(mysql_errno(mysql)) + ": " + mysql_error(mysql);
}

}  // namespace

std::filesystem::path sandbox_dir() {
  std::filesystem::path dir = required_env("MZL_SANDBOX_DIR");
  INFO("sandbox directory " << dir << " (started by scripts/sandbox / the CTest fixture `sandbox`)");
  REQUIRE(std::filesystem::is_directory(dir));
  return dir;
}

SandboxServer sandbox_server(int i) {
  REQUIRE(i >= 1);
  auto dir = sandbox_dir();
  std::string base_port = required_env("MZL_SANDBOX_PORT");
  SandboxServer server;
  server.index = i;
  server.host = "127.0.0.1";
  server.port = static_cast<unsigned>(std::stoul(base_port)) + static_cast<unsigned>(i) - 1;
  server.socket = dir / std::to_string(i) / "mysqld.sock";
  server.datadir = dir / std::to_string(i) / "data";
  server.defaults_file = dir / ("client-" + std::to_string(i) + ".cnf");
  server.tls_defaults_file = dir / ("client-tls-" + std::to_string(i) + ".cnf");
  server.root_defaults_file = dir / ("root-" + std::to_string(i) + ".cnf");
  server.tls_ca = dir / "tls" / "ca.pem";
  INFO("sandbox server " << i << " in " << dir << " is missing (did scripts/sandbox start succeed?)");
  REQUIRE(std::filesystem::is_directory(server.datadir));
  REQUIRE(std::filesystem::is_regular_file(server.defaults_file));
  return server;
}

std::optional<MysqlConnection> MysqlConnection::try_connect(const std::filesystem::path& defaults_file,
                                                            std::string* error) {
  MysqlConnection connection;
  connection.mysql_ = mysql_init(nullptr);
  REQUIRE(connection.mysql_ != nullptr);
  std::string file = defaults_file.string();
  unsigned timeout_seconds = 10;
  mysql_options(connection.mysql_, MYSQL_READ_DEFAULT_FILE, file.c_str());
  mysql_options(connection.mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_seconds);
  if (mysql_real_connect(connection.mysql_, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr) {
    if (error != nullptr) *error = mysql_failure(connection.mysql_);
    return std::nullopt;
  }
  return connection;
}

MysqlConnection::MysqlConnection(const std::filesystem::path& defaults_file) {
  std::string error;
  auto connection = try_connect(defaults_file, &error);
  INFO("connecting with " << defaults_file << ": " << error);
  REQUIRE(connection.has_value());
  std::swap(mysql_, connection->mysql_);
}

MysqlConnection::~MysqlConnection() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

MysqlConnection::MysqlConnection(MysqlConnection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)) {}

MysqlConnection& MysqlConnection::operator=(MysqlConnection&& other) noexcept {
  std::swap(mysql_, other.mysql_);
  return *this;
}

std::vector<Row> MysqlConnection::query(const std::string& sql) {
  REQUIRE(mysql_ != nullptr);
  INFO("query: " << sql);
  int failed = mysql_real_query(mysql_, sql.data(), sql.size());
  INFO("error: " << (failed != 0 ? mysql_failure(mysql_) : std::string()));
  REQUIRE(failed == 0);
  std::vector<Row> rows;
  MYSQL_RES* result = mysql_store_result(mysql_);
  if (result == nullptr) {
    INFO("error: " << mysql_failure(mysql_));
    REQUIRE(mysql_field_count(mysql_) == 0);
    return rows;
  }
  unsigned columns = mysql_num_fields(result);
  while (MYSQL_ROW values = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    Row row;
    row.reserve(columns);
    for (unsigned c = 0; c < columns; ++c) {
      row.push_back(values[c] == nullptr ? std::string("NULL") : std::string(values[c], lengths[c]));
    }
    rows.push_back(std::move(row));
  }
  mysql_free_result(result);
  return rows;
}

std::string MysqlConnection::scalar(const std::string& sql) {
  auto rows = query(sql);
  INFO("query: " << sql);
  REQUIRE(rows.size() == 1);
  REQUIRE(!rows[0].empty());
  return rows[0][0];
}

std::filesystem::path primary_binlog_dir() {
  return primary_server().datadir;
}

std::vector<std::filesystem::path> primary_binlog_files() {
  auto primary = primary_server();
  MysqlConnection connection(primary.defaults_file);
  std::vector<std::filesystem::path> files;
  for (const auto& row : connection.query("SHOW BINARY LOGS")) files.push_back(primary.datadir / row.at(0));
  return files;
}

std::string flush_binary_logs() {
  MysqlConnection connection(primary_server().defaults_file);
  connection.query("FLUSH BINARY LOGS");
  auto rows = connection.query("SHOW MASTER STATUS");
  REQUIRE(rows.size() == 1);
  return rows[0].at(0);
}

void wait_replica_caught_up(int i, int timeout_seconds) {
  REQUIRE(i >= 2);
  MysqlConnection primary(primary_server().defaults_file);
  std::string position = primary.scalar("SELECT @@global.gtid_binlog_pos");
  MysqlConnection replica(sandbox_server(i).defaults_file);
  std::string waited =
      replica.scalar("SELECT MASTER_GTID_WAIT('" + position + "', " + std::to_string(timeout_seconds) + ")");
  if (waited != "0") {
    // SHOW SLAVE STATUS columns: 10 Slave_IO_Running, 11 Slave_SQL_Running, 35 Last_IO_Error,
    // 37 Last_SQL_Error (0-based); they say whether the replica stopped or is only slow.
    std::string status = "no SHOW SLAVE STATUS row";
    const auto rows = replica.query("SHOW SLAVE STATUS");
    if (!rows.empty() && rows[0].size() > 37) {
      status = "IO running " + rows[0][10] + ", SQL running " + rows[0][11] + ", last IO error '" +
               rows[0][35] + "', last SQL error '" + rows[0][37] + "'";
    }
    FAIL("replica " << i << " did not reach the primary's gtid_binlog_pos " << position << " within "
                    << timeout_seconds << "s (MASTER_GTID_WAIT returned " << waited
                    << "); its gtid_slave_pos is " << replica.scalar("SELECT @@global.gtid_slave_pos") << "; "
                    << status);
  }
}

OwnSandbox::OwnSandbox(const std::string& name, unsigned port_offset, unsigned servers)
    : dir_(std::filesystem::path(MZL_BINARY_DIR) / name) {
  const char* base = std::getenv("MZL_SANDBOX_PORT");
  port_ = static_cast<unsigned>((base != nullptr ? std::atoi(base) : 23306)) + port_offset;
  const std::string cmd =
      fmt::format("'{}/scripts/sandbox' start --fresh --dir '{}' --servers {} --base-port {} >'{}.log' 2>&1",
                  MZL_SOURCE_DIR, dir_.string(), servers, port_, dir_.string());
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

OwnSandbox::~OwnSandbox() {
  const std::string cmd = fmt::format("'{}/scripts/sandbox' stop --dir '{}' >>'{}.log' 2>&1", MZL_SOURCE_DIR,
                                      dir_.string(), dir_.string());
  (void)std::system(cmd.c_str());
}

void OwnSandbox::start_server(int i) const {
  const std::string cmd =
      fmt::format("'{}/scripts/sandbox' start-server --server {} --dir '{}' >>'{}.log' 2>&1", MZL_SOURCE_DIR,
                  i, dir_.string(), dir_.string());
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

pid_t OwnSandbox::server_pid() const {
  std::ifstream in(dir_ / "1" / "mysqld.pid");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

}  // namespace mzl::test
