#pragma once
// The schema history of a change stream (man/mzl-binlog-tail.1, SCHEMA HISTORY): every table's definition
// with the position from which it holds, so that a stream started from any point names the columns of a
// row as they were when the row was written. One JSON object per line, appended and fdatasynced:
//   {"mzl_schema_history":1,"flavour":..,"seed_gtid_position":..,"server":..,"seeded_at":..}   (first line)
//   {"database":"d","collation":"utf8mb4_general_ci"}                                    (seed: a database)
//   {"database":"d","table":"t","definition":{...}}                                      (seed: a table)
//   {"gtid":"0-1-42","file":"bin.000003","pos":1234,"database":"d","table":"t","definition":{...}}
//   {"gtid":..,"file":..,"pos":..,"database":"d","table":"t","dropped":true}              (DDL entries)
//   {"followed":"0-1-42"}                                         (closes one DDL's entries, maybe none)
// The seed is information_schema at the first start; each later line is what one DDL (by its GTID) did.
// The seed is written whole (temporary file, fsync, rename); a DDL's entries count once the line that closes
// them is in the file: entries cut short by a crash are dropped when the file is opened (the DDL is followed
// again when it passes).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mzl/schema/table_definition.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/result.h"

namespace mzl::schema {

struct HistoryEntry {
  std::string gtid;  // the DDL transaction's GTID; "" in the seed
  std::string file;
  uint64_t position = 0;
  std::string database;
  std::string table;  // "": the entry is about the database
  bool dropped = false;
  std::optional<TableDefinition> definition;  // a table entry that is not `dropped`
  std::string collation;                      // a database entry: its default collation
};

// The definitions at one point of the stream.
class SchemaState {
 public:
  void apply(const HistoryEntry& entry);
  const TableDefinition* find(std::string_view database, std::string_view table) const;
  bool has_database(std::string_view database) const;
  // "" when unknown.
  std::string collation(std::string_view database) const;
  // The tables of a database, in name order.
  std::vector<const TableDefinition*> tables_of(std::string_view database) const;

 private:
  std::map<std::pair<std::string, std::string>, TableDefinition, std::less<>> tables_;
  std::map<std::string, std::string, std::less<>> databases_;  // name -> collation
};

class SchemaHistory {
 public:
  // Opens (or, when missing, prepares to create) the history file; "" keeps it in memory only. kCorrupt
  // naming the file and line for a line that does not parse (other than a torn last line).
  static Result<SchemaHistory> open(const std::string& path);

  bool seeded() const { return seeded_; }
  const std::string& flavour() const { return flavour_; }
  // The server's GTID position when the seed was read (what the seed includes).
  const std::string& seed_gtid_position() const { return seed_gtid_position_; }
  const std::string& path() const { return path_; }

  // Writes the seed (kInvalidArgument when seeded already); durable when it returns.
  Status seed(const std::string& flavour, const std::string& gtid_position, const std::string& server,
              const std::vector<HistoryEntry>& entries);
  // Appends the entries of the DDL with this GTID (none when it changed no definition) and the line that
  // closes them; durable when it returns.
  Status append(const std::string& gtid, const std::vector<HistoryEntry>& entries);

  // Whether a DDL with this GTID was followed already (its entries are in the file).
  bool has(std::string_view gtid) const;
  std::vector<const HistoryEntry*> entries_of(std::string_view gtid) const;

  // The seed, then every DDL entry for which `included(gtid)` says the stream's start point contains it.
  template <class Included>
  SchemaState state_at(const Included& included) const {
    SchemaState state;
    for (const HistoryEntry& entry : entries_)
      if (entry.gtid.empty() || included(entry.gtid)) state.apply(entry);
    return state;
  }

 private:
  Status write_lines(const std::string& lines, bool created);

  std::string path_;
  bool seeded_ = false;
  std::string flavour_;
  std::string seed_gtid_position_;
  std::vector<HistoryEntry> entries_;
  std::set<std::string, std::less<>> followed_;  // the GTIDs of the DDL followed
  std::unique_ptr<AppendOnlyFile> file_;
};

}  // namespace mzl::schema
