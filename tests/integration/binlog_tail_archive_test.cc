// mzl-binlog-tail archiving the sandbox primary (a real MariaDB) as a replica, run as a real process: after a
// write workload with rotations every archived file is byte-identical to the server's (the still-open file
// differs only in byte 21, LOG_EVENT_BINLOG_IN_USE_F, which the archive keeps clear); SIGKILL at random
// points and restarts leave no gap and no duplicate; dropped connections (through a proxy in the test) and a
// primary restart are caught up; TLS works, bad credentials and hosts give exit code 3; metrics are
// Prometheus text.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "sandbox.h"
#include "tail_test_support.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kInUseFlagOffset = 21;  // 4-byte magic + the FORMAT_DESCRIPTION header's flags field

// In a forked child: nothing of the test (the proxy's sockets above all) may stay open in the program it
// runs.
void close_inherited_descriptors() {
  for (int fd = 3; fd < 4096; ++fd) ::close(fd);
}

// mzl-binlog-tail run to its end.
ToolResult run_tool(const std::vector<std::string>& args, const fs::path& log_prefix,
                    const std::vector<std::string>& env = {}) {
  return run_program(tail_binary(), args, log_prefix, env, milliseconds(90000));
}

// A fresh repository under the sandbox directory.
fs::path fresh_repo(const std::string& name) {
  const fs::path repo = sandbox_dir() / "tail-archive-tests" / name;
  fs::remove_all(repo);
  fs::create_directories(repo);
  return repo;
}

constexpr const char* kSource = "primary";

fs::path archive_dir(const fs::path& repo) {
  return repo / "binlogs" / kSource;
}

std::vector<std::string> archive_args(const fs::path& repo, const fs::path& defaults_file,
                                      uint32_t server_id) {
  return {"--defaults-file", defaults_file.string(),   "--repo", repo.string(), "--source", kSource,
          "--server-id",     std::to_string(server_id)};
}

size_t first_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return i;
  }
  return a.size() == b.size() ? std::string::npos : n;
}

// Every binlog file of the primary is in the archive under its own name (and nothing else is): the closed
// ones byte for byte, the current one except its IN_USE flag, which the archive keeps clear.
void check_archive_identical(const fs::path& repo) {
  const auto server_files = primary_binlog_files();
  REQUIRE(!server_files.empty());
  std::vector<std::string> archived;
  for (const auto& entry : fs::directory_iterator(archive_dir(repo))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("mariadb-bin.", 0) == 0) archived.push_back(name);
  }
  std::sort(archived.begin(), archived.end());
  std::vector<std::string> expected;
  for (const auto& f : server_files) expected.push_back(f.filename().string());
  REQUIRE(archived == expected);
  for (size_t i = 0; i < server_files.size(); ++i) {
    INFO("file " << server_files[i]);
    const auto server = read_file(server_files[i]);
    auto copy = read_file(archive_dir(repo) / expected[i]);
    REQUIRE(server.size() > kInUseFlagOffset);
    REQUIRE(copy.size() == server.size());
    if (i + 1 == server_files.size()) {
      CHECK((server[kInUseFlagOffset] & 0x01) == 0x01);
      CHECK(copy[kInUseFlagOffset] == (server[kInUseFlagOffset] & ~0x01));
      copy[kInUseFlagOffset] = server[kInUseFlagOffset];
    }
    const size_t diff = first_difference(server, copy);
    INFO("first difference at byte " << diff);
    CHECK(diff == std::string::npos);
  }
}

