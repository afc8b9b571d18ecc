#include "mzl/snapshot/catalog.h"

#include <fmt/format.h>
#include <mysqld_error.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

namespace mzl::snapshot {

using net::is_system_schema;
using net::qualified_name;
using net::quote_identifier;
using net::quote_string;

namespace {

bool is_integer_type(std::string_view t) {
  return t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bigint";
}

// "'a','b'" for an IN list.
std::string string_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ',';
    out += quote_string(v);
  }
  return out;
}

const std::string& text(const net::SqlRow& row, size_t i) {
  static const std::string kEmpty;
  return i < row.size() && row[i] ? *row[i] : kEmpty;
}

uint64_t number(const net::SqlRow& row, size_t i) {
  const std::string& s = text(row, i);
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') break;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// The catalog is read with utf8mb4 results and an empty sql_mode (so SHOW CREATE quotes with backticks and
// prints every table option); the caller's session settings are put back afterwards.
class CatalogSession {
 public:
  explicit CatalogSession(net::ServerConnection& server) : server_(server) {}
  ~CatalogSession() { (void)restore(); }

  Status enter() {
    MZL_TRY(auto rows, server_.query("SELECT @@character_set_client, @@character_set_results, "
                                     "@@collation_connection, @@session.sql_mode"));
    if (rows.size() != 1 || rows[0].size() != 4)
      return Error(ErrorCode::kServer, "unexpected session variables");
    const auto value = [](const std::optional<std::string>& v) { return v ? quote_string(*v) : "NULL"; };
    saved_ = fmt::format(
        "SET SESSION character_set_client = {}, character_set_results = {}, collation_connection = {}, "
        "sql_mode = {}",
        value(rows[0][0]), value(rows[0][1]), value(rows[0][2]), value(rows[0][3]));
    MZL_CHECK(server_.execute("SET NAMES utf8mb4"));
    return server_.execute("SET SESSION sql_mode = '', sql_quote_show_create = 1");
  }

  Status restore() {
    if (saved_.empty()) return ok_status();
    std::string statement = std::exchange(saved_, {});
    return server_.execute(statement);
  }

 private:
  net::ServerConnection& server_;
  std::string saved_;
};

struct TableKey {
  std::string database, name;
  auto operator<=>(const TableKey&) const = default;
};

bool table_selected(const CatalogFilter& filter, const std::string& database, const std::string& table) {
  return !is_system_schema(database) && filter.selects_table(database, table);
}

Status fill_columns(net::ServerConnection& server, const std::vector<std::string>& databases,
                    std::map<TableKey, TableInfo*>& by_key) {
  MZL_TRY(auto rows, server.query(fmt::format(
                         "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_GENERATED "
                         "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ({}) "
                         "ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
                         string_list(databases))));
  for (const auto& row : rows) {
    auto it = by_key.find({text(row, 0), text(row, 1)});
    if (it == by_key.end()) continue;
    if (text(row, 5) == "ALWAYS") continue;  // VIRTUAL / STORED / PERSISTENT generated: computed on load
    ColumnInfo column;
    column.name = text(row, 2);
    column.data_type = text(row, 3);
    column.column_type = text(row, 4);
    it->second->columns.push_back(std::move(column));
  }
  return ok_status();
}

Status fill_keys(net::ServerConnection& server, const std::vector<std::string>& databases,
                 std::map<TableKey, TableInfo*>& by_key) {
  // information_schema.STATISTICS lists a table's keys in the table's key order, PRIMARY first.
  MZL_TRY(auto rows,
          server.query(fmt::format("SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, "
                                   "NULLABLE FROM information_schema.STATISTICS WHERE NON_UNIQUE = 0 AND "
                                   "TABLE_SCHEMA IN ({})",
                                   string_list(databases))));
  struct Key {
    std::vector<std::pair<uint64_t, std::string>> columns;
    bool nullable = false;
    size_t first_seen = 0;
  };
  std::map<TableKey, std::map<std::string, Key>> keys;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    TableKey table{text(row, 0), text(row, 1)};
    if (!by_key.count(table)) continue;
    auto [it, inserted] = keys[table].try_emplace(text(row, 2));
    if (inserted) it->second.first_seen = i;
    it->second.columns.emplace_back(number(row, 3), text(row, 4));
    if (text(row, 5) == "YES") it->second.nullable = true;
  }
  for (auto& [table, table_keys] : keys) {
    const Key* chosen = nullptr;
    if (auto primary = table_keys.find("PRIMARY"); primary != table_keys.end()) {
      chosen = &primary->second;
    } else {
      for (const auto& [name, key] : table_keys) {
        if (!key.nullable && (chosen == nullptr || key.first_seen < chosen->first_seen)) chosen = &key;
      }
    }
    if (chosen == nullptr) continue;
    auto columns = chosen->columns;
    std::sort(columns.begin(), columns.end());
    TableInfo& info = *by_key[table];
    for (auto& c : columns) info.key_columns.push_back(std::move(c.second));
  }
  return ok_status();
}

}  // namespace

