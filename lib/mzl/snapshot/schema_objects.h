#pragma once
// The schema objects mzl-snapshot dumps, in restore order: the CREATE statements of databases, tables,
// views, routines, triggers, events and, on request, accounts and their grants, as the server prints them
// (SHOW CREATE ..., SHOW GRANTS).
#include <string>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/snapshot/catalog.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/table_info.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

// The schema objects in restore order: databases (SHOW CREATE DATABASE; `databases` and those of `tables`),
// `tables` (SHOW CREATE TABLE, with load_columns/load_set; a SEQUENCE prints as CREATE TABLE ... SEQUENCE=1),
// views (SHOW CREATE VIEW, each after the views it reads), procedures and functions (with their sql_mode and
// character sets), triggers of `tables` (in firing order), events, and with include_users every account
// except the server's own system accounts (root, mariadb.sys, mysql @localhost, MySQL's mysql.*) as kind
// "user" (SHOW CREATE USER, or CREATE ROLE for a role) followed by one "grant" object per statement of
// SHOW GRANTS FOR (name = the quoted account, e.g. "`app`@`%`"); an account row the server ignores (a host
// name under --skip-name-resolve, where SHOW CREATE USER finds no such user) is skipped. Views, routines and
// events are those of `databases`; `filter.exclude` patterns "db.name" also exclude them and triggers.
//
// The statements of views, routines, triggers and events do not always name their database: run each with
// `database` as the default database (USE), and with its sql_mode and character sets when they are set.
// Errors: kServer from the server; kAuth when a routine/trigger/event definition is hidden from the account.
Result<std::vector<SchemaObject>> read_schema_objects(net::ServerConnection& server,
                                                      const std::vector<std::string>& databases,
                                                      const std::vector<TableInfo>& tables,
                                                      bool include_users, const CatalogFilter& filter = {});

}  // namespace mzl::snapshot
