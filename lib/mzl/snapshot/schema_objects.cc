#include "mzl/snapshot/schema_objects.h"

#include <fmt/format.h>
#include <mysqld_error.h>

#include <functional>
#include <set>
#include <string_view>
#include <utility>

#include "mzl/net/sql_text.h"
#include "mzl/snapshot/catalog_query.h"

namespace mzl::snapshot {

using namespace catalog_query;
using net::qualified_name;
using net::quote_identifier;

namespace {

SchemaObject schema_object(std::string kind, std::string database, std::string name, std::string sql = {}) {
  SchemaObject object;
  object.kind = std::move(kind);
  object.database = std::move(database);
  object.name = std::move(name);
  object.sql = std::move(sql);
  return object;
}

bool object_excluded(const CatalogFilter& filter, const std::string& database, const std::string& name) {
  return matches_any(filter.exclude, database + "." + name);
}

// With --tables, a view is dumped only when the patterns name it too (it may read tables left out).
bool view_excluded(const CatalogFilter& filter, const std::string& database, const std::string& name) {
  return object_excluded(filter, database, name) ||
         (!filter.tables.empty() && !matches_any(filter.tables, database + "." + name));
}

Result<net::SqlRow> show_create(net::ServerConnection& server, const std::string& what, size_t min_columns) {
  MZL_TRY(auto rows, server.query("SHOW CREATE " + what));
  if (rows.size() != 1 || rows[0].size() < min_columns)
    return Error(ErrorCode::kServer, fmt::format("SHOW CREATE {} returned an unexpected result", what))
        .at_r(server.server_name());
  return std::move(rows[0]);
}

// The value of a SHOW CREATE column that holds the statement; NULL means the account may not read it.
Result<std::string> statement(net::ServerConnection& server, const net::SqlRow& row, size_t i,
                              const std::string& what) {
  if (i >= row.size() || !row[i])
    return Error(ErrorCode::kAuth,
                 fmt::format("the server does not show the definition of {} to this account (it needs "
                             "SELECT on mysql.proc or to be the definer)",
                             what))
        .at_r(server.server_name());
  return *row[i];
}

// Views in an order where each comes after the views it reads: SHOW CREATE VIEW names every table it reads
// as `db`.`name`, so a view depends on each other view whose qualified name occurs in its definition (a
// false match only adds an ordering constraint; a cycle, which only false matches can make, keeps name
// order).
void order_views(std::vector<SchemaObject>& views) {
  const size_t n = views.size();
  std::vector<std::vector<size_t>> depends(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i != j && views[i].sql.find(qualified_name(views[j].database, views[j].name)) != std::string::npos)
        depends[i].push_back(j);
    }
  }
  std::vector<SchemaObject> ordered;
  std::vector<int> state(n, 0);  // 0 new, 1 in progress, 2 done
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] != 0) return;
    state[i] = 1;
    for (size_t j : depends[i]) visit(j);
    state[i] = 2;
    ordered.push_back(std::move(views[i]));
  };
  for (size_t i = 0; i < n; ++i) visit(i);
  views = std::move(ordered);
}

bool is_system_account(const std::string& user, const std::string& host) {
  if (host != "localhost") return false;
  return user == "root" || user == "mariadb.sys" || user == "mysql" || user == "mysql.sys" ||
         user == "mysql.session" || user == "mysql.infoschema";
}

Status read_views(net::ServerConnection& server, const std::vector<std::string>& databases,
                  const CatalogFilter& filter, std::vector<SchemaObject>& out) {
  MZL_TRY(auto rows, server.query(fmt::format("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.VIEWS "
                                              "WHERE TABLE_SCHEMA IN ({}) ORDER BY TABLE_SCHEMA, TABLE_NAME",
                                              string_list(databases))));
  std::vector<SchemaObject> views;
  for (const auto& row : rows) {
    SchemaObject view = schema_object("view", text(row, 0), text(row, 1));
    if (view_excluded(filter, view.database, view.name)) continue;
    MZL_TRY(auto created, show_create(server, "VIEW " + qualified_name(view.database, view.name), 4));
    view.sql = text(created, 1);
    view.character_set_client = text(created, 2);
    view.collation_connection = text(created, 3);
    views.push_back(std::move(view));
  }
  order_views(views);
  for (auto& v : views) out.push_back(std::move(v));
  return ok_status();
}

