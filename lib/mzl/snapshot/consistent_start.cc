#include "mzl/snapshot/consistent_start.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <thread>

#include "mzl/net/sql_text.h"

namespace mzl::snapshot {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t parse_u64(const std::optional<std::string>& text) {
  uint64_t v = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct SnapshotPoint {
  std::string file;
  uint64_t position = 0;
  bool operator==(const SnapshotPoint&) const = default;
};

// The session settings every worker dumps with: the columns' own bytes (SET NAMES binary), TIMESTAMP as UTC
// (so a restore that loads with time_zone '+00:00' gets the same instants, even in a DST fold), no sql_mode
// (PAD_CHAR_TO_FULL_LENGTH would pad CHAR values), and timeouts long enough for a slow consumer.
Status prepare_worker(net::ServerConnection& worker) {
  MZL_CHECK(worker.execute("SET NAMES binary"));
  MZL_CHECK(
      worker.execute("SET SESSION time_zone = '+00:00', sql_mode = '', net_write_timeout = 3600, "
                     "net_read_timeout = 3600, wait_timeout = 86400"));
  return worker.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
}

Result<SnapshotPoint> read_snapshot_point(net::ServerConnection& worker) {
  MZL_TRY(auto rows, worker.query("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'"));
  SnapshotPoint point;
  for (const auto& row : rows) {
    if (row.size() < 2 || !row[0] || !row[1]) continue;
    const std::string& name = *row[0];
    if (name == "Binlog_snapshot_file") point.file = *row[1];
    if (name == "Binlog_snapshot_position") point.position = parse_u64(row[1]);
  }
  return point;
}

// Opens the transactions of all workers at once (one thread each, so they start as close together as
// possible) and reads each one's binlog snapshot point.
Result<std::vector<SnapshotPoint>> open_transactions(std::vector<net::ServerConnection>& workers,
                                                     bool mariadb) {
  std::vector<std::optional<Error>> errors(workers.size());
  std::vector<SnapshotPoint> points(workers.size());
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (size_t i = 0; i < workers.size(); ++i) {
    threads.emplace_back([&, i] {
      Status started = workers[i].execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
      if (!started.ok()) {
        errors[i] = std::move(started).error();
        return;
      }
      if (!mariadb) return;
      auto point = read_snapshot_point(workers[i]);
      if (!point.ok()) {
        errors[i] = std::move(point).error();
        return;
      }
      points[i] = *point;
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) return std::move(*e);
  }
  return points;
}

bool all_equal(const std::vector<SnapshotPoint>& points) {
  for (const auto& p : points) {
    if (!(p == points.front())) return false;
  }
  return true;
}

Status fill_gtid(net::ServerConnection& server, BinlogCoordinates& coordinates) {
  if (coordinates.file.empty()) return ok_status();
  MZL_TRY(auto gtid, server.scalar(fmt::format("SELECT BINLOG_GTID_POS({}, {})",
                                               net::quote_string(coordinates.file), coordinates.position)));
  coordinates.gtid = gtid.value_or("");
  return ok_status();
}

// MariaDB: BACKUP STAGE BLOCK_COMMIT (START must come first; FLUSH and BLOCK_DDL may be skipped, checked on
// 10.11), else FTWRL. `control` runs the lock statements.
Status open_mariadb(ConsistentStart& start, net::ServerConnection& control,
                    const ConsistentStartOptions& options) {
  const auto locked_at = Clock::now();
  bool backup_stage = false;
  if (!options.lock_non_transactional) {
    backup_stage =
        control.execute("BACKUP STAGE START").ok() && control.execute("BACKUP STAGE BLOCK_COMMIT").ok();
    if (!backup_stage) (void)control.execute("BACKUP STAGE END");
  }
  if (!backup_stage) MZL_CHECK(control.execute("FLUSH TABLES WITH READ LOCK"));
  auto points = open_transactions(start.workers, true);
  if (!points.ok() || !all_equal(*points)) {
    (void)control.execute(backup_stage ? "BACKUP STAGE END" : "UNLOCK TABLES");
    if (!points.ok()) return std::move(points).error();
    return Error(ErrorCode::kServer,
                 "the snapshot transactions saw different binlog positions under the lock")
        .at_r(control.server_name());
  }
  start.coordinates.file = points->front().file;
  start.coordinates.position = points->front().position;
  start.lock.method = backup_stage ? "backup_stage_block_commit" : "flush_tables_with_read_lock";
  if (options.lock_non_transactional) {
    start.lock_started_seconds = std::chrono::duration<double>(locked_at.time_since_epoch()).count();
    return fill_gtid(control, start.coordinates);  // the lock stays (lock_holder) until release_lock()
  }
  MZL_CHECK(control.execute(backup_stage ? "BACKUP STAGE END" : "UNLOCK TABLES"));
  start.lock.seconds = seconds_since(locked_at);
  return fill_gtid(control, start.coordinates);
}

// MySQL 8 (NOT TESTED: there is no MySQL server on this machine): FTWRL while the transactions open, with
// the binlog point and gtid_executed read from performance_schema.log_status under it.
Status open_mysql(ConsistentStart& start, net::ServerConnection& control,
                  const ConsistentStartOptions& options) {
  const std::string log_status =
      "SELECT JSON_UNQUOTE(JSON_EXTRACT(LOCAL, '$.binary_log_status.binary_log_file')), "
      "JSON_EXTRACT(LOCAL, '$.binary_log_status.binary_log_position'), "
      "JSON_UNQUOTE(JSON_EXTRACT(LOCAL, '$.gtid_executed')) FROM performance_schema.log_status";
  const auto read_point = [&]() -> Result<net::SqlRow> {
    MZL_TRY(auto rows, control.query(log_status));
    if (rows.size() != 1 || rows[0].size() != 3)
      return Error(ErrorCode::kServer, "performance_schema.log_status returned no row")
          .at_r(control.server_name());
    return rows[0];
  };
  const auto take = [&](const net::SqlRow& row) {
    start.coordinates.file = row[0].value_or("");
    start.coordinates.position = parse_u64(row[1]);
    start.coordinates.gtid = row[2].value_or("");
  };
  const auto locked_at = Clock::now();
  MZL_CHECK(control.execute("FLUSH TABLES WITH READ LOCK"));
  auto point = read_point();
  auto opened = point.ok() ? open_transactions(start.workers, false)
                           : Result<std::vector<SnapshotPoint>>(std::vector<SnapshotPoint>{});
  if (!point.ok() || !opened.ok()) {
    (void)control.execute("UNLOCK TABLES");
    return point.ok() ? std::move(opened).error() : std::move(point).error();
  }
  take(*point);
  start.lock.method = "flush_tables_with_read_lock";
  if (options.lock_non_transactional) {
    start.lock_started_seconds = std::chrono::duration<double>(locked_at.time_since_epoch()).count();
    return ok_status();
  }
  MZL_CHECK(control.execute("UNLOCK TABLES"));
  start.lock.seconds = seconds_since(locked_at);
  return ok_status();
}

}  // namespace

Status ConsistentStart::release_lock() {
  if (!lock_holder) return ok_status();
  Status unlocked = lock_holder->execute("UNLOCK TABLES");
  const double now = std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
  lock.seconds += now - lock_started_seconds;
  lock_holder.reset();
  return unlocked;
}

Result<ConsistentStart> open_consistent_snapshots(const net::ConnectionOptions& connection,
                                                  const ConsistentStartOptions& options) {
  if (options.connections == 0)
    return Error(ErrorCode::kInvalidArgument, "at least one connection is needed");
  ConsistentStart start;
  MZL_TRY(auto control, net::ServerConnection::connect(connection));
  start.workers.reserve(options.connections);
  for (unsigned i = 0; i < options.connections; ++i) {
    MZL_TRY(auto worker, net::ServerConnection::connect(connection));
    MZL_CHECK(prepare_worker(worker));
    start.workers.push_back(std::move(worker));
  }
  if (control.is_mariadb()) {
    MZL_CHECK(open_mariadb(start, control, options));
  } else {
    MZL_CHECK(open_mysql(start, control, options));
  }
  if (options.lock_non_transactional) start.lock_holder = std::move(control);
  return start;
}

Result<SnapshotServer> read_server_identity(net::ServerConnection& server, const std::string& source) {
  SnapshotServer identity;
  // server_name() is "user@host:port" (ConnectionOptions::describe()); the manifest keeps the address only.
  const std::string& name = server.server_name();
  const size_t at = name.rfind('@');
  identity.address = at == std::string::npos ? name : name.substr(at + 1);
  identity.source = source;
  identity.flavour = server.is_mariadb() ? "mariadb" : "mysql";
  MZL_TRY(auto rows, server.query("SELECT @@server_id, @@version"));
  if (rows.size() != 1 || rows[0].size() != 2)
    return Error(ErrorCode::kServer, "SELECT @@server_id returned no row").at_r(server.server_name());
  identity.server_id = static_cast<uint32_t>(parse_u64(rows[0][0]));
  identity.version = rows[0][1].value_or("");
  if (!server.is_mariadb()) {
    MZL_TRY(auto uuid, server.scalar("SELECT @@server_uuid"));
    identity.server_uuid = uuid.value_or("");
  }
  return identity;
}

}  // namespace mzl::snapshot
