#pragma once
// A client connection to a MySQL or MariaDB server through libmariadb (connect, authenticate, TLS), with
// every kind of statement the programs send: small queries, results streamed row by row, batches of
// statements, and LOAD DATA LOCAL fed from a stream. Only net/ calls libmariadb: the replication stream
// (replica_stream.h) drives the protocol over the same MYSQL handle, which no other folder sees.
#include <mysql.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/net/connection_options.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::net {

// One result row; SQL NULL is nullopt.
using SqlRow = std::vector<std::optional<std::string>>;
// One result row by column name (for SHOW statements whose columns differ between servers and versions).
using NamedRow = std::map<std::string, std::optional<std::string>, std::less<>>;

// One row of a streamed result, valid only during the visitor's call: `values[i]` is nullptr for SQL NULL,
// else `lengths[i]` bytes (libmariadb's MYSQL_ROW and mysql_fetch_lengths()).
struct StreamedRow {
  const char* const* values;
  const unsigned long* lengths;
  unsigned count;
};

// What a batch of statements sent as one query did (execute_statements()).
struct StatementBatchOutcome {
  size_t succeeded = 0;  // statements answered without an error, from the first
  bool failed = false;   // statement number `succeeded` (0-based) failed: last_error() describes it
};

// What LOAD DATA LOCAL did (load_data_local()).
struct LocalInfileOutcome {
  uint64_t rows = 0;        // rows the server inserted (affected rows)
  unsigned warnings = 0;    // the statement's warning count (SHOW WARNINGS lists them)
  uint64_t bytes_sent = 0;  // bytes read from the stream and sent
};

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
  // As query(), each row keyed by its column names (mysql_fetch_fields); a name repeated in one result
  // keeps its first column.
  Result<std::vector<NamedRow>> query_named(const std::string& sql);
  // Runs one statement that returns no rows.
  Status execute(const std::string& sql);
  // The first column of the only row; kServer when there is not exactly one row.
  Result<std::optional<std::string>> scalar(const std::string& sql);
  // Runs one statement, ignoring any result; an error is last_error(what) (no SQL text in the message).
  Status execute(std::string_view sql, const std::string& what);

  // Runs one SELECT and hands its rows to `visit` one at a time as they arrive (mysql_use_result: nothing is
  // stored, so any result size fits). `visit` returns false to stop early (the rest is read and discarded)
  // or an error to stop with it. Server and network errors are last_error(what).
  Status stream_rows(std::string_view sql, const std::string& what,
                     const std::function<Result<bool>(const StreamedRow&)>& visit);

  // Lets one query hold several statements separated by ';' (MYSQL_OPTION_MULTI_STATEMENTS_ON); kServer
  // naming the server when refused.
  Status enable_multi_statements();
  // Sends `statements` (several, after enable_multi_statements()) as one query and reads every result,
  // discarding result sets. Stops at the first statement that fails: the server runs none after it.
  StatementBatchOutcome execute_statements(std::string_view statements);

  // Runs `sql`, a LOAD DATA LOCAL INFILE statement, on a connection opened with
  // ConnectionOptions::local_infile, sending the bytes of `rows` (read to its end, then finish()ed, so a
  // digest or truncation error fails the statement) whatever file name it gives. `on_bytes` (optional) is
  // called with the bytes sent about every MiB. Errors: those of `rows` (e.g. kCorrupt), else
  // last_error("LOAD DATA"). Outside this call the connection refuses the server's requests for files: a
  // server must not be able to read this machine's files with a LOAD DATA LOCAL of its own choosing.
  // Implemented in local_infile.cc.
  Result<LocalInfileOutcome> load_data_local(std::string_view sql, InputStream& rows,
                                             const std::function<void(uint64_t)>& on_bytes = {});

  // Whether the session is encrypted, and with what cipher (empty when not).
  std::string tls_cipher() const;
  bool is_mariadb() const;
  std::string server_version() const;
  const std::string& server_name() const { return name_; }

  // The last client error as an Error of the right kind (see connect()), with `what` prepended.
  Error last_error(const std::string& what) const;
  // The last error's number (a server ER_* or client CR_* code), 0 after success.
  unsigned last_error_number() const;

 private:
  friend class ReplicaStream;  // drives the replication protocol over this connection's handle
  MYSQL* handle() { return mysql_; }

  ServerConnection(MYSQL* mysql, std::string name) : mysql_(mysql), name_(std::move(name)) {}
  MYSQL* mysql_ = nullptr;
  std::string name_;
};

// The ErrorCode for a libmariadb / server error number.
ErrorCode error_code_for_mysql_errno(unsigned error_number);

}  // namespace mzl::net
