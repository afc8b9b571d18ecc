#include "mzl/topology/server_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <limits>

#include "mzl/util/parse_number.h"

namespace mzl::topology {

const char* json_name(Flavour flavour) {
  return flavour == Flavour::kMariaDb ? "mariadb" : "mysql";
}

namespace {

// The value of the first of `names` the row has (servers rename columns between versions: Master_Host in
// MariaDB and MySQL before 8.0.22, Source_Host after). nullopt when none is there or the value is NULL.
std::optional<std::string_view> column(const net::NamedRow& row,
                                       std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    auto it = row.find(name);
    if (it != row.end()) {
      if (!it->second) return std::nullopt;
      return std::string_view(*it->second);
    }
  }
  return std::nullopt;
}

bool has_column(const net::NamedRow& row, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return row.contains(n); });
}

template <class T>
Result<T> number_column(const net::NamedRow& row, std::initializer_list<std::string_view> names, T fallback) {
  auto text = column(row, names);
  if (!text || text->empty()) return fallback;
  auto value = parse_uint(*text, *names.begin(), std::numeric_limits<T>::max());
  if (!value.ok()) return Error(value.error());
  return static_cast<T>(*value);
}

// SELECT @@read_only gives 0/1; SHOW VARIABLES gives OFF/ON.
bool flag_value(std::optional<std::string_view> text) {
  return text && !text->empty() && *text != "0" && *text != "OFF";
}

Result<gtid::MariaGtidPosition> maria_position(const net::NamedRow& row, std::string_view name) {
  auto text = column(row, {name});
  auto position = gtid::MariaGtidPosition::parse(text.value_or(""));
  if (!position.ok())
    return Error(ErrorCode::kCorrupt, fmt::format("{}: {}", name, position.error().message));
  return position;
}

Result<gtid::MysqlGtidSet> mysql_set(const net::NamedRow& row, std::string_view name) {
  auto text = column(row, {name});
  auto set = gtid::MysqlGtidSet::parse(text.value_or(""));
  if (!set.ok()) return Error(ErrorCode::kCorrupt, fmt::format("{}: {}", name, set.error().message));
  return set;
}

}  // namespace

Flavour flavour_of_version(std::string_view version) {
  return version.find("MariaDB") != std::string_view::npos ? Flavour::kMariaDb : Flavour::kMysql;
}

std::string server_variables_query(Flavour flavour) {
  if (flavour == Flavour::kMariaDb) {
    return "SELECT @@server_id AS server_id, @@version AS version, @@read_only AS read_only, "
           "@@log_bin AS log_bin, @@gtid_domain_id AS gtid_domain_id, @@gtid_binlog_pos AS gtid_binlog_pos, "
           "@@gtid_current_pos AS gtid_current_pos, @@gtid_slave_pos AS gtid_slave_pos";
  }
  return "SELECT @@server_id AS server_id, @@version AS version, @@read_only AS read_only, "
         "@@super_read_only AS super_read_only, @@log_bin AS log_bin, @@server_uuid AS server_uuid, "
         "@@global.gtid_executed AS gtid_executed";
}

std::string replication_channels_query(Flavour flavour) {
  // MariaDB: SHOW ALL SLAVES STATUS lists every named connection and adds Connection_name and
  // Gtid_Slave_Pos. MySQL: SHOW REPLICA STATUS lists every channel (8.0.22+).
  return flavour == Flavour::kMariaDb ? "SHOW ALL SLAVES STATUS" : "SHOW REPLICA STATUS";
}

