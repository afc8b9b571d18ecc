#pragma once
// A scratch copy of some databases' tables on a server, where the DDL statements of a stream are replayed so
// that the server's own parser works out what they did (schema_tracker.h). Each real database D has the
// scratch database mzl_schema_<instance>_<first 12 hex digits of SHA-256(D)>, built from the schema
// history's create statements when first needed. Every statement runs with sql_log_bin=0 (the scratch never
// reaches the binlog or the replicas) and foreign_key_checks=0; the account needs CREATE, DROP, ALTER,
// INDEX and REFERENCES on mzl_schema_%, and the privilege to set sql_log_bin (SUPER or BINLOG ADMIN).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mzl/codec/query_event.h"
#include "mzl/net/connection_options.h"
#include "mzl/net/server_connection.h"
#include "mzl/schema/schema_history.h"
#include "mzl/util/result.h"

namespace mzl::schema {

class ScratchSchema {
 public:
  ScratchSchema(net::ConnectionOptions options, uint32_t instance);

  // "mzl_schema_<instance>_"; no real database of the stream may start with it.
  const std::string& prefix() const { return prefix_; }
  std::string scratch_name(std::string_view database) const;

  // The connection (opened, with the session settings, on first use and after a lost one).
  Result<net::ServerConnection*> connection();

  // Builds the scratch copy of `database` from `state` unless it is built already (dropped and created again
  // when it was forgotten()).
  Status materialize(std::string_view database, const SchemaState& state);
  // The scratch copy of `database` no longer matches the history (entries applied without replaying): it is
  // built again when next needed.
  void forget(std::string_view database) { built_.erase(std::string(database)); }
  void forget_all() { built_.clear(); }
  bool built(std::string_view database) const { return built_.count(std::string(database)) != 0; }
  void mark_built(std::string_view database) { built_.insert(std::string(database)); }

  // Runs `sql` (a DDL statement with its databases already replaced) as the statement of `query` ran on
  // its server: its sql_mode, character set and collations, with the scratch copy of query.db as the
  // default database. The server's error is returned as it is.
  Status run(const codec::QueryEvent& query, const std::string& sql);
  Status drop(std::string_view database);

 private:
  net::ConnectionOptions options_;
  std::string prefix_;
  std::optional<net::ServerConnection> connection_;
  std::set<std::string> built_;
};

}  // namespace mzl::schema
