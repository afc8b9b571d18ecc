#pragma once
// Which of a snapshot's schema objects a load creates, and in which database (LoadOptions' filters and
// renames, snapshot_loader.h: Filters, Renaming), decided once from schema.jsonl.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::load {

struct SelectionOptions {
  std::vector<std::string> databases;  // empty: all
  std::vector<std::string> tables;     // "db.name"; empty: all
  std::vector<std::pair<std::string, std::string>> rename_databases;
  bool users = false;
};

class LoadSelection {
 public:
  // kNotFound when a filter or a rename names a database or "db.name" that no object of `objects` has;
  // kInvalidArgument when a database is renamed twice, two databases are renamed to one name, or a new name
  // is empty.
  static Result<LoadSelection> make(const std::vector<snapshot::SchemaObject>& objects,
                                    const SelectionOptions& options);

  // Whether the load creates `object` (and, for a table, loads its data).
  bool includes(const snapshot::SchemaObject& object) const;
  bool includes_table(std::string_view database, std::string_view table) const;
  // The database an object of snapshot database `database` is created in.
  const std::string& target_database(const std::string& database) const;
  // The target databases of the selected objects, sorted, without duplicates.
  const std::vector<std::string>& target_databases() const { return target_databases_; }

 private:
  bool database_selected(const std::string& database) const;

  SelectionOptions options_;
  std::map<std::string, std::string> renames_;
  std::set<std::string> databases_with_tables_;  // with a `tables` filter: the databases it selects from
  std::vector<std::string> target_databases_;
};

// The table a CREATE TRIGGER statement (SHOW CREATE TRIGGER's text, as the user wrote it) is defined on:
// the identifier after the first ON that follows TRIGGER, quoted or not, without a database qualifier.
// nullopt when the text does not have that shape.
std::optional<std::string> trigger_table(std::string_view sql);

// SHOW CREATE DATABASE's statement ("CREATE DATABASE [/*!32312 IF NOT EXISTS*/ ] `db` <options>") for the
// database `new_name`, with IF NOT EXISTS (an existing, empty database is reused) and the same options.
// kCorrupt when the text does not start that way.
Result<std::string> create_database_statement(std::string_view sql, std::string_view new_name);

}  // namespace mzl::load