void plan_column_transfer(ColumnInfo& column, size_t /*index*/) {
  const std::string quoted = quote_identifier(column.name);
  column.select_expr = quoted;
  column.load_target = quoted;
  column.set_clause.clear();
  const std::string& type = column.data_type;
  if (type == "float") {
    // The text protocol prints FLOAT with 6 significant digits (3.40282e38); as DOUBLE it prints the
    // shortest decimal that reads back as the same double, which is exactly the float's value.
    column.select_expr = fmt::format("CAST({} AS DOUBLE)", quoted);
  } else if (type == "inet6" || type == "uuid" || type == "inet4") {
    // These print as text but take a binary-charset string (CHARACTER SET binary) as their binary form.
    column.select_expr = fmt::format("CAST({} AS BINARY({}))", quoted, type == "inet4" ? 4 : 16);
  }
}

void finish_table_plan(TableInfo& table) {
  table.select_list.clear();
  table.load_columns.clear();
  table.load_set.clear();
  for (const auto& c : table.columns) {
    if (!table.select_list.empty()) table.select_list += ',';
    table.select_list += c.select_expr;
    if (!table.load_columns.empty()) table.load_columns += ',';
    table.load_columns += c.load_target;
    if (c.set_clause.empty()) continue;
    if (!table.load_set.empty()) table.load_set += ',';
    table.load_set += c.set_clause;
  }
}

Result<std::vector<std::string>> list_databases(net::ServerConnection& server, const CatalogFilter& filter) {
  MZL_TRY(auto rows,
          server.query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME"));
  std::set<std::string> existing;
  for (const auto& row : rows) existing.insert(text(row, 0));
  for (const auto& name : filter.databases) {
    if (!has_wildcard(name) && !existing.count(name))
      return Error(ErrorCode::kNotFound, fmt::format("database {} does not exist", quote_identifier(name)))
          .at_r(server.server_name());
  }
  std::vector<std::string> out;
  for (const auto& db : existing) {
    if (is_system_schema(db) || matches_any(filter.exclude, db)) continue;
    if ((filter.databases.empty() || matches_any(filter.databases, db)) &&
        (filter.tables.empty() || filter.database_named_by_tables(db))) {
      out.push_back(db);
    }
  }
  return out;
}

Result<std::vector<TableInfo>> list_tables(net::ServerConnection& server, const CatalogFilter& filter) {
  CatalogSession session(server);
  MZL_CHECK(session.enter());
  MZL_TRY(auto engines, server.query("SELECT ENGINE, TRANSACTIONS FROM information_schema.ENGINES"));
  std::map<std::string, bool> transactional;
  for (const auto& row : engines) transactional[text(row, 0)] = text(row, 1) == "YES";

  // SYSTEM VERSIONED tables are dumped with their current rows; a SEQUENCE is a one-row table that
  // SHOW CREATE TABLE prints as CREATE TABLE ... SEQUENCE=1 and LOAD DATA sets.
  MZL_TRY(auto rows, server.query("SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_ROWS, DATA_LENGTH "
                                  "FROM information_schema.TABLES WHERE TABLE_TYPE IN "
                                  "('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE') AND TABLE_SCHEMA NOT IN "
                                  "('mysql', 'information_schema', 'performance_schema', 'sys') "
                                  "ORDER BY TABLE_SCHEMA, TABLE_NAME"));
  for (const auto& name : filter.tables) {
    if (has_wildcard(name)) continue;
    const bool found = std::any_of(rows.begin(), rows.end(), [&](const net::SqlRow& r) {
      return text(r, 0) + "." + text(r, 1) == name;
    });
    if (!found)
      return Error(ErrorCode::kNotFound,
                   fmt::format("table {} does not exist (or is not a base table)", name))
          .at_r(server.server_name());
  }
  MZL_TRY(auto databases, list_databases(server, filter));
  (void)databases;  // checks that explicitly named databases exist

  std::vector<TableInfo> tables;
  for (const auto& row : rows) {
    if (!table_selected(filter, text(row, 0), text(row, 1))) continue;
    TableInfo t;
    t.database = text(row, 0);
    t.name = text(row, 1);
    t.engine = text(row, 2);
    auto engine = transactional.find(t.engine);
    t.transactional = engine != transactional.end() && engine->second;
    t.estimated_rows = number(row, 3);
    t.data_bytes = number(row, 4);
    tables.push_back(std::move(t));
  }
  if (tables.empty()) {
    MZL_CHECK(session.restore());
    return tables;
  }

  std::map<TableKey, TableInfo*> by_key;
  std::set<std::string> table_databases;
  for (auto& t : tables) {
    by_key[{t.database, t.name}] = &t;
    table_databases.insert(t.database);
  }
  const std::vector<std::string> db_list(table_databases.begin(), table_databases.end());
  MZL_CHECK(fill_columns(server, db_list, by_key));
  MZL_CHECK(fill_keys(server, db_list, by_key));
  for (auto& t : tables) {
    for (size_t i = 0; i < t.columns.size(); ++i) plan_column_transfer(t.columns[i], i + 1);
    finish_table_plan(t);
    if (!t.key_columns.empty()) {
      for (const auto& c : t.columns) {
        if (c.name == t.key_columns[0]) t.first_key_column_is_integer = is_integer_type(c.data_type);
      }
    }
  }
  MZL_CHECK(session.restore());
  return tables;
}

}  // namespace mzl::snapshot

namespace mzl::snapshot {
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
