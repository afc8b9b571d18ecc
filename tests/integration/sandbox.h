#pragma once
// Test harness for the integration tests: the servers started by scripts/sandbox (CTest fixture `sandbox`),
// and a small libmariadb connection for the tests' own queries. The servers are found through the environment
// that CTest sets (MZL_SANDBOX_DIR, MZL_SANDBOX_PORT); to run a test binary by hand, start a sandbox and
// `eval "$(scripts/sandbox env --dir DIR)"` first.
//
// A server that is not there is a test FAILURE (Catch2 REQUIRE), never a skip: these tests exist to run
// against real servers. Every call below REQUIREs success unless it says otherwise.
#include <mysql.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mzl::test {

inline constexpr const char* kSandboxUser = "mzl";
inline constexpr const char* kSandboxTlsUser = "mzl_tls";  // created with REQUIRE SSL
inline constexpr const char* kSandboxPassword = "mzl-sandbox";

// Server i of the sandbox (1-based): 1 is the primary (log_bin, binlog_format=ROW, binlog_row_metadata=FULL,
// gtid_strict_mode=1), 2..N are its replicas (MASTER_USE_GTID=slave_pos, log_bin and log_slave_updates on,
// read_only; the mzl user has READ ONLY ADMIN and still writes).
struct SandboxServer {
  int index = 0;
  std::string host;  // always 127.0.0.1
  unsigned port = 0;
  std::filesystem::path socket;
  std::filesystem::path datadir;             // holds the binary logs, mariadb-bin.NNNNNN
  std::filesystem::path defaults_file;       // [client] host, port, user mzl, password (all privileges)
  std::filesystem::path tls_defaults_file;   // [client] for mzl_tls with ssl-ca and ssl-verify-server-cert
  std::filesystem::path root_defaults_file;  // [client] socket, user root
  std::filesystem::path tls_ca;              // the sandbox CA's certificate (PEM)
  std::string user = kSandboxUser;
  std::string password = kSandboxPassword;
};

// MZL_SANDBOX_DIR; REQUIREs that it is set and is a directory.
std::filesystem::path sandbox_dir();

// REQUIREs server i's directory and option files to exist.
SandboxServer sandbox_server(int i);
inline SandboxServer primary_server() {
  return sandbox_server(1);
}

// One row of a result set; SQL NULL is the string "NULL" (as the mariadb client prints it in batch mode).
using Row = std::vector<std::string>;

// A connection made from a MariaDB option file ([client] group). Move-only; closes on destruction.
class MysqlConnection {
 public:
  // REQUIREs the connection to succeed.
  explicit MysqlConnection(const std::filesystem::path& defaults_file);
  // Does not REQUIRE: nullopt with *error set to "<errno>: <message>" when the server refuses.
  static std::optional<MysqlConnection> try_connect(const std::filesystem::path& defaults_file,
                                                    std::string* error);
  ~MysqlConnection();
  MysqlConnection(MysqlConnection&& other) noexcept;
  MysqlConnection& operator=(MysqlConnection&& other) noexcept;
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Runs one statement (REQUIREs success) and returns its rows; statements without a result set return none.
  std::vector<Row> query(const std::string& sql);
  // The first column of the only row; REQUIREs exactly one row.
  std::string scalar(const std::string& sql);
  MYSQL* handle() { return mysql_; }

 private:
  MysqlConnection() = default;
  MYSQL* mysql_ = nullptr;
};

inline MysqlConnection connect(const SandboxServer& server) {
  return MysqlConnection(server.defaults_file);
}

// The primary's binlog directory and its binary logs in order (SHOW BINARY LOGS), as paths.
std::filesystem::path primary_binlog_dir();
std::vector<std::filesystem::path> primary_binlog_files();

// FLUSH BINARY LOGS on the primary: the current file is closed (its LOG_EVENT_BINLOG_IN_USE_F cleared) and a
// new one started. Returns the name of the new current file.
std::string flush_binary_logs();

// Waits (up to timeout_seconds) until replica i has applied everything in the primary's gtid_binlog_pos,
// using MASTER_GTID_WAIT; REQUIREs it to get there.
void wait_replica_caught_up(int i, int timeout_seconds = 60);

// A one-server sandbox of a test's own (a server whose state the test may change, or a restore target):
// scripts/sandbox in MZL_BINARY_DIR/<name>, port MZL_SANDBOX_PORT + port_offset (the shared sandbox uses the
// first few ports). Started fresh on construction (REQUIREs it), stopped on destruction, also after a failed
// REQUIRE. Its server_id is 1, like the shared primary's. With `servers` > 1 it is a topology like the shared
// one (server 1 the primary, 2..N its replicas, ports port() + i - 1, option files client_cnf(i)).
class OwnSandbox {
 public:
  OwnSandbox(const std::string& name, unsigned port_offset, unsigned servers = 1);
  ~OwnSandbox();
  OwnSandbox(const OwnSandbox&) = delete;
  OwnSandbox& operator=(const OwnSandbox&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path client_cnf(int i = 1) const {
    return dir_ / ("client-" + std::to_string(i) + ".cnf");
  }
  unsigned port() const { return port_; }
  pid_t server_pid() const;
  // Starts server i again as it was (scripts/sandbox start-server), e.g. a primary the test SIGKILLed.
  void start_server(int i) const;

 private:
  std::filesystem::path dir_;
  unsigned port_ = 0;
};

}  // namespace mzl::test
