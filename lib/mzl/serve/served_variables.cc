#include "mzl/serve/served_variables.h"

#include <algorithm>

#include "mzl/serve/sql_tokens.h"

namespace mzl::serve {

std::string ServedVariable::selected_value() const {
  if (!boolean) return value;
  return value == "ON" ? "1" : "0";
}

bool is_mysql(const ServedServer& server) {
  return equals_ignoring_case(server.flavour, "mysql");
}

std::vector<ServedVariable> served_variables(const ServedServer& server) {
  const bool mysql = is_mysql(server);
  // Connection defaults: the server defaults of MariaDB 10.11 and MySQL 8.0 where they differ.
  const std::string collation = mysql ? "utf8mb4_0900_ai_ci" : "utf8mb4_general_ci";
  std::vector<ServedVariable> vars = {
      {"auto_increment_increment", "1"},
      {"autocommit", "ON", true},
      {"binlog_checksum", server.binlog_checksum},
      {"character_set_client", "utf8mb4"},
      {"character_set_connection", "utf8mb4"},
      {"character_set_results", "utf8mb4"},
      {"character_set_server", "utf8mb4"},
      {"collation_connection", collation},
      {"collation_server", collation},
      {"init_connect", ""},
      {"interactive_timeout", "28800"},
      {"license", "GPL"},
      {"log_bin", "ON", true},
      {"lower_case_table_names", "0"},
      {"max_allowed_packet", mysql ? "67108864" : "16777216"},
      {"net_write_timeout", "60"},
      {"performance_schema", "OFF", true},
      {"read_only", "ON", true},
      {"server_id", std::to_string(server.server_id)},
      {"sql_mode", ""},
      {"system_time_zone", "UTC"},
      {"time_zone", "SYSTEM"},
      {"version", server.server_version},
      {"version_comment", "mzl-binlog-tail --serve"},
      {"wait_timeout", "28800"},
  };
  if (mysql) {
    vars.push_back({"gtid_executed", server.gtid_position});
    vars.push_back({"gtid_mode", server.gtid_mode});
    vars.push_back({"server_uuid", server.server_uuid});
    vars.push_back({"transaction_isolation", "REPEATABLE-READ"});
  } else {
    // The served position stands for all three: the archive is what a replica of it would have applied.
    vars.push_back({"gtid_binlog_pos", server.gtid_position});
    vars.push_back({"gtid_current_pos", server.gtid_position});
    vars.push_back({"gtid_domain_id", std::to_string(server.gtid_domain_id)});
    vars.push_back({"gtid_slave_pos", server.gtid_position});
    vars.push_back({"query_cache_size", "1048576"});
    vars.push_back({"query_cache_type", "OFF"});
    vars.push_back({"tx_isolation", "REPEATABLE-READ"});
  }
  std::sort(vars.begin(), vars.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return vars;
}

std::optional<ServedVariable> find_served_variable(const ServedServer& server, std::string_view name) {
  for (auto& v : served_variables(server)) {
    if (equals_ignoring_case(v.name, name)) return v;
  }
  return std::nullopt;
}

}  // namespace mzl::serve