// SHOW CREATE PROCEDURE|FUNCTION|TRIGGER|EVENT: sql_mode in column 1, the statement in `sql_column`, then
// character_set_client and collation_connection.
Status add_stored_program(net::ServerConnection& server, std::string_view keyword, size_t sql_column,
                          SchemaObject object, std::vector<SchemaObject>& out) {
  const std::string what = fmt::format("{} {}", keyword, qualified_name(object.database, object.name));
  MZL_TRY(auto created, show_create(server, what, sql_column + 3));
  MZL_TRY(object.sql, statement(server, created, sql_column, what));
  object.sql_mode = text(created, 1);
  object.character_set_client = text(created, sql_column + 1);
  object.collation_connection = text(created, sql_column + 2);
  out.push_back(std::move(object));
  return ok_status();
}

Status read_routines(net::ServerConnection& server, const std::vector<std::string>& databases,
                     const CatalogFilter& filter, std::vector<SchemaObject>& out) {
  MZL_TRY(auto rows, server.query(fmt::format(
                         "SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE FROM "
                         "information_schema.ROUTINES WHERE ROUTINE_SCHEMA IN ({}) AND ROUTINE_TYPE IN "
                         "('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_SCHEMA, ROUTINE_TYPE, ROUTINE_NAME",
                         string_list(databases))));
  for (const auto& row : rows) {
    const bool procedure = text(row, 2) == "PROCEDURE";
    SchemaObject routine = schema_object(procedure ? "procedure" : "function", text(row, 0), text(row, 1));
    if (object_excluded(filter, routine.database, routine.name)) continue;
    // Procedure, sql_mode, Create Procedure, character_set_client, collation_connection, Database Collation
    MZL_CHECK(add_stored_program(server, procedure ? "PROCEDURE" : "FUNCTION", 2, std::move(routine), out));
  }
  return ok_status();
}

Status read_triggers(net::ServerConnection& server, const std::vector<TableInfo>& tables,
                     const CatalogFilter& filter, std::vector<SchemaObject>& out) {
  std::set<TableKey> dumped;
  std::set<std::string> databases;
  for (const auto& t : tables) {
    dumped.insert({t.database, t.name});
    databases.insert(t.database);
  }
  if (databases.empty()) return ok_status();
  // ACTION_ORDER: triggers of one table, timing and event are created in the order they fire.
  MZL_TRY(auto rows,
          server.query(fmt::format(
              "SELECT TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE FROM "
              "information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA IN ({}) ORDER BY "
              "EVENT_OBJECT_SCHEMA, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER",
              string_list({databases.begin(), databases.end()}))));
  for (const auto& row : rows) {
    if (!dumped.count({text(row, 2), text(row, 3)})) continue;
    SchemaObject trigger = schema_object("trigger", text(row, 0), text(row, 1));
    if (object_excluded(filter, trigger.database, trigger.name)) continue;
    // Trigger, sql_mode, SQL Original Statement, character_set_client, collation_connection, ...
    MZL_CHECK(add_stored_program(server, "TRIGGER", 2, std::move(trigger), out));
  }
  return ok_status();
}

