// ServerConnection::load_data_local: LOAD DATA LOCAL INFILE (MariaDB KB "LOAD DATA INFILE") whose bytes come
// from an InputStream through libmariadb's mysql_set_local_infile_handler() instead of a file.
#include <errmsg.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "mzl/net/server_connection.h"

namespace mzl::net {
namespace {

constexpr size_t kReadBuffer = 1 << 20;  // libmariadb asks for 4 KiB at a time; read the stream in MiBs
constexpr uint64_t kReportBytes = 1 << 20;

// The state behind libmariadb's four local-infile callbacks for one statement.
class InfileFeed {
 public:
  InfileFeed(InputStream& in, const std::function<void(uint64_t)>& on_bytes)
      : in_(in), on_bytes_(on_bytes), buffer_(kReadBuffer) {}

  // Without a feed (between loads) the server's request for a file is refused.
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

}  // namespace

Result<LocalInfileOutcome> ServerConnection::load_data_local(std::string_view sql, InputStream& rows,
                                                             const std::function<void(uint64_t)>& on_bytes) {
  InfileFeed feed(rows, on_bytes);
  mysql_set_local_infile_handler(mysql_, &InfileFeed::init, &InfileFeed::read, &InfileFeed::end,
                                 &InfileFeed::error, &feed);
  const int rc = mysql_real_query(mysql_, sql.data(), sql.size());
  std::optional<Error> failure;
  LocalInfileOutcome outcome;
  outcome.bytes_sent = feed.bytes();
  if (feed.failure()) {
    failure = feed.failure();
  } else if (rc != 0) {
    failure = last_error("LOAD DATA");
  } else {
    outcome.rows = mysql_affected_rows(mysql_);
    outcome.warnings = mysql_warning_count(mysql_);
  }
  mysql_set_local_infile_handler(mysql_, &InfileFeed::init, &InfileFeed::read, &InfileFeed::end,
                                 &InfileFeed::error, nullptr);
  if (failure) return std::move(*failure);
  return outcome;
}

}  // namespace mzl::net
