#include "mzl/serve/catch_up.h"

#include <fmt/format.h>

#include <filesystem>
#include <thread>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/net/sql_text.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/serve/serve_listener.h"
#include "mzl/serve/serve_run.h"
#include "mzl/util/hex.h"

namespace mzl::serve {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kUser = "mzl_catch_up";

// The archive's last file at its present size: fixed when made, so that a dump never waits on it.
class FilesAsTheyAre final : public ArchiveEndSource {
 public:
  explicit FilesAsTheyAre(ArchiveEnd end) : end_(std::move(end)) {}
  Result<ArchiveEnd> end() override { return end_; }
  void wait(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(200)));
  }

 private:
  ArchiveEnd end_;
};

Result<std::string> scalar(net::ServerConnection& c, const std::string& sql) {
  MZL_TRY(auto value, c.scalar(sql));
  return value.value_or("");
}

// The connection's part of a replication statement: "" or " 'name'".
std::string named(const std::string& connection) {
  return connection.empty() ? std::string() : " " + net::quote_string(connection);
}

// One field of the connection's SHOW SLAVE STATUS ("" when it has none).
Result<std::string> slave_status(net::ServerConnection& c, const std::string& connection,
                                 const std::string& field) {
  MZL_TRY(auto rows, c.query_named("SHOW SLAVE" + named(connection) + " STATUS"));
  if (rows.empty()) return std::string();
  auto it = rows[0].find(field);
  return it == rows[0].end() ? std::string() : it->second.value_or("");
}

// The settings a catch-up changes, and their values before.
struct SetAside {
  std::string server_id, strict_mode, parallel_threads;
};

}  // namespace

std::unique_ptr<ArchiveEndSource> files_as_they_are(const std::string& archive_dir) {
  ArchiveEnd end;
  auto paths = archive::expand_binlog_paths({archive_dir});
  if (paths.ok() && !paths->empty()) {
    const auto& last = paths->back();
    std::error_code ec;
    end.file = archive::server_file_name(last);
    end.position = std::filesystem::file_size(last, ec);
    if (ec) end.position = 0;
  }
  return std::make_unique<FilesAsTheyAre>(std::move(end));
}

Status catch_up_from_archive(net::ServerConnection& target, const CatchUpOptions& options,
                             ArchiveEndSource* end) {
  const std::string archive_dir = repo::source_dir(options.repo, options.source);
  // The private serve: a loopback port, an account of this run only.
  MZL_TRY(Scramble secret, random_scramble());
  const std::string password = to_hex(secret);
  ServeConfig config;
  config.archive_dir = archive_dir;
  MZL_TRY(config.server, served_server(options.repo, options.source));
  const uint32_t archived_server_id = config.server.server_id;
  config.user = kUser;
  config.password = native_password_hash(password);
  StateFileArchiveEnd state_end(repo::archive_state_path(options.repo, options.source));
  MZL_TRY(auto listener,
          ServeListener::open(HostPort{"127.0.0.1", 0}, std::move(config), end ? *end : state_end));
  listener->start();

  const std::string connection = named(options.connection);
  SetAside before;
  MZL_TRY(before.server_id, scalar(target, "SELECT @@global.server_id"));
  MZL_TRY(before.strict_mode, scalar(target, "SELECT @@global.gtid_strict_mode"));
  MZL_TRY(before.parallel_threads, scalar(target, "SELECT @@global.slave_parallel_threads"));
  const unsigned threads = std::max(options.parallel_threads, 1u);
  const bool change_threads = before.parallel_threads != std::to_string(threads);
  auto restore = [&]() {
    (void)target.execute("STOP SLAVE" + connection);
    (void)target.execute("RESET SLAVE" + connection + " ALL");
    if (change_threads)
      (void)target.execute("SET GLOBAL slave_parallel_threads = " + before.parallel_threads);
    if (options.set_aside_server_id) (void)target.execute("SET GLOBAL server_id = " + before.server_id);
    if (options.set_aside_strict_mode)
      (void)target.execute("SET GLOBAL gtid_strict_mode = " + before.strict_mode);
  };
  Status started = [&]() -> Status {
    if (options.set_aside_server_id) {
      const std::string temporary_id = std::to_string(4000000000u - archived_server_id % 1000000);
      MZL_CHECK(target.execute("SET GLOBAL server_id = " + temporary_id));
    }
    if (options.set_aside_strict_mode) MZL_CHECK(target.execute("SET GLOBAL gtid_strict_mode = 0"));
    // Only while every replication thread is stopped (the callers stop theirs first).
    if (change_threads)
      MZL_CHECK(target.execute(fmt::format("SET GLOBAL slave_parallel_threads = {}", threads)));
    if (!options.start.empty())
      MZL_CHECK(target.execute("SET GLOBAL gtid_slave_pos = " + net::quote_string(options.start)));
    MZL_CHECK(target.execute(fmt::format(
        "CHANGE MASTER{} TO MASTER_HOST='127.0.0.1', MASTER_PORT={}, MASTER_USER={}, MASTER_PASSWORD={}, "
        "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
        connection, listener->port(), net::quote_string(kUser), net::quote_string(password))));
    return target.execute("START SLAVE" + connection +
                          " UNTIL master_gtid_pos = " + net::quote_string(options.until));
  }();
  if (!started.ok()) {
    restore();
    return std::move(started).error().at_r(target.server_name());
  }

  // Waits until the server holds the UNTIL position, watching its threads for errors.
  Status waited = ok_status();
  std::string last_position;
  auto last_change = Clock::now();
  while (true) {
    auto reached =
        scalar(target, fmt::format("SELECT MASTER_GTID_WAIT({}, 0.5)", net::quote_string(options.until)));
    if (!reached.ok()) {
      waited = std::move(reached).error();
      break;
    }
    if (*reached == "0") break;
    auto sql_error = slave_status(target, options.connection, "Last_SQL_Error");
    auto io_error = slave_status(target, options.connection, "Last_IO_Error");
    if (sql_error.ok() && !sql_error->empty()) {
      waited = Error(ErrorCode::kServer, "its applier stopped: " + *sql_error).at_r(target.server_name());
      break;
    }
    if (io_error.ok() && !io_error->empty() && io_error->find("1236") != std::string::npos) {
      waited = Error(ErrorCode::kServer, "it could not read the served archive: " + *io_error)
                   .at_r(target.server_name());
      break;
    }
    auto at = scalar(target, "SELECT @@global.gtid_slave_pos");
    if (at.ok() && *at != last_position) {
      last_position = *at;
      last_change = Clock::now();
      if (options.progress) options.progress(*at);
    } else if (options.stall_timeout.count() > 0 && Clock::now() - last_change > options.stall_timeout) {
      waited = Error(ErrorCode::kServer,
                     fmt::format("no progress for {} ms catching up from the archive (at {}, until {})",
                                 options.stall_timeout.count(), last_position, options.until))
                   .at_r(target.server_name());
      break;
    }
  }
  restore();
  listener->stop();
  return waited;
}

}  // namespace mzl::serve