Status read_events(net::ServerConnection& server, const std::vector<std::string>& databases,
                   const CatalogFilter& filter, std::vector<SchemaObject>& out) {
  MZL_TRY(auto rows,
          server.query(fmt::format("SELECT EVENT_SCHEMA, EVENT_NAME FROM information_schema.EVENTS "
                                   "WHERE EVENT_SCHEMA IN ({}) ORDER BY EVENT_SCHEMA, EVENT_NAME",
                                   string_list(databases))));
  for (const auto& row : rows) {
    SchemaObject event = schema_object("event", text(row, 0), text(row, 1));
    if (object_excluded(filter, event.database, event.name)) continue;
    // Event, sql_mode, time_zone, Create Event, character_set_client, collation_connection, ...
    MZL_CHECK(add_stored_program(server, "EVENT", 3, std::move(event), out));
  }
  return ok_status();
}

Status read_accounts(net::ServerConnection& server, std::vector<SchemaObject>& out) {
  // MariaDB marks roles in mysql.user; MySQL has no such column (its roles are locked accounts).
  auto rows = server.query("SELECT User, Host, is_role FROM mysql.user ORDER BY User, Host");
  if (!rows.ok()) rows = server.query("SELECT User, Host, 'N' FROM mysql.user ORDER BY User, Host");
  if (!rows.ok()) return std::move(rows).error();
  std::vector<SchemaObject> grants;
  for (const auto& row : *rows) {
    const std::string& user = text(row, 0);
    const std::string& host = text(row, 1);
    if (is_system_account(user, host)) continue;
    const bool role = text(row, 2) == "Y";
    const std::string account =
        role ? quote_identifier(user) : quote_identifier(user) + "@" + quote_identifier(host);
    SchemaObject object = schema_object("user", "", account);
    if (role) {
      object.sql = "CREATE ROLE " + account;
    } else {
      auto created = show_create(server, "USER " + account, 1);
      // ER_PASSWORD_NO_MATCH: a row the server ignores (a host name under --skip-name-resolve): nobody can
      // log in with it, so there is nothing to restore.
      if (!created.ok() && server.last_error_number() == ER_PASSWORD_NO_MATCH) continue;
      if (!created.ok()) return std::move(created).error();
      object.sql = text(*created, 0);
    }
    out.push_back(std::move(object));
    MZL_TRY(auto granted, server.query("SHOW GRANTS FOR " + account));
    for (const auto& g : granted) grants.push_back(schema_object("grant", "", account, text(g, 0)));
  }
  for (auto& g : grants) out.push_back(std::move(g));
  return ok_status();
}

}  // namespace

Result<std::vector<SchemaObject>> read_schema_objects(net::ServerConnection& server,
                                                      const std::vector<std::string>& databases,
                                                      const std::vector<TableInfo>& tables,
                                                      bool include_users, const CatalogFilter& filter) {
  CatalogSession session(server);
  MZL_CHECK(session.enter());
  std::vector<SchemaObject> out;
  std::set<std::string> all_databases(databases.begin(), databases.end());
  for (const auto& t : tables) all_databases.insert(t.database);
  for (const auto& db : all_databases) {
    MZL_TRY(auto created, show_create(server, "DATABASE " + quote_identifier(db), 2));
    out.push_back(schema_object("database", db, db, text(created, 1)));
  }
  for (const auto& t : tables) {
    MZL_TRY(auto created, show_create(server, "TABLE " + qualified_name(t.database, t.name), 2));
    SchemaObject table = schema_object("table", t.database, t.name, text(created, 1));
    table.load_columns = t.load_columns;
    table.load_set = t.load_set;
    out.push_back(std::move(table));
  }
  if (!databases.empty()) {
    MZL_CHECK(read_views(server, databases, filter, out));
    MZL_CHECK(read_routines(server, databases, filter, out));
  }
  MZL_CHECK(read_triggers(server, tables, filter, out));
  if (!databases.empty()) MZL_CHECK(read_events(server, databases, filter, out));
  if (include_users) MZL_CHECK(read_accounts(server, out));
  MZL_CHECK(session.restore());
  return out;
}

}  // namespace mzl::snapshot
