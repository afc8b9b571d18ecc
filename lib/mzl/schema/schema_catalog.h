#pragma once
// Reading table definitions from a server's information_schema (COLUMNS, COLLATIONS, SCHEMATA) and SHOW
// CREATE TABLE: the seed of a schema history, and what a DDL replayed on the scratch schema left behind.
#include <map>
#include <string>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/schema/schema_history.h"
#include "mzl/util/result.h"

namespace mzl::schema {

// Every table of `schema` (base tables, system-versioned tables and sequences: those whose rows are logged)
// with its columns in order; create statements are left empty.
Result<std::map<std::string, TableDefinition>> read_tables(net::ServerConnection& connection,
                                                           const std::string& schema);
Result<std::string> show_create_table(net::ServerConnection& connection, const std::string& schema,
                                      const std::string& table);
// The default collation of a database ("" when it does not exist).
Result<std::string> database_collation(net::ServerConnection& connection, const std::string& schema);

// The seed entries: every database but information_schema, performance_schema and sys, and every table in
// them with its create statement. `exclude_prefix`: databases whose name starts with it are left out (the
// scratch schemas).
Result<std::vector<HistoryEntry>> read_seed(net::ServerConnection& connection,
                                            const std::string& exclude_prefix);

}  // namespace mzl::schema
