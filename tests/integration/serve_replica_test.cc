// `mzl-binlog-tail --serve` (issue 19, man/mzl-binlog-tail.1 SERVING) against a real MariaDB replica: the
// archiver archives the shared sandbox primary and serves the archive on a loopback port while it runs; a
// fresh server replicates from it with GTID auto-positioning through a rotation and the live tail, and ends
// checksum-equal to the primary; the serve killed (SIGKILL) and started again is resumed by the replica's IO
// thread without gap or duplicate; a wrong password and a GTID state older than the archive are refused with
// the server's errors; a TCP proxy that cuts the replica's connection mid-stream again and again changes
// nothing either.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <mysql.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <random>

#include "sandbox.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr unsigned kReplicaOffset = 93;
constexpr unsigned kServeOffset = 94;

std::string slave_status(MysqlConnection& replica, const std::string& column) {
  MYSQL* mysql = replica.handle();
  REQUIRE(mysql_query(mysql, "SHOW SLAVE STATUS") == 0);
  MYSQL_RES* result = mysql_store_result(mysql);
  if (result == nullptr) return "";
  std::string value;
  if (MYSQL_ROW row = mysql_fetch_row(result)) {
    MYSQL_FIELD* fields = mysql_fetch_fields(result);
    for (unsigned i = 0; i < mysql_num_fields(result); ++i) {
      if (column == fields[i].name && row[i] != nullptr) value = row[i];
    }
  }
  mysql_free_result(result);
  return value;
}

// Waits until the replica has applied `position` (its gtid_slave_pos), or fails naming its IO error.
void wait_applied(MysqlConnection& replica, const std::string& position, std::chrono::seconds timeout = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string at;
  while (std::chrono::steady_clock::now() < deadline) {
    at = replica.scalar("SELECT @@global.gtid_slave_pos");
    if (at == position) return;
    std::this_thread::sleep_for(100ms);
  }
  FAIL("the replica is at '" << at << "', not '" << position
                             << "'; IO error: " << slave_status(replica, "Last_IO_Error")
                             << "; SQL error: " << slave_status(replica, "Last_SQL_Error"));
}

void write_rows(MysqlConnection& primary, int from, int count) {
  for (int i = from; i < from + count; ++i) {
    primary.query(fmt::format("INSERT INTO mzl_serve.t VALUES ({}, REPEAT('x', {}), NOW(6))", i, i % 300));
  }
}

std::string checksums(MysqlConnection& server) {
  std::string out;
  for (const auto& row : server.query("CHECKSUM TABLE mzl_serve.t, mzl_serve.u")) out += row[1] + " ";
  return out;
}

