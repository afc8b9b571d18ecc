#include "mzl/restore/local_infile_load.h"

#include <errmsg.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "mzl/net/sql_text.h"

namespace mzl::restore {

namespace {

constexpr size_t kReadBuffer = 1 << 20;  // libmariadb asks for 4 KiB at a time; read the stream in MiBs
constexpr uint64_t kReportBytes = 1 << 20;

// The state behind libmariadb's four local-infile callbacks for one statement.
class InfileFeed {
 public:
  InfileFeed(InputStream& in, const std::function<void(uint64_t)>& on_bytes)
      : in_(in), on_bytes_(on_bytes), buffer_(kReadBuffer) {}

  // Without a feed (between loads) the server's request for a file is refused: a server must not be able to
  // read this machine's files with a LOAD DATA LOCAL of its own choosing.
  static int init(void** ptr, const char*, void* userdata) {
    *ptr = userdata;
    return userdata == nullptr ? 1 : 0;
  }
  static int read(void* ptr, char* out, unsigned int size) {
    return static_cast<InfileFeed*>(ptr)->read(out, size);
  }
  static void end(void*) {}
  static int error(void* ptr, char* out, unsigned int size) {
    const auto* feed = static_cast<InfileFeed*>(ptr);
    const std::string message = feed == nullptr ? "LOAD DATA LOCAL refused: this client sends no file now"
                                : feed->error_  ? feed->error_->to_string()
                                                : "local infile error";
    if (size > 0) {
      const size_t n = std::min<size_t>(message.size(), size - 1);
      std::memcpy(out, message.data(), n);
      out[n] = '\0';
    }
    return CR_UNKNOWN_ERROR;
  }

  const std::optional<Error>& failure() const { return error_; }
  uint64_t bytes() const { return bytes_; }

 private:
  int read(char* out, unsigned int size) {
    if (error_) return -1;
    if (pos_ == end_) {
      if (ended_) return 0;
      Result<size_t> n = in_.read(buffer_);
      if (!n.ok()) {
        error_ = n.error();
        return -1;
      }
      if (*n == 0) {
        ended_ = true;
        Status finished = in_.finish();
        if (!finished.ok()) {
          error_ = finished.error();
          return -1;
        }
        report();
        return 0;
      }
      pos_ = 0;
      end_ = *n;
    }
    const size_t n = std::min<size_t>(size, end_ - pos_);
    std::memcpy(out, buffer_.data() + pos_, n);
    pos_ += n;
    bytes_ += n;
    if (bytes_ - reported_ >= kReportBytes) report();
    return static_cast<int>(n);
  }

  void report() {
    if (on_bytes_ && bytes_ > reported_) on_bytes_(bytes_ - reported_);
    reported_ = bytes_;
  }

  InputStream& in_;
  const std::function<void(uint64_t)>& on_bytes_;
  std::vector<uint8_t> buffer_;
  size_t pos_ = 0, end_ = 0;
  uint64_t bytes_ = 0, reported_ = 0;
  bool ended_ = false;
  std::optional<Error> error_;
};

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
  MYSQL* m = server.handle();
  InfileFeed feed(rows, on_bytes);
  mysql_set_local_infile_handler(m, &InfileFeed::init, &InfileFeed::read, &InfileFeed::end,
                                 &InfileFeed::error, &feed);
  const std::string sql = load_data_statement(target, file_name);
  const int rc = mysql_real_query(m, sql.data(), sql.size());
  std::optional<Error> failure;
  LoadDataResult result;
  result.raw_bytes = feed.bytes();
  if (feed.failure()) {
    failure = feed.failure();
  } else if (rc != 0) {
    failure = server.last_error("LOAD DATA");
  } else {
    result.rows = mysql_affected_rows(m);
    if (mysql_warning_count(m) > 0) {
      const unsigned count = mysql_warning_count(m);
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
  mysql_set_local_infile_handler(m, &InfileFeed::init, &InfileFeed::read, &InfileFeed::end,
                                 &InfileFeed::error, nullptr);
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

}  // namespace mzl::restore
