#pragma once
// The system variables the served archive answers for SELECT @@name and SHOW VARIABLES (replica_queries.h).
// Three kinds: what the archive knows of the archived server (server_id, version, binlog_checksum, the GTID
// position, server_uuid, gtid_domain_id, gtid_mode); what is true of the serve itself (read_only ON,
// log_bin ON, version_comment naming mzl so a replica's operator sees what it replicates from); and the
// connection defaults client libraries ask for (MySQL Connector/J and friends fail on an unknown variable;
// pinloki's constant_variables list in pinlokisession.cc has the same purpose). A variable we do not know
// (rpl_semi_sync_master_enabled, ...) is absent, which replicas read as "not supported here".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/serve/replica_queries.h"

namespace mzl::serve {

struct ServedVariable {
  std::string name;   // lower case, as SHOW VARIABLES prints it
  std::string value;  // as SHOW VARIABLES prints it (ON/OFF for a boolean)
  bool boolean = false;

  // As SELECT @@name prints it: a boolean is 1 or 0.
  std::string selected_value() const;
};

// Every variable `server` answers for, sorted by name (the order of SHOW VARIABLES). MariaDB and MySQL
// differ: gtid_domain_id and gtid_binlog_pos/gtid_current_pos/gtid_slave_pos are MariaDB's, server_uuid,
// gtid_mode and gtid_executed MySQL's.
std::vector<ServedVariable> served_variables(const ServedServer& server);

// The variable named `name` (any case), or nullopt when `server` has none by that name.
std::optional<ServedVariable> find_served_variable(const ServedServer& server, std::string_view name);

// True for ServedServer::flavour "mysql" (anything else is served as MariaDB).
bool is_mysql(const ServedServer& server);

}  // namespace mzl::serve