TEST_CASE(
    "mzl-binlog-tail --serve: a MariaDB replica replicates from the archive with GTID, through a rotation, "
    "a killed serve and the live tail, and refuses bad logins and purged GTIDs") {
  const fs::path dir = fs::path(MZL_BINARY_DIR) / "serve-replica";
  fs::remove_all(dir);
  fs::create_directories(dir);
  { std::ofstream(dir / "password") << "repl-secret\n"; }
  fs::permissions(dir / "password", fs::perms::owner_read | fs::perms::owner_write);
  OwnSandbox replica_box("sandbox-serve-replica", kReplicaOffset);
  MysqlConnection primary = connect(primary_server());
  MysqlConnection replica(replica_box.client_cnf());
  replica.query("SET GLOBAL server_id = 9393");  // its own id: a replica refuses a primary with its own

  primary.query("DROP DATABASE IF EXISTS mzl_serve");
  const std::string start_file = flush_binary_logs();
  const std::string start = primary.scalar("SELECT @@global.gtid_binlog_pos");
  const unsigned serve_port = replica_box.port() - kReplicaOffset + kServeOffset;
  const std::vector<std::string> args = {"--defaults-file",
                                         primary_server().defaults_file.string(),
                                         "--server-id",
                                         "9394",
                                         "--repo",
                                         (dir / "repo").string(),
                                         "--source",
                                         "primary",
                                         "--start-file",
                                         start_file,
                                         "--stop-never",
                                         "--serve",
                                         fmt::format("127.0.0.1:{}", serve_port),
                                         "--serve-user",
                                         "repl",
                                         "--serve-password-file",
                                         (dir / "password").string()};
  auto serve = std::make_unique<ToolProcess>(tool_binary("mzl-binlog-tail"), args, dir / "serve-1");
  const auto listening = [&](const ToolProcess& process) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline && process.running()) {
      if (process.err().find("serving primary") != std::string::npos) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  primary.query("CREATE DATABASE mzl_serve");  // the archive's first transaction: state.json exists after it
  primary.query("CREATE TABLE mzl_serve.t (id INT PRIMARY KEY, v VARCHAR(300), at DATETIME(6))");
  INFO(serve->err());
  REQUIRE(listening(*serve));

  replica.query(fmt::format("SET GLOBAL gtid_slave_pos = '{}'", start));
  replica.query(
      fmt::format("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='repl', "
                  "MASTER_PASSWORD='repl-secret', "
                  "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1",
                  serve_port));
  replica.query("START SLAVE");
  write_rows(primary, 1, 100);
  primary.query("FLUSH BINARY LOGS");  // a rotation while the replica follows the live tail
  primary.query("CREATE TABLE mzl_serve.u (id INT PRIMARY KEY) ENGINE=InnoDB");
  primary.query("INSERT INTO mzl_serve.u VALUES (1), (2), (3)");
  write_rows(primary, 101, 100);
  wait_applied(replica, primary.scalar("SELECT @@global.gtid_binlog_pos"));
  CHECK(checksums(replica) == checksums(primary));

  // The serve goes away without a goodbye; the replica's IO thread reconnects to the next one and goes on
  // from where it was.
  serve->signal(SIGKILL);
  serve->wait_for(10s);
  write_rows(primary, 201, 50);
  serve = std::make_unique<ToolProcess>(tool_binary("mzl-binlog-tail"), args, dir / "serve-2");
  REQUIRE(listening(*serve));
  write_rows(primary, 251, 50);
  wait_applied(replica, primary.scalar("SELECT @@global.gtid_binlog_pos"));
  CHECK(checksums(replica) == checksums(primary));
  CHECK(replica.scalar("SELECT COUNT(*) FROM mzl_serve.t") == "300");

  // A wrong password is the server's access-denied error.
  const ToolResult wrong = run_program("/usr/bin/mariadb",
                                       {"--no-defaults", "-h127.0.0.1", fmt::format("-P{}", serve_port),
                                        "-urepl", "-pnot-it", "-e", "SELECT 1"},
                                       dir / "wrong-password");
  CHECK(wrong.exit_code != 0);
  CHECK(wrong.err.find("Access denied for user 'repl'") != std::string::npos);

  // A replica whose GTID state is older than the archive gets the server's error for purged binlogs.
  replica.query("STOP SLAVE");
  replica.query("SET GLOBAL gtid_slave_pos = ''");
  replica.query("START SLAVE");
  std::string io_error;
  for (int i = 0; i < 100 && io_error.empty(); ++i) {
    std::this_thread::sleep_for(100ms);
    io_error = slave_status(replica, "Last_IO_Error");
  }
  CHECK(io_error.find("Could not find GTID state requested by slave in any binlog files") !=
        std::string::npos);
  replica.query("STOP SLAVE");
  serve->signal(SIGTERM);
  const auto status = serve->wait_for(30s);
  CHECK(status);
  primary.query("DROP DATABASE mzl_serve");
}

