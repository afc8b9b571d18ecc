#pragma once
// Creating a snapshot's schema objects on the target (snapshot_loader.h gives the order, the session each
// object runs in, renaming and the view retries) over one connection.
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/load/load_selection.h"
#include "mzl/net/server_connection.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::load {

// A table created without its plain secondary keys (deferred_keys.h), to be added after its data.
struct DeferredTable {
  std::string database;  // target database
  std::string table;
  std::vector<std::string> keys;
  std::string character_set_client;  // the table's recorded one ("" for the default)
};

class SchemaApplier {
 public:
  // `server` and `selection` must outlive the applier.
  SchemaApplier(net::ServerConnection& server, const LoadSelection& selection)
      : server_(server), selection_(selection) {}

  // Once, first: foreign_key_checks=0 (tables may reference tables created after them), sql_log_bin=0
  // unless write_binlog, and the session's default sql_mode (for objects recorded without one). With
  // defer_keys, tables are created without the secondary keys deferred_keys.h allows to defer.
  Status prepare(bool write_binlog, bool defer_keys);
  // kInvalidArgument naming the first target database that already holds tables or views (unless
  // allow_existing).
  Status check_targets(bool allow_existing);
  // The selected databases and tables, in the order of `objects`.
  Status create_databases_and_tables(const std::vector<snapshot::SchemaObject>& objects);
  // The selected users, views (retried), procedures and functions, triggers, events, and grants.
  Status create_objects_after_data(const std::vector<snapshot::SchemaObject>& objects);

  // The tables created without some keys (the caller adds them after the data: add_keys_statement()).
  const std::vector<DeferredTable>& deferred() const { return deferred_; }

  uint64_t databases() const { return databases_; }
  uint64_t tables() const { return tables_; }
  uint64_t objects() const { return objects_; }

 private:
  // Runs one object's statement(s) in its recorded session settings, in its target database.
  Status create(const snapshot::SchemaObject& object);
  Status set_session(const snapshot::SchemaObject& object);
  // Creates what it can of `objects` in passes until none is left or a pass creates none (removing those
  // created; `last` keeps the last server error); true when none is left. Other errors end it at once.
  Result<bool> create_with_retries(std::vector<const snapshot::SchemaObject*>& objects,
                                   std::optional<Error>& last);

  net::ServerConnection& server_;
  const LoadSelection& selection_;
  std::string default_sql_mode_;
  std::string sql_mode_, charset_client_, collation_;  // what the session has now
  bool defer_keys_ = false;
  std::vector<std::pair<std::string, std::string_view>> table_statements_;  // (database, CREATE TABLE)
  std::vector<DeferredTable> deferred_;
  uint64_t databases_ = 0, tables_ = 0, objects_ = 0;
};

}  // namespace mzl::load