std::string json_string_field(const std::string& json, const std::string& name) {
  std::smatch m;
  REQUIRE(std::regex_search(json, m, std::regex("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"")));
  return m[1].str();
}

uint64_t json_number_field(const std::string& json, const std::string& name) {
  std::smatch m;
  REQUIRE(std::regex_search(json, m, std::regex("\"" + name + "\"\\s*:\\s*([0-9]+)")));
  return std::stoull(m[1].str());
}

double json_real_field(const std::string& json, const std::string& name) {
  std::smatch m;
  REQUIRE(std::regex_search(json, m, std::regex("\"" + name + "\"\\s*:\\s*([0-9.eE+-]+)")));
  return std::stod(m[1].str());
}

// MariaDB GTID events (type 162) in the primary's files: one per transaction, each complete in the files.
uint64_t primary_gtid_events() {
  uint64_t count = 0;
  for (const fs::path& file : primary_binlog_files()) {
    const std::vector<uint8_t> bytes = read_file(file);
    for (size_t offset = 4; offset + 19 <= bytes.size();) {
      const uint8_t* size = bytes.data() + offset + 9;
      const uint32_t event_size =
          uint32_t{size[0]} | uint32_t{size[1]} << 8 | uint32_t{size[2]} << 16 | uint32_t{size[3]} << 24;
      REQUIRE(event_size >= 19);
      if (bytes[offset + 4] == 162) ++count;
      offset += event_size;
    }
  }
  return count;
}

// `--status --json` names the server's last file and its end as the durable position.
void check_status_at_end(const fs::path& repo) {
  const auto files = primary_binlog_files();
  const auto status =
      run_tool({"--status", "--repo", repo.string(), "--source", kSource, "--json"}, repo / "status");
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  INFO(status.out);
  CHECK(json_string_field(status.out, "current_file") == files.back().filename().string());
  CHECK(json_number_field(status.out, "durable_position") == fs::file_size(files.back()));
}

MYSQL* connect_raw(const fs::path& defaults_file) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return nullptr;
  const std::string file = defaults_file.string();
  unsigned timeout = 5;
  mysql_options(mysql, MYSQL_READ_DEFAULT_FILE, file.c_str());
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (mysql_real_connect(mysql, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr) {
    mysql_close(mysql);
    return nullptr;
  }
  return mysql;
}

// Transactions of a few row events of various sizes, in a thread, until stopped. It reconnects when the
// server goes away (no Catch2 assertions in the thread).
class Writer {
 public:
  explicit Writer(const std::string& table) : table_(table), defaults_(primary_server().defaults_file) {
    MysqlConnection primary(defaults_);
    primary.query("CREATE DATABASE IF NOT EXISTS mzl_tail_archive");
    primary.query(fmt::format(
        "CREATE TABLE IF NOT EXISTS mzl_tail_archive.{} (id INT AUTO_INCREMENT PRIMARY KEY, n INT, v TEXT)",
        table_));
    thread_ = std::thread([this] { loop(); });
  }
  ~Writer() { stop(); }
  uint64_t stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return commits_;
  }
  uint64_t commits() const { return commits_; }

 private:
  void loop() {
    std::mt19937 random(std::random_device{}());
    MYSQL* mysql = nullptr;
    while (!stop_) {
      if (mysql == nullptr) {
        mysql = connect_raw(defaults_);
        if (mysql == nullptr) {
          std::this_thread::sleep_for(milliseconds(100));
          continue;
        }
      }
      const int size = static_cast<int>(random() % 3000);
      const std::vector<std::string> statements{
          "BEGIN",
          fmt::format("INSERT INTO mzl_tail_archive.{} (n, v) VALUES ({}, REPEAT('a', {})), ({}, 'b')",
                      table_, size, size, size + 1),
          fmt::format("UPDATE mzl_tail_archive.{} SET n = n + 1 WHERE id = LAST_INSERT_ID()", table_),
          "COMMIT"};
      bool failed = false;
      for (const auto& sql : statements) {
        if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) {
          failed = true;
          break;
        }
      }
      if (failed) {
        mysql_close(mysql);
        mysql = nullptr;
        continue;
      }
      ++commits_;
      std::this_thread::sleep_for(milliseconds(2));
    }
    if (mysql != nullptr) mysql_close(mysql);
  }

  std::string table_;
  fs::path defaults_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> commits_{0};
  std::thread thread_;
};

// A TCP proxy from 127.0.0.1:port() to the primary, one poll() thread; drop_all() closes every connection.
class Proxy {
 public:
  explicit Proxy(unsigned target_port) : target_port_(target_port) {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listen_ >= 0);
    const int one = 1;
    ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listen_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~Proxy() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& [a, b] : pairs_) {
      ::close(a);
      ::close(b);
    }
    ::close(listen_);
  }
  unsigned port() const { return port_; }
  void drop_all() { drop_ = true; }
  int accepted() const { return accepted_; }

 private:
  int connect_target() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(target_port_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static void reset_close(int fd) {
    linger hard{1, 0};  // an RST, as a cut cable or a crashed middlebox would look to both ends
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(fd);
  }
  void loop() {
    char buffer[65536];
    while (!stop_) {
      if (drop_.exchange(false)) {
        for (auto& [a, b] : pairs_) {
          reset_close(a);
          reset_close(b);
        }
        pairs_.clear();
      }
      std::vector<pollfd> fds{{listen_, POLLIN, 0}};
      for (auto& [a, b] : pairs_) {
        fds.push_back({a, POLLIN, 0});
        fds.push_back({b, POLLIN, 0});
      }
      const size_t polled = pairs_.size();
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int client = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          const int server = connect_target();
          if (server < 0) {
            ::close(client);
          } else {
            pairs_.push_back({client, server});
            ++accepted_;
          }
        }
      }
      std::vector<size_t> dead;
      for (size_t p = 0; p < polled; ++p) {
        for (int side = 0; side < 2; ++side) {
          const pollfd& f = fds[1 + 2 * p + side];
          if (!(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
          const int from = side == 0 ? pairs_[p].first : pairs_[p].second;
          const int to = side == 0 ? pairs_[p].second : pairs_[p].first;
          const ssize_t n = ::read(from, buffer, sizeof buffer);
          bool ok = n > 0;
          for (ssize_t done = 0; ok && done < n;) {
            const ssize_t w = ::send(to, buffer + done, static_cast<size_t>(n - done), MSG_NOSIGNAL);
            if (w <= 0) ok = false;
            done += std::max<ssize_t>(w, 0);
          }
          if (!ok) {
            dead.push_back(p);
            break;
          }
        }
      }
      for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
        ::close(pairs_[*it].first);
        ::close(pairs_[*it].second);
        pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(*it));
      }
    }
  }

  unsigned target_port_;
  unsigned port_ = 0;
  int listen_ = -1;
  std::vector<std::pair<int, int>> pairs_;  // (client, server), touched only by the thread (and ~Proxy)
  std::atomic<bool> stop_{false}, drop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Waits until the archive's state names the server's last file and its end.
