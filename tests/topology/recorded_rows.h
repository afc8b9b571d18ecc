#pragma once
// Recorded server output for the topology tests: tests/topology/recorded/*.txt, in the mariadb/mysql
// client's vertical format (\G) as tests/topology/capture_mariadb_rows.sh prints it:
//   === server <i>: variables            then "name: value" lines (one row)
//   === server <i>: SHOW ... STATUS      then rows, each opened by a "*** <n>. row ***" line
// "NULL" is SQL NULL. A line without "name:" continues the previous value when that ends in ',' (MySQL
// prints GTID sets with ",\n" between UUIDs). Lines starting with '#' are comments.
#include <string>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/topology/topology.h"

namespace mzl::test {

struct RecordedServer {
  net::NamedRow variables;
  std::vector<net::NamedRow> channels;
};

// The servers of tests/topology/recorded/<name>, in file order (REQUIREs that it reads).
std::vector<RecordedServer> recorded_servers(const std::string& name);

// The recorded servers parsed into states, addressed 127.0.0.1:<first_port + i> (REQUIREs success).
std::vector<topology::ServerEntry> recorded_entries(const std::string& name, unsigned first_port);

}  // namespace mzl::test
