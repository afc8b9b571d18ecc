#include "mzl/load/schema_applier.h"

#include <fmt/format.h>

#include <algorithm>

#include "mzl/load/deferred_keys.h"
#include "mzl/net/sql_text.h"

namespace mzl::load {

namespace {

constexpr const char* kDefaultCharset = "utf8mb4";
constexpr const char* kDefaultCollation = "utf8mb4_general_ci";

// The statements of an object: a "grant" object holds an account's GRANT statements joined by ";\n".
std::vector<std::string> statements_of(const snapshot::SchemaObject& object) {
  if (object.kind != "grant") return {object.sql};
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t end = object.sql.find(";\n", start);
    std::string part = object.sql.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!part.empty()) out.push_back(std::move(part));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

std::string describe(const snapshot::SchemaObject& o) {
  if (o.database.empty()) return fmt::format("{} {}", o.kind, o.name);
  return fmt::format("{} {}", o.kind, net::qualified_name(o.database, o.name));
}

}  // namespace

Status SchemaApplier::prepare(bool write_binlog, bool defer_keys) {
  defer_keys_ = defer_keys;
  MZL_CHECK(server_.execute("SET SESSION foreign_key_checks = 0"));
  if (!write_binlog) MZL_CHECK(server_.execute("SET SESSION sql_log_bin = 0"));
  MZL_TRY(std::optional<std::string> mode, server_.scalar("SELECT @@SESSION.sql_mode"));
  default_sql_mode_ = mode.value_or("");
  sql_mode_ = default_sql_mode_;
  return ok_status();
}

Status SchemaApplier::check_targets(bool allow_existing) {
  if (allow_existing) return ok_status();
  for (const std::string& database : selection_.target_databases()) {
    MZL_TRY(
        std::optional<std::string> count,
        server_.scalar(fmt::format("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {}",
                                   net::quote_string(database))));
    if (count.value_or("0") != "0") {
      return Error{
          ErrorCode::kInvalidArgument,
          fmt::format("database {} already holds {} table(s) or view(s); the loader does not load into "
                      "existing databases unless told to (allow_existing), and never replaces a table",
                      net::quote_identifier(database), *count)}
          .at_r(server_.server_name());
    }
  }
  return ok_status();
}

Status SchemaApplier::set_session(const snapshot::SchemaObject& o) {
  const std::string& mode = o.sql_mode.empty() ? default_sql_mode_ : o.sql_mode;
  if (mode != sql_mode_) {
    MZL_CHECK(server_.execute(fmt::format("SET SESSION sql_mode = {}", net::quote_string(mode))));
    sql_mode_ = mode;
  }
  const std::string client = o.character_set_client.empty() ? kDefaultCharset : o.character_set_client;
  const std::string collation = o.collation_connection.empty() ? kDefaultCollation : o.collation_connection;
  if (client != charset_client_ || collation != collation_) {
    MZL_CHECK(server_.execute(fmt::format("SET SESSION character_set_client = {}, collation_connection = {}",
                                          net::quote_string(client), net::quote_string(collation))));
    charset_client_ = client;
    collation_ = collation;
  }
  return ok_status();
}

Status SchemaApplier::create(const snapshot::SchemaObject& o) {
  MZL_CHECK(set_session(o));
  std::vector<std::string> statements;
  if (o.kind == "database") {
    MZL_TRY(std::string sql, create_database_statement(o.sql, selection_.target_database(o.database)));
    statements.push_back(std::move(sql));
  } else if (o.kind == "table" && defer_keys_ && !is_referenced(o.database, o.name, table_statements_)) {
    std::optional<DeferredKeys> split = split_secondary_keys(o.sql);
    if (split) {
      const std::string& database = selection_.target_database(o.database);
      MZL_CHECK(server_.execute("USE " + net::quote_identifier(database)));
      statements.push_back(std::move(split->create_sql));
      deferred_.push_back({database, o.name, std::move(split->keys), o.character_set_client});
    }
  }
  if (statements.empty()) {
    if (!o.database.empty()) {
      MZL_CHECK(server_.execute("USE " + net::quote_identifier(selection_.target_database(o.database))));
    }
    statements = statements_of(o);
  }
  for (const std::string& sql : statements) {
    MZL_CHECK(server_.execute(sql, fmt::format("creating {}", describe(o))));
  }
  return ok_status();
}

Status SchemaApplier::create_databases_and_tables(const std::vector<snapshot::SchemaObject>& objects) {
  table_statements_.clear();
  for (const snapshot::SchemaObject& o : objects) {
    if (o.kind == "table") table_statements_.emplace_back(o.database, o.sql);
  }
  for (const snapshot::SchemaObject& o : objects) {
    if ((o.kind != "database" && o.kind != "table") || !selection_.includes(o)) continue;
    MZL_CHECK(create(o));
    ++(o.kind == "database" ? databases_ : tables_);
  }
  return ok_status();
}

Result<bool> SchemaApplier::create_with_retries(std::vector<const snapshot::SchemaObject*>& views,
                                                std::optional<Error>& last) {
  bool progress = true;
  while (!views.empty() && progress) {
    progress = false;
    std::vector<const snapshot::SchemaObject*> failed;
    for (const snapshot::SchemaObject* view : views) {
      Status status = create(*view);
      if (status.ok()) {
        ++objects_;
        progress = true;
        continue;
      }
      if (status.error().code != ErrorCode::kServer) return std::move(status).error();
      last = std::move(status).error();
      failed.push_back(view);
    }
    views = std::move(failed);
  }
  return views.empty();
}

Status SchemaApplier::create_objects_after_data(const std::vector<snapshot::SchemaObject>& objects) {
  auto selected = [&](std::initializer_list<std::string_view> kinds) {
    std::vector<const snapshot::SchemaObject*> out;
    for (const snapshot::SchemaObject& o : objects) {
      if (std::find(kinds.begin(), kinds.end(), o.kind) != kinds.end() && selection_.includes(o))
        out.push_back(&o);
    }
    return out;
  };
  // Accounts first: a view's DEFINER must exist when it is created (error 1449). Their grants come last,
  // when the tables and routines they name exist.
  for (const snapshot::SchemaObject* o : selected({"user"})) {
    MZL_CHECK(create(*o));
    ++objects_;
  }
  // Views are retried as what they read appears: other views, then stored functions, then (for a view
  // whose DEFINER needs them) the grants, which in turn may name views.
  std::vector<const snapshot::SchemaObject*> pending = selected({"view"});
  std::optional<Error> last_error;
  MZL_TRY(bool done, create_with_retries(pending, last_error));
  for (std::string_view kind : {"procedure", "function", "trigger", "event"}) {
    for (const snapshot::SchemaObject* o : selected({kind})) {
      MZL_CHECK(create(*o));
      ++objects_;
    }
    if (!done && kind == "function") {
      MZL_TRY(done, create_with_retries(pending, last_error));
    }
  }
  const std::vector<const snapshot::SchemaObject*> grants = selected({"grant"});
  pending.insert(pending.end(), grants.begin(), grants.end());
  MZL_TRY(done, create_with_retries(pending, last_error));
  if (!done) return *last_error;
  return ok_status();
}

}  // namespace mzl::load
