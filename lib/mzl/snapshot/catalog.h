#pragma once
// Which tables mzl-snapshot dumps: the databases and base tables a filter selects, with their columns and
// keys, read from information_schema (the tables' types and transfer plans are table_info.h; their
// CREATE statements and the other schema objects, schema_objects.h).
#include <string>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/snapshot/table_info.h"
#include "mzl/util/result.h"
#include "mzl/util/table_filter.h"

namespace mzl::snapshot {

// Which tables to dump: the one table filter (util/table_filter.h, man/mzl.7 "Table filters"). With
// `tables`, views are dumped only when `tables` names them. The system schemas mysql, information_schema,
// performance_schema and sys are never dumped as data (users and grants come from
// read_schema_objects(include_users)).
using CatalogFilter = TableFilter;

// The databases the filter selects that exist on the server (sorted by name). A database named explicitly in
// `databases` that does not exist is kNotFound.
Result<std::vector<std::string>> list_databases(net::ServerConnection& server, const CatalogFilter& filter);

// The base tables the filter selects (views are schema objects), sorted by database and name. A table named
// explicitly (no wildcard) in `tables` that does not exist is kNotFound. Errors from the server are kServer.
Result<std::vector<TableInfo>> list_tables(net::ServerConnection& server, const CatalogFilter& filter);

}  // namespace mzl::snapshot
