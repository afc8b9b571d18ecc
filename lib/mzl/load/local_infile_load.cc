#include "mzl/load/local_infile_load.h"

#include <fmt/format.h>

#include <vector>

#include "mzl/net/sql_text.h"

namespace mzl::load {

namespace {

Error with_file(Error e, const std::string& file_name, const LoadDataTarget& target) {
  e.message = fmt::format("loading {} into {}: {}", file_name,
                          net::qualified_name(target.database, target.table), e.message);
  return e;
}

}  // namespace

std::string load_data_statement(const LoadDataTarget& target, std::string_view file_name) {
  std::string sql = fmt::format(
      "LOAD DATA LOCAL INFILE {} INTO TABLE {} CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY "
      "'\\\\' LINES TERMINATED BY '\\n'",
      net::quote_string(file_name), net::qualified_name(target.database, target.table));
  if (!target.load_columns.empty()) sql += fmt::format(" ({})", target.load_columns);
  if (!target.load_set.empty()) sql += fmt::format(" SET {}", target.load_set);
  return sql;
}

Status prepare_data_session(net::ServerConnection& server, bool write_binlog) {
  MZL_CHECK(server.execute("SET NAMES utf8mb4"));
  MZL_CHECK(server.execute(
      "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,ALLOW_INVALID_DATES,NO_ENGINE_SUBSTITUTION', "
      "time_zone = '+00:00', unique_checks = 0, foreign_key_checks = 0, autocommit = 0"));
  if (!write_binlog) MZL_CHECK(server.execute("SET SESSION sql_log_bin = 0"));
  return ok_status();
}

Result<LoadDataResult> load_data_file(net::ServerConnection& server, InputStream& rows,
                                      const LoadDataTarget& target, const std::string& file_name,
                                      std::optional<uint64_t> expected_rows,
                                      const std::function<void(uint64_t)>& on_bytes) {
  const std::string sql = load_data_statement(target, file_name);
  Result<net::LocalInfileOutcome> loaded = server.load_data_local(sql, rows, on_bytes);
  std::optional<Error> failure;
  LoadDataResult result;
  if (!loaded.ok()) {
    failure = loaded.error();
  } else {
    result.rows = loaded->rows;
    result.raw_bytes = loaded->bytes_sent;
    if (loaded->warnings > 0) {
      const unsigned count = loaded->warnings;
      std::string first;
      Result<std::vector<net::SqlRow>> warnings = server.query("SHOW WARNINGS LIMIT 3");
      if (warnings.ok()) {
        for (const net::SqlRow& w : *warnings) {
          if (w.size() >= 3)
            first += fmt::format("{}{} {}: {}", first.empty() ? "" : "; ", w[0].value_or(""),
                                 w[1].value_or(""), w[2].value_or(""));
        }
      }
      failure = Error{ErrorCode::kServer,
                      fmt::format("{} warning(s), the file is not loaded exactly ({})", count, first)}
                    .at_r(server.server_name());
    } else if (expected_rows && *expected_rows != result.rows) {
      failure = Error{ErrorCode::kCorrupt, fmt::format("the server inserted {} rows, the manifest lists {}",
                                                       result.rows, *expected_rows)}
                    .at_r(file_name);
    }
  }
  if (failure) {
    (void)server.execute("ROLLBACK");  // the first error is the one to report
    return with_file(std::move(*failure), file_name, target);
  }
  MZL_CHECK(server.execute("COMMIT"));
  return result;
}

bool is_lock_conflict(const Error& error) {
  return error.code == ErrorCode::kServer && (error.message.find("(error 1213)") != std::string::npos ||
                                              error.message.find("(error 1205)") != std::string::npos);
}

}  // namespace mzl::load