// A TCP proxy on loopback in front of the serve that cuts each connection (both sides closed, no goodbye)
// after a random number of bytes sent towards the replica, `cuts` times; after that it forwards as it is.
class CuttingProxy {
 public:
  CuttingProxy(unsigned listen_port, unsigned target_port, int cuts, unsigned seed)
      : target_port_(target_port), cuts_left_(cuts), random_(seed) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address = loopback(listen_port);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] { run(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  int cuts_made() const { return cuts_made_.load(); }

 private:
  static sockaddr_in loopback(unsigned port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  // One connection at a time (the replica has one), until stop_.
  void run() {
    while (!stop_) {
      pollfd listening{fd_, POLLIN, 0};
      if (::poll(&listening, 1, 100) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address = loopback(target_port_);
      if (::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(server);
        ::close(client);
        continue;
      }
      const bool cut = cuts_left_ > 0;
      const uint64_t cut_after = std::uniform_int_distribution<uint64_t>(2000, 20000)(random_);
      uint64_t to_replica = 0;
      char buffer[4096];
      bool open = true;
      while (open && !stop_) {
        pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (::poll(fds, 2, 100) <= 0) continue;
        for (int i = 0; i < 2 && open; ++i) {
          if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
          const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
          if (n <= 0) {
            open = false;
            break;
          }
          ssize_t length = n;
          if (i == 1 && cut && to_replica + static_cast<uint64_t>(n) >= cut_after) {
            length = static_cast<ssize_t>(cut_after - to_replica);  // a part of what came, then the cut
            open = false;
          }
          if (length > 0 && ::write(fds[1 - i].fd, buffer, static_cast<size_t>(length)) != length)
            open = false;
          if (i == 1) to_replica += static_cast<uint64_t>(length);
        }
      }
      if (cut && to_replica >= cut_after) {
        --cuts_left_;
        ++cuts_made_;
      }
      ::close(server);
      ::close(client);
    }
  }

  unsigned target_port_;
  int cuts_left_;
  std::mt19937 random_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_made_{0};
  std::thread thread_;
};

// A replica whose connection to the serve is cut mid-stream (mid-event, by a proxy) again and again
// reconnects and resumes from its GTID position: it ends checksum-equal, without a gap (every row) or a
// duplicate (its applier would stop on a duplicate key).
TEST_CASE(
    "mzl-binlog-tail --serve alone: a replica whose connection is cut mid-stream resumes without gap or "
    "duplicate") {
  const fs::path dir = fs::path(MZL_BINARY_DIR) / "serve-cut";
  fs::remove_all(dir);
  fs::create_directories(dir);
  { std::ofstream(dir / "password") << "cut-secret\n"; }
  MysqlConnection primary = connect(primary_server());
  primary.query("DROP DATABASE IF EXISTS mzl_serve");
  const std::string start_file = flush_binary_logs();
  const std::string start = primary.scalar("SELECT @@global.gtid_binlog_pos");
  primary.query("CREATE DATABASE mzl_serve");
  primary.query("CREATE TABLE mzl_serve.t (id INT PRIMARY KEY, v VARCHAR(300), at DATETIME(6))");
  primary.query("CREATE TABLE mzl_serve.u (id INT PRIMARY KEY)");
  write_rows(primary, 1, 400);
  primary.query("FLUSH BINARY LOGS");
  write_rows(primary, 401, 400);
  const ToolResult archived =
      run_program(tool_binary("mzl-binlog-tail"),
                  {"--defaults-file", primary_server().defaults_file.string(), "--server-id", "9397",
                   "--repo", (dir / "repo").string(), "--source", "primary", "--start-file", start_file},
                  dir / "archive");
  INFO(archived.err);
  REQUIRE(archived.exit_code == 0);
  const std::string end = primary.scalar("SELECT @@global.gtid_binlog_pos");

  OwnSandbox box("sandbox-serve-cut", 95);
  const unsigned serve_port = box.port() - 95 + 96;
  const unsigned proxy_port = box.port() - 95 + 97;
  ToolProcess serve(tool_binary("mzl-binlog-tail"),
                    {"--repo", (dir / "repo").string(), "--source", "primary", "--serve",
                     fmt::format("127.0.0.1:{}", serve_port), "--serve-user", "repl", "--serve-password-file",
                     (dir / "password").string()},
                    dir / "serve");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (serve.err().find("serving primary") == std::string::npos && serve.running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  INFO(serve.err());
  REQUIRE(serve.err().find("serving primary") != std::string::npos);
  const unsigned seed = std::random_device()();
  INFO("proxy seed " << seed);
  CuttingProxy proxy(proxy_port, serve_port, 6, seed);
  MysqlConnection replica(box.client_cnf());
  replica.query("SET GLOBAL server_id = 9700");
  replica.query(fmt::format("SET GLOBAL gtid_slave_pos = '{}'", start));
  replica.query(
      fmt::format("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='repl', "
                  "MASTER_PASSWORD='cut-secret', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                  proxy_port));
  replica.query("START SLAVE");
  wait_applied(replica, end, 120s);
  CHECK(proxy.cuts_made() == 6);
  CHECK(checksums(replica) == checksums(primary));
  CHECK(replica.scalar("SELECT COUNT(*) FROM mzl_serve.t") == "800");
  CHECK(slave_status(replica, "Last_SQL_Error").empty());

  // A byte of the archive's last file damaged: a replica starting over gets everything before the damage and
  // then the server's error 1236 naming the file and offset, never the damaged event.
  replica.query("STOP SLAVE");
  replica.query("RESET SLAVE ALL");
  replica.query("SET SESSION sql_log_bin = 0");
  replica.query("DROP DATABASE mzl_serve");
  replica.query("RESET MASTER");  // its binlog holds the range already (log_slave_updates, strict mode)
  fs::path last_file;
  for (const auto& entry : fs::directory_iterator(dir / "repo" / "binlogs" / "primary")) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("mariadb-bin.") && name.find(".lz4") == std::string::npos &&
        (last_file.empty() || name > last_file.filename().string()))
      last_file = entry.path();
  }
  REQUIRE(!last_file.empty());
  const auto damage_at = static_cast<std::streamoff>(fs::file_size(last_file) / 2);
  {
    std::fstream file(last_file, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(damage_at);
    const char byte = static_cast<char>(file.get());
    file.seekp(damage_at);
    file.put(static_cast<char>(byte ^ 0x5a));
  }
  replica.query(fmt::format("SET GLOBAL gtid_slave_pos = '{}'", start));
  replica.query(
      fmt::format("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='repl', "
                  "MASTER_PASSWORD='cut-secret', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                  serve_port));
  replica.query("START SLAVE");
  std::string io_errno;
  for (int i = 0; i < 300 && (io_errno.empty() || io_errno == "0"); ++i) {
    std::this_thread::sleep_for(100ms);
    io_errno = slave_status(replica, "Last_IO_Errno");
  }
  const std::string io_error = slave_status(replica, "Last_IO_Error");
  INFO("IO error: " << io_error);
  CHECK(io_errno == "1236");
  CHECK(io_error.find(last_file.filename().string()) != std::string::npos);
  // What it applied before the damage is the primary's rows, and no more than what precedes it.
  replica.query("STOP SLAVE");
  INFO("SQL error: " << slave_status(replica, "Last_SQL_Error"));
  CHECK(slave_status(replica, "Last_SQL_Error").empty());
  const std::string applied = replica.scalar("SELECT COUNT(*) FROM mzl_serve.t");
  CHECK(std::stoi(applied) < 800);
  const std::string rows_digest =
      "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, v, at))) FROM mzl_serve.t WHERE id <= ";
  const std::string max_id = replica.scalar("SELECT COALESCE(MAX(id), 0) FROM mzl_serve.t");
  CHECK(replica.query(rows_digest + max_id) == primary.query(rows_digest + max_id));
  replica.query("RESET SLAVE ALL");
  serve.signal(SIGTERM);
  CHECK(serve.wait_for(30s));
  primary.query("DROP DATABASE mzl_serve");
}

// Serving alone (no --server-id: the archive written by an earlier run, its end read from state.json) to four
// replicas at once, each catching up the whole range and ending checksum-equal to the primary.
TEST_CASE("mzl-binlog-tail --serve alone: four replicas catch up from the archive at once") {
  const fs::path dir = fs::path(MZL_BINARY_DIR) / "serve-four";
  fs::remove_all(dir);
  fs::create_directories(dir);
  { std::ofstream(dir / "password") << "four-secret\n"; }
  MysqlConnection primary = connect(primary_server());
  primary.query("DROP DATABASE IF EXISTS mzl_serve");
  const std::string start_file = flush_binary_logs();
  const std::string start = primary.scalar("SELECT @@global.gtid_binlog_pos");
  primary.query("CREATE DATABASE mzl_serve");
  primary.query("CREATE TABLE mzl_serve.t (id INT PRIMARY KEY, v VARCHAR(300), at DATETIME(6))");
  primary.query("CREATE TABLE mzl_serve.u (id INT PRIMARY KEY)");
  write_rows(primary, 1, 300);
  primary.query("FLUSH BINARY LOGS");
  write_rows(primary, 301, 300);
  const ToolResult archived =
      run_program(tool_binary("mzl-binlog-tail"),
                  {"--defaults-file", primary_server().defaults_file.string(), "--server-id", "9395",
                   "--repo", (dir / "repo").string(), "--source", "primary", "--start-file", start_file},
                  dir / "archive");
  INFO(archived.err);
  REQUIRE(archived.exit_code == 0);
  const std::string end = primary.scalar("SELECT @@global.gtid_binlog_pos");

  std::vector<std::unique_ptr<OwnSandbox>> boxes;
  for (unsigned i = 0; i < 4; ++i) {
    boxes.push_back(std::make_unique<OwnSandbox>(fmt::format("sandbox-serve-four-{}", i), 95 + i));
  }
  const unsigned serve_port = boxes[0]->port() - 95 + 99;
  ToolProcess serve(tool_binary("mzl-binlog-tail"),
                    {"--repo", (dir / "repo").string(), "--source", "primary", "--serve",
                     fmt::format("127.0.0.1:{}", serve_port), "--serve-user", "repl", "--serve-password-file",
                     (dir / "password").string()},
                    dir / "serve");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (serve.err().find("serving primary") == std::string::npos && serve.running() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  INFO(serve.err());
  REQUIRE(serve.err().find("serving primary") != std::string::npos);
  std::vector<MysqlConnection> replicas;
  for (unsigned i = 0; i < 4; ++i) {
    replicas.emplace_back(boxes[i]->client_cnf());
    MysqlConnection& replica = replicas.back();
    replica.query(fmt::format("SET GLOBAL server_id = {}", 9500 + i));
    replica.query(fmt::format("SET GLOBAL gtid_slave_pos = '{}'", start));
    replica.query(
        fmt::format("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER='repl', "
                    "MASTER_PASSWORD='four-secret', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                    serve_port));
    replica.query("START SLAVE");
  }
  for (auto& replica : replicas) {
    wait_applied(replica, end);
    CHECK(checksums(replica) == checksums(primary));
    replica.query("STOP SLAVE");
  }
  serve.signal(SIGTERM);
  CHECK(serve.wait_for(30s));
  primary.query("DROP DATABASE mzl_serve");
}

// mzl-pitr-restore --replay-mode server: the snapshot, then the target's own applier pulls the range from the
// archive served on a loopback port, to the latest transaction and to a GTID; equal to the primary at that
// point, and the target is not left a replica.
TEST_CASE("mzl-pitr-restore --replay-mode server: the target's applier replays the served archive") {
  const fs::path dir = fs::path(MZL_BINARY_DIR) / "serve-pitr";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string repo = (dir / "repo").string();
  MysqlConnection primary = connect(primary_server());
  primary.query("DROP DATABASE IF EXISTS mzl_serve");
  const std::string start_file = flush_binary_logs();
  primary.query("CREATE DATABASE mzl_serve");
  primary.query("CREATE TABLE mzl_serve.t (id INT PRIMARY KEY, v VARCHAR(300), at DATETIME(6))");
  primary.query("CREATE TABLE mzl_serve.u (id INT PRIMARY KEY)");
  write_rows(primary, 1, 50);
  const std::vector<std::string> archive = {"--defaults-file", primary_server().defaults_file.string(),
                                            "--server-id",     "9396",
                                            "--repo",          repo,
                                            "--source",        "primary",
                                            "--start-file",    start_file};
  auto run_ok = [&](const std::string& tool, const std::vector<std::string>& args, const std::string& log) {
    const ToolResult r = run_program(tool_binary(tool), args, dir / log);
    INFO(log << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  run_ok("mzl-binlog-tail", archive, "archive-1");
  run_ok("mzl-snapshot",
         {"--defaults-file", primary_server().defaults_file.string(), "--repo", repo, "--source", "primary",
          "--databases", "mzl_serve"},
         "snapshot");
  write_rows(primary, 51, 100);
  const std::string middle = primary.scalar("SELECT @@last_gtid");  // the last transaction of this session
  const std::string at_middle = checksums(primary);
  primary.query("FLUSH BINARY LOGS");
  primary.query("INSERT INTO mzl_serve.u VALUES (1), (2)");
  write_rows(primary, 151, 100);
  run_ok("mzl-binlog-tail", archive, "archive-2");
  const std::string at_end = checksums(primary);

  OwnSandbox target_box("sandbox-serve-pitr", 99);
  MysqlConnection target(target_box.client_cnf());
  target.query("SET GLOBAL server_id = 9601");
  const std::vector<std::string> restore = {
      "--defaults-file", target_box.client_cnf().string(), "--repo", repo, "--replay-mode", "server"};
  std::vector<std::string> latest = restore;
  latest.push_back("--to-latest");
  const ToolResult r1 = run_ok("mzl-pitr-restore", latest, "restore-latest");
  CHECK(r1.out.find("by the target's own applier") != std::string::npos);
  CHECK(checksums(target) == at_end);
  CHECK(slave_status(target, "Slave_IO_Running").empty());  // no replica configuration left
  CHECK(target.scalar("SELECT @@global.server_id") == "9601");

  target.query("DROP DATABASE mzl_serve");
  std::vector<std::string> to_gtid = restore;
  to_gtid.insert(to_gtid.end(), {"--stop-gtid", middle});
  run_ok("mzl-pitr-restore", to_gtid, "restore-gtid");
  CHECK(checksums(target) == at_middle);
  primary.query("DROP DATABASE mzl_serve");
}

}  // namespace
}  // namespace mzl::test
