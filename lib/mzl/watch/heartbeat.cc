#include "mzl/watch/heartbeat.h"

#include <fmt/format.h>

#include "mzl/net/sql_text.h"

namespace mzl::watch {

namespace {
// ER_BAD_DB_ERROR and ER_NO_SUCH_TABLE: the table has not replicated to this server yet.
constexpr unsigned kUnknownDatabase = 1049;
constexpr unsigned kNoSuchTable = 1146;
}  // namespace

Result<Heartbeat> Heartbeat::for_table(std::string_view table) {
  const size_t dot = table.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == table.size() ||
      table.find('.', dot + 1) != std::string_view::npos) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("--heartbeat-table: '{}' is not database.table", table));
  }
  const std::string database = net::quote_identifier(table.substr(0, dot));
  return Heartbeat(database, database + "." + net::quote_identifier(table.substr(dot + 1)));
}

Result<std::string> Heartbeat::beat(net::ServerConnection& primary, uint32_t primary_server_id,
                                    bool mariadb) {
  if (!created_) {
    MZL_CHECK(primary.execute(fmt::format("CREATE DATABASE IF NOT EXISTS {}", database_),
                              "create the heartbeat database"));
    MZL_CHECK(primary.execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (server_id INT UNSIGNED NOT NULL "
                                          "PRIMARY KEY, ts DATETIME(6) NOT NULL)",
                                          table_),
                              fmt::format("create the heartbeat table {}", table_)));
    created_ = true;
  }
  MZL_CHECK(primary.execute(
      fmt::format("REPLACE INTO {} (server_id, ts) VALUES ({}, UTC_TIMESTAMP(6))", table_, primary_server_id),
      fmt::format("write the heartbeat into {}", table_)));
  MZL_TRY(auto position,
          primary.scalar(mariadb ? "SELECT @@global.gtid_binlog_pos" : "SELECT @@global.gtid_executed"));
  return position.value_or("");
}

Result<std::optional<double>> Heartbeat::lag(net::ServerConnection& replica,
                                             uint32_t primary_server_id) const {
  auto rows = replica.query(
      fmt::format("SELECT TIMESTAMPDIFF(MICROSECOND, ts, UTC_TIMESTAMP(6)) FROM {} WHERE server_id = {}",
                  table_, primary_server_id));
  if (!rows.ok()) {
    const unsigned number = replica.last_error_number();
    if (number == kUnknownDatabase || number == kNoSuchTable) return std::optional<double>();
    return std::move(rows).error();
  }
  if (rows->empty() || rows->front().empty() || !rows->front()[0]) return std::optional<double>();
  const double microseconds = std::strtod(rows->front()[0]->c_str(), nullptr);
  // A replica whose clock is behind the primary's would show a negative lag: none.
  return std::optional<double>(microseconds > 0 ? microseconds / 1e6 : 0.0);
}

}  // namespace mzl::watch
