#pragma once
// A client connection to a MySQL or MariaDB server through libmariadb (connect, authenticate, TLS), with the
// ordinary queries every program needs. The replication stream (replica_stream.h) drives the protocol over
// the same MYSQL handle.
#include <mysql.h>

#include <optional>
#include <string>
#include <vector>

#include "mzl/net/connection_options.h"
#include "mzl/util/result.h"

namespace mzl::net {

// One result row; SQL NULL is nullopt.
using SqlRow = std::vector<std::optional<std::string>>;

class ServerConnection {
 public:
  // Connects and authenticates. Errors name the server (ConnectionOptions::describe()):
  // kAuth for access denied, kNetwork when the server cannot be reached or the TLS handshake fails,
  // kServer for other errors the server reports.
  static Result<ServerConnection> connect(const ConnectionOptions& options);

  ServerConnection(ServerConnection&& other) noexcept;
  ServerConnection& operator=(ServerConnection&& other) noexcept;
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;
  ~ServerConnection();

  // Runs one statement and returns all its rows (none for statements without a result set). Only for small
  // results: it stores the whole result in memory.
  Result<std::vector<SqlRow>> query(const std::string& sql);
  // Runs one statement that returns no rows.
  Status execute(const std::string& sql);
  // The first column of the only row; kServer when there is not exactly one row.
  Result<std::optional<std::string>> scalar(const std::string& sql);

  // Whether the session is encrypted, and with what cipher (empty when not).
  std::string tls_cipher() const;
  bool is_mariadb() const;
  std::string server_version() const;
  const std::string& server_name() const { return name_; }

  MYSQL* handle() { return mysql_; }

  // The last client error as an Error of the right kind (see connect()), with `what` prepended.
  Error last_error(const std::string& what) const;

 private:
  ServerConnection(MYSQL* mysql, std::string name) : mysql_(mysql), name_(std::move(name)) {}
  MYSQL* mysql_ = nullptr;
  std::string name_;
};

// The ErrorCode for a libmariadb / server error number.
ErrorCode error_code_for_mysql_errno(unsigned error_number);

}  // namespace mzl::net