Result<ReplicationChannel> parse_replication_channel(Flavour flavour, const net::NamedRow& row) {
  ReplicationChannel channel;
  channel.name = std::string(column(row, {"Connection_name", "Channel_Name", "Channel_name"}).value_or(""));
  auto host = column(row, {"Source_Host", "Master_Host"});
  if (!host) return Error(ErrorCode::kCorrupt, "replication status without Master_Host / Source_Host");
  channel.source.host = std::string(*host);
  MZL_TRY(channel.source.port, number_column<unsigned>(row, {"Source_Port", "Master_Port"}, 3306));
  MZL_TRY(uint32_t source_id, number_column<uint32_t>(row, {"Source_Server_Id", "Master_Server_Id"}, 0));
  if (source_id != 0) channel.source_server_id = source_id;
  channel.io_running = std::string(column(row, {"Replica_IO_Running", "Slave_IO_Running"}).value_or("No"));
  channel.sql_running = column(row, {"Replica_SQL_Running", "Slave_SQL_Running"}).value_or("No") == "Yes";
  channel.sql_state =
      std::string(column(row, {"Replica_SQL_Running_State", "Slave_SQL_Running_State"}).value_or(""));
  if (auto lag = column(row, {"Seconds_Behind_Source", "Seconds_Behind_Master"}); lag && !lag->empty()) {
    auto value = parse_uint(*lag, "Seconds_Behind_Master");
    if (!value.ok()) return Error(value.error());
    channel.seconds_behind = *value;
  }
  MZL_TRY(channel.last_io_errno, number_column<unsigned>(row, {"Last_IO_Errno"}, 0));
  channel.last_io_error = std::string(column(row, {"Last_IO_Error"}).value_or(""));
  MZL_TRY(channel.last_sql_errno, number_column<unsigned>(row, {"Last_SQL_Errno"}, 0));
  channel.last_sql_error = std::string(column(row, {"Last_SQL_Error"}).value_or(""));
  if (flavour == Flavour::kMariaDb) {
    channel.using_gtid = std::string(column(row, {"Using_Gtid"}).value_or("No"));
    MZL_TRY(channel.maria_received, maria_position(row, "Gtid_IO_Pos"));
  } else {
    channel.using_gtid = column(row, {"Auto_Position"}).value_or("0") == "1" ? "Auto_Position" : "No";
    if (!has_column(row, {"Retrieved_Gtid_Set"}))
      return Error(ErrorCode::kCorrupt, "replica status without Retrieved_Gtid_Set");
    MZL_TRY(channel.mysql_received, mysql_set(row, "Retrieved_Gtid_Set"));
  }
  return channel;
}

Result<ServerState> parse_server_state(const ServerAddress& address, const net::NamedRow& variables,
                                       const std::vector<net::NamedRow>& channel_rows) {
  ServerState state;
  state.address = address;
  state.version = std::string(column(variables, {"version"}).value_or(""));
  state.flavour = flavour_of_version(state.version);
  auto fail = [&](Error error) { return std::move(error).at_r(address.to_string()); };
  auto server_id = number_column<uint32_t>(variables, {"server_id"}, 0);
  if (!server_id.ok()) return fail(server_id.error());
  state.server_id = *server_id;
  state.read_only = flag_value(column(variables, {"read_only"}));
  state.super_read_only = flag_value(column(variables, {"super_read_only"}));
  state.log_bin = flag_value(column(variables, {"log_bin"}));
  if (state.flavour == Flavour::kMariaDb) {
    auto domain = number_column<uint32_t>(variables, {"gtid_domain_id"}, 0);
    if (!domain.ok()) return fail(domain.error());
    state.gtid_domain_id = *domain;
    for (auto [name, target] : {std::pair{"gtid_binlog_pos", &state.gtid_binlog_pos},
                                std::pair{"gtid_current_pos", &state.gtid_current_pos},
                                std::pair{"gtid_slave_pos", &state.gtid_slave_pos}}) {
      auto position = maria_position(variables, name);
      if (!position.ok()) return fail(position.error());
      *target = std::move(*position);
    }
  } else {
    state.server_uuid = std::string(column(variables, {"server_uuid"}).value_or(""));
    auto executed = mysql_set(variables, "gtid_executed");
    if (!executed.ok()) return fail(executed.error());
    state.gtid_executed = std::move(*executed);
  }
  for (const net::NamedRow& row : channel_rows) {
    auto channel = parse_replication_channel(state.flavour, row);
    if (!channel.ok()) return fail(channel.error());
    state.channels.push_back(std::move(*channel));
  }
  return state;
}

}  // namespace mzl::topology
