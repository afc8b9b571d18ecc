#include "mzl/schema/scratch_schema.h"

#include <fmt/format.h>

#include "mzl/net/sql_text.h"
#include "mzl/util/sha256.h"

namespace mzl::schema {

ScratchSchema::ScratchSchema(net::ConnectionOptions options, uint32_t instance)
    : options_(std::move(options)), prefix_(fmt::format("mzl_schema_{}_", instance)) {}

std::string ScratchSchema::scratch_name(std::string_view database) const {
  const std::string digest =
      sha256_hex(std::span(reinterpret_cast<const uint8_t*>(database.data()), database.size()));
  return prefix_ + digest.substr(0, 12);
}

Result<net::ServerConnection*> ScratchSchema::connection() {
  if (connection_) return &*connection_;
  MZL_TRY(auto connection, net::ServerConnection::connect(options_));
  Status session =
      connection.execute("SET SESSION sql_log_bin = 0, foreign_key_checks = 0", "scratch schema session");
  if (!session.ok()) {
    Error e = std::move(session).error();
    e.message +=
        " (following DDL replays it on a scratch schema with sql_log_bin=0: the account needs SUPER or "
        "BINLOG ADMIN, and CREATE, DROP, ALTER, INDEX, REFERENCES on `mzl_schema_%`)";
    return e;
  }
  built_.clear();  // a new session starts from the history again
  connection_.emplace(std::move(connection));
  return &*connection_;
}

Status ScratchSchema::materialize(std::string_view database, const SchemaState& state) {
  if (built(database)) return ok_status();
  MZL_TRY(net::ServerConnection * c, connection());
  const std::string name = net::quote_identifier(scratch_name(database));
  const std::string collation = state.collation(database);
  Status status = c->execute(fmt::format("DROP DATABASE IF EXISTS {}", name), "scratch schema");
  if (status.ok()) {
    status = c->execute(fmt::format("CREATE DATABASE {}{}", name,
                                    collation.empty() ? "" : " COLLATE " + net::quote_identifier(collation)),
                        "scratch schema");
  }
  if (status.ok()) status = c->execute(fmt::format("USE {}", name), "scratch schema");
  for (const TableDefinition* table : state.tables_of(database)) {
    if (!status.ok()) break;
    // The session's sql_mode is the server default here: SHOW CREATE TABLE output is valid in it.
    status = c->execute(table->create_statement,
                        fmt::format("building the scratch copy of `{}`.`{}`", table->database, table->table));
  }
  if (!status.ok()) {
    connection_.reset();
    return std::move(status).error().at_r(fmt::format("scratch schema {} on {}", name, options_.describe()));
  }
  mark_built(database);
  return ok_status();
}

Status ScratchSchema::run(const codec::QueryEvent& query, const std::string& sql) {
  MZL_TRY(net::ServerConnection * c, connection());
  std::string settings = "SET SESSION sql_mode = " + std::to_string(query.status.sql_mode.value_or(0));
  if (query.status.charset_client) {
    settings += fmt::format(", character_set_client = {}, collation_connection = {}, collation_server = {}",
                            *query.status.charset_client,
                            query.status.collation_connection.value_or(*query.status.charset_client),
                            query.status.collation_server.value_or(*query.status.charset_client));
  }
  MZL_CHECK(c->execute(settings, "scratch schema session"));
  if (!query.db.empty()) {
    MZL_CHECK(
        c->execute(fmt::format("USE {}", net::quote_identifier(scratch_name(query.db))), "scratch schema"));
  }
  Status status = c->execute(sql, "the DDL replayed on the scratch schema");
  // Back to the connection's own settings for the next statement (create statements, queries).
  Status reset = c->execute(
      "SET SESSION sql_mode = DEFAULT, character_set_client = utf8mb4, "
      "collation_connection = utf8mb4_general_ci, collation_server = DEFAULT",
      "scratch schema session");
  MZL_CHECK(status);
  return reset;
}

Status ScratchSchema::drop(std::string_view database) {
  MZL_TRY(net::ServerConnection * c, connection());
  forget(database);
  return c->execute(fmt::format("DROP DATABASE IF EXISTS {}", net::quote_identifier(scratch_name(database))),
                    "scratch schema");
}

}  // namespace mzl::schema
