#pragma once
// One data file into one table: LOAD DATA LOCAL INFILE (MariaDB KB "LOAD DATA INFILE"; row_text.h gives the
// format), whose bytes come from an InputStream (ServerConnection::load_data_local) instead of a file, in one
// transaction per file.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mzl/net/server_connection.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::load {

struct LoadDataTarget {
  std::string database;  // where the rows go (after renaming)
  std::string table;
  std::string load_columns;  // TableEntry::load_columns; "" loads every column in table order
  std::string load_set;      // TableEntry::load_set; may be ""
};

struct LoadDataResult {
  uint64_t rows = 0;       // rows the server inserted
  uint64_t raw_bytes = 0;  // bytes sent (the uncompressed file)
};

// The statement, with `file_name` (only a label: the handler supplies the bytes) as the INFILE name.
std::string load_data_statement(const LoadDataTarget& target, std::string_view file_name);

// Sets up a session for loading (the connection must have been opened with ConnectionOptions::local_infile):
// SET NAMES utf8mb4, sql_mode NO_AUTO_VALUE_ON_ZERO (plus ALLOW_INVALID_DATES and NO_ENGINE_SUBSTITUTION:
// a date the source stored loads as it is), time_zone '+00:00', unique_checks=0, foreign_key_checks=0,
// autocommit=0, and sql_log_bin=0 unless write_binlog. kServer naming the server when refused.
Status prepare_data_session(net::ServerConnection& server, bool write_binlog);

// Streams `rows` (read to its end, then finish()ed, so a digest or truncation error stops the upload) into
// the target and commits. The file is rolled back, and an Error returned naming `file_name`, when:
// reading `rows` fails (that error, e.g. kCorrupt or kChecksumMismatch), the server refuses the statement
// (kServer), the statement produced warnings (kServer quoting the first ones: LOAD DATA LOCAL reports bad
// values and duplicate keys only as warnings), or expected_rows is given and differs from the rows inserted
// (kCorrupt). `on_bytes` (optional) is called with the bytes sent about every MiB.
Result<LoadDataResult> load_data_file(net::ServerConnection& server, InputStream& rows,
                                      const LoadDataTarget& target, const std::string& file_name,
                                      std::optional<uint64_t> expected_rows,
                                      const std::function<void(uint64_t)>& on_bytes = {});

// Whether a failed load_data_file() was a lock conflict the server rolled back (ER_LOCK_DEADLOCK 1213,
// ER_LOCK_WAIT_TIMEOUT 1205, as ServerConnection::last_error() words them): the file can be loaded again.
bool is_lock_conflict(const Error& error);

}  // namespace mzl::load