bool wait_caught_up(const fs::path& repo, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const fs::path state = archive_dir(repo) / "state.json";
  while (Clock::now() < deadline) {
    const auto files = primary_binlog_files();
    const std::string text = file_text(state);
    std::smatch file, position;
    if (std::regex_search(text, file, std::regex("\"current_file\"\\s*:\\s*\"([^\"]*)\"")) &&
        std::regex_search(text, position, std::regex("\"durable_position\"\\s*:\\s*([0-9]+)")) &&
        file[1].str() == files.back().filename().string() &&
        std::stoull(position[1].str()) == fs::file_size(files.back())) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  return false;
}

int exit_code_of(const std::optional<int>& status) {
  REQUIRE(status.has_value());
  return WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
}

// The End_log_pos of every event after which the server's file is at a transaction boundary.
std::vector<uint64_t> transaction_boundaries(const std::string& file) {
  MysqlConnection primary = connect(primary_server());
  std::vector<uint64_t> ends;
  bool in_transaction = false;
  for (const auto& row : primary.query(fmt::format("SHOW BINLOG EVENTS IN '{}'", file))) {
    const std::string& type = row[2];
    const uint64_t end = std::stoull(row[4]);
    if (type == "Gtid") {
      in_transaction = row[5].find("BEGIN") != std::string::npos;
      if (!in_transaction) continue;  // a DDL: its Query event ends it
    } else if (type == "Xid" || (type == "Query" && row[5].find("COMMIT") != std::string::npos)) {
      in_transaction = false;
    }
    if (!in_transaction) ends.push_back(end);
  }
  return ends;
}

TEST_CASE("mzl-binlog-tail archive: after a sysbench workload with rotations every file is identical",
          "[tool][archive]") {
  const auto started = Clock::now();
  const auto primary = primary_server();
  const fs::path repo = fresh_repo("workload");
  MysqlConnection connection = connect(primary);
  connection.query("CREATE DATABASE IF NOT EXISTS mzl_sbtest");
  const std::string sysbench_common = fmt::format(
      "sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port={} --mysql-user={} "
      "--mysql-password={} --mysql-db=mzl_sbtest --tables=2 --table-size=2000",
      primary.port, kSandboxUser, kSandboxPassword);
  const std::string log = (repo / "sysbench.log").string();
  const int cleaned = std::system(fmt::format("{} cleanup >/dev/null 2>&1", sysbench_common).c_str());
  (void)cleaned;  // nothing to clean up in a fresh sandbox
  REQUIRE(std::system(fmt::format("{} prepare >'{}' 2>&1", sysbench_common, log).c_str()) == 0);
  int sysbench_status = -1;
  std::thread sysbench([&] {
    sysbench_status =
        std::system(fmt::format("{} --threads=2 --time=8 run >>'{}' 2>&1", sysbench_common, log).c_str());
  });
  for (int i = 0; i < 4; ++i) {
    std::this_thread::sleep_for(milliseconds(1800));
    flush_binary_logs();
  }
  sysbench.join();
  INFO(file_text(log));
  REQUIRE(sysbench_status == 0);
  REQUIRE(file_text(log).find("transactions:") != std::string::npos);

  const auto run = run_tool(with(archive_args(repo, primary.defaults_file, 9101), {"--json"}), repo / "tail");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  check_archive_identical(repo);
  check_status_at_end(repo);
  // The summary printed with --json names the same end.
  const auto files = primary_binlog_files();
  CHECK(json_string_field(run.out, "file") == files.back().filename().string());
  CHECK(json_number_field(run.out, "position") == fs::file_size(files.back()));
  // The archive started at the oldest file: it ended every transaction of the files.
  CHECK(json_number_field(run.out, "transactions") == primary_gtid_events());
  CHECK(json_number_field(run.out, "transactions") > 10);
  const double elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  CHECK(json_real_field(run.out, "fsync_p50_ms") <= json_real_field(run.out, "fsync_p99_ms"));
  CHECK(json_real_field(run.out, "fsync_p99_ms") <= json_real_field(run.out, "fsync_max_ms"));
  CHECK(json_real_field(run.out, "fsync_max_ms") <= elapsed_ms);
  CHECK(json_real_field(run.out, "ack_p50_ms") == 0);  // no --semi-sync: no ACK
  CHECK(json_real_field(run.out, "ack_p99_ms") == 0);
  WARN("workload test took " << std::chrono::duration_cast<milliseconds>(Clock::now() - started).count()
                             << " ms");
}

TEST_CASE("mzl-binlog-tail archive: SIGKILL at 20 random points under load, then SIGTERM",
          "[tool][archive]") {
  const auto started = Clock::now();
  const auto primary = primary_server();
  const fs::path repo = fresh_repo("sigkill");
  const auto args = archive_args(repo, primary.defaults_file, 9102);
  const unsigned seed = std::random_device{}();
  INFO("random seed " << seed);
  std::mt19937 random(seed);
  {
    Writer writer("sigkill");
    for (int round = 0; round < 20; ++round) {
      INFO("round " << round);
      ToolProcess tail(tail_binary(), with(args, {"--stop-never"}), repo / fmt::format("kill-{}", round));
      std::this_thread::sleep_for(milliseconds(50 + random() % 1451));
      REQUIRE(tail.running());
      tail.signal(SIGKILL);
      CHECK(exit_code_of(tail.wait_for(milliseconds(5000))) == 128 + SIGKILL);
      if (round % 5 == 2) flush_binary_logs();
    }
    // SIGTERM: finishes the current write, fsyncs and exits 0 within a few seconds.
    ToolProcess tail(tail_binary(), with(args, {"--stop-never"}), repo / "term");
    std::this_thread::sleep_for(milliseconds(1500));
    tail.signal(SIGTERM);
    const auto status = tail.wait_for(milliseconds(5000));
    INFO(tail.err());
    CHECK(exit_code_of(status) == 0);
    const std::string state = file_text(archive_dir(repo) / "state.json");
    INFO(state);
    const std::string file = json_string_field(state, "current_file");
    const uint64_t durable = json_number_field(state, "durable_position");
    const auto ends = transaction_boundaries(file);
    CHECK(std::find(ends.begin(), ends.end(), durable) != ends.end());
    // The archive's bytes up to the durable position are the server's (but for the IN_USE flag).
    auto copy = read_file(archive_dir(repo) / file);
    auto server = read_file(primary_binlog_dir() / file);
    REQUIRE(copy.size() >= durable);
    REQUIRE(server.size() >= durable);
    copy.resize(durable);
    server.resize(durable);
    if (durable > kInUseFlagOffset) copy[kInUseFlagOffset] = server[kInUseFlagOffset];
    CHECK(first_difference(copy, server) == std::string::npos);
    CHECK(writer.stop() > 0);
  }
  const auto run = run_tool(args, repo / "final");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  check_archive_identical(repo);
  check_status_at_end(repo);
  WARN("SIGKILL test took " << std::chrono::duration_cast<milliseconds>(Clock::now() - started).count()
                            << " ms");
}

// The primary's command line (from /proc), so that it can be started again exactly as scripts/sandbox did.
std::vector<std::string> primary_command_line(pid_t pid) {
  const std::string raw = file_text(fmt::format("/proc/{}/cmdline", pid));
  std::vector<std::string> args;
  size_t start = 0;
  while (start < raw.size()) {
    const size_t end = raw.find('\0', start);
    args.push_back(raw.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

void restart_primary() {
  const auto primary = primary_server();
  const fs::path pid_file = primary.datadir.parent_path() / "mysqld.pid";
  const pid_t pid = static_cast<pid_t>(std::stol(file_text(pid_file)));
  auto args = primary_command_line(pid);
  REQUIRE(args.size() > 3);
  REQUIRE(args[0].find("mariadbd") != std::string::npos);
  REQUIRE(std::system(
              fmt::format("mariadb-admin --defaults-file='{}' shutdown", primary.root_defaults_file.string())
                  .c_str()) == 0);
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (::kill(pid, 0) == 0 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(100));
  REQUIRE(::kill(pid, 0) != 0);
  // Double fork and setsid, as scripts/sandbox does: the server belongs to no process of the test.
  const std::string out = (primary.datadir.parent_path() / "mysqld.out").string();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::fork() != 0) ::_exit(0);
    ::setsid();
    const int devnull = ::open("/dev/null", O_RDONLY);
    const int log = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(devnull, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    close_inherited_descriptors();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::waitpid(child, nullptr, 0);
  const auto up_deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < up_deadline) {
    std::string error;
    if (MysqlConnection::try_connect(primary.defaults_file, &error)) return;
    std::this_thread::sleep_for(milliseconds(250));
  }
  FAIL("the primary did not come back within 60 s");
}

TEST_CASE("mzl-binlog-tail archive: connections cut mid-stream and a primary restart are caught up",
          "[tool][archive]") {
  const auto started = Clock::now();
  const auto primary = primary_server();
  const fs::path repo = fresh_repo("proxy");
  Proxy proxy(primary.port);
  const fs::path cnf = write_client_cnf(repo / "client.cnf", kSandboxUser, kSandboxPassword, proxy.port());
  ToolProcess tail(tail_binary(), with(archive_args(repo, cnf, 9103), {"--stop-never"}), repo / "tail");
  {
    Writer writer("proxy");
    for (int drop = 0; drop < 3; ++drop) {
      std::this_thread::sleep_for(milliseconds(1500));
      proxy.drop_all();
    }
    std::this_thread::sleep_for(milliseconds(1500));
    REQUIRE(tail.running());
    restart_primary();
    std::this_thread::sleep_for(milliseconds(1500));
    flush_binary_logs();
    std::this_thread::sleep_for(milliseconds(1000));
    CHECK(writer.stop() > 0);
  }
  INFO(tail.err());
  CHECK(wait_caught_up(repo, milliseconds(45000)));
  CHECK(proxy.accepted() >= 5);
  tail.signal(SIGTERM);
  CHECK(exit_code_of(tail.wait_for(milliseconds(10000))) == 0);
  check_archive_identical(repo);
  // The sandbox's replicas reconnect to the restarted primary (MASTER_CONNECT_RETRY=1) for the tests after
  // this.
  wait_replica_caught_up(2);
  wait_replica_caught_up(3);
  WARN("proxy test took " << std::chrono::duration_cast<milliseconds>(Clock::now() - started).count()
                          << " ms; the tool connected " << proxy.accepted() << " times");
}

TEST_CASE("mzl-binlog-tail archive: TLS works, bad password, unknown host and missing --server-id fail",
          "[tool][archive]") {
  const auto primary = primary_server();
  const fs::path repo = fresh_repo("tls");
  {
    MysqlConnection connection = connect(primary);
    connection.query("CREATE DATABASE IF NOT EXISTS mzl_tail_archive");
    connection.query("CREATE TABLE IF NOT EXISTS mzl_tail_archive.tls (id INT PRIMARY KEY)");
    connection.query("REPLACE INTO mzl_tail_archive.tls VALUES (1)");
  }
  const auto tls = run_tool(with(archive_args(repo, primary.tls_defaults_file, 9104),
                                 {"--ssl-mode=VERIFY_IDENTITY", "--ssl-ca", primary.tls_ca.string()}),
                            repo / "tls");
  INFO(tls.err);
  REQUIRE(tls.exit_code == 0);
  check_archive_identical(repo);

  const fs::path bad_cnf = write_client_cnf(repo / "client.cnf", kSandboxUser, "not-the-password");
  const auto denied = run_tool(archive_args(fresh_repo("tls-denied"), bad_cnf, 9104), repo / "denied");
  INFO(denied.err);
  CHECK(denied.exit_code == 3);
  CHECK(denied.err.find(fmt::format("{}@127.0.0.1:{}", kSandboxUser, primary.port)) != std::string::npos);

  const auto unknown =
      run_tool({"--host", "no-such-host.invalid", "--port", "3306", "--user", "mzl", "--repo",
                fresh_repo("tls-unknown").string(), "--source", kSource, "--server-id", "9104"},
               repo / "unknown", {"MYSQL_PWD=x"});
  INFO(unknown.err);
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err.find("no-such-host.invalid") != std::string::npos);

  const auto usage = run_tool({"--defaults-file", primary.defaults_file.string(), "--repo",
                               fresh_repo("tls-usage").string(), "--source", kSource},
                              repo / "usage");
  INFO(usage.err);
  CHECK(usage.exit_code == 2);
  CHECK(usage.err.find("--server-id") != std::string::npos);
}

TEST_CASE("mzl-binlog-tail archive: --metrics-file is Prometheus text with the events archived",
          "[tool][archive]") {
  const auto primary = primary_server();
  const fs::path repo = fresh_repo("metrics");
  const fs::path metrics = repo / "tail.prom";
  const auto run =
      run_tool(with(archive_args(repo, primary.defaults_file, 9105), {"--metrics-file", metrics.string()}),
               repo / "tail");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  REQUIRE(fs::is_regular_file(metrics));
  struct stat st {};
  REQUIRE(::stat(metrics.c_str(), &st) == 0);
  const unsigned mode = st.st_mode & 07777;
  WARN("metrics file mode " << fmt::format("{:04o}", mode));
  CHECK((mode == 0600 || mode == 0644));
  // Every line a comment or a sample of this source (a summary's with its quantile).
  std::map<std::string, double> values = read_tail_metrics(metrics, kSource);
  REQUIRE(values.count("mzl_binlog_tail_events_total") == 1);
  CHECK(values["mzl_binlog_tail_events_total"] > 0);
  CHECK(values["mzl_binlog_tail_bytes_total"] > 0);
}

}  // namespace
}  // namespace mzl::test
