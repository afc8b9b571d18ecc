#pragma once
// Names the columns of every row image of a change stream, whatever the server's binlog_row_metadata
// (man/mzl-binlog-tail.1, SCHEMA HISTORY). A TABLE_MAP with FULL metadata names its columns itself; for the
// others the definition comes from the schema history (schema_history.h) at the stream's position: seeded
// from information_schema at the first start, and advanced by every DDL that passes, which is replayed on a
// scratch copy of the schema on the same server (scratch_schema.h) and read back from information_schema.
// A DDL that cannot be followed, or a row event that the history cannot describe, stops the stream with an
// error naming it: a column is never named wrongly. Events from before the seed (a stream that starts in an
// older binlog file than the first start) are named by the seed when they fit it, else left unnamed
// ("@1", ...) with one warning.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mzl/codec/query_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/net/connection_options.h"
#include "mzl/schema/schema_history.h"
#include "mzl/schema/scratch_schema.h"
#include "mzl/util/result.h"

namespace mzl::schema {

struct SchemaTrackerOptions {
  net::ConnectionOptions connection;  // the server the stream reads (seed and scratch schema)
  std::string history_path;           // "": kept in memory for this run only
  uint32_t instance = 0;              // names the scratch databases: the stream's --server-id
  // Where the stream starts: the definitions include the DDL of every transaction in this GTID position
  // or set ("": the seed's definitions only).
  std::string start_gtid_position;
};

// A MariaDB GTID position or MySQL GTID set, asked whether it holds one GTID (given as text).
class GtidPoint {
 public:
  static Result<GtidPoint> parse(std::string_view flavour, std::string_view text);
  bool contains(std::string_view gtid) const;

 private:
  struct Parsed;
  std::shared_ptr<const Parsed> parsed_;
};

class SchemaTracker {
 public:
  static Result<std::unique_ptr<SchemaTracker>> open(const SchemaTrackerOptions& options);

  // Call for every QUERY event of the stream, in stream order, with the GTID of its transaction ("" when
  // none). Follows what a DDL did (or takes it from the history when followed before).
  Status on_query(const codec::QueryEvent& query, std::string_view gtid, std::string_view file,
                  uint64_t position);

  // The map to render `map`'s rows events with: `map` itself when it names its columns (FULL metadata),
  // else a copy with the history's definition (the same pointer again until a DDL changes the definitions).
  // kCorrupt naming the table and position when the history cannot describe it.
  Result<std::shared_ptr<const codec::TableMapEvent>> describe(
      const std::shared_ptr<const codec::TableMapEvent>& map, std::string_view gtid, std::string_view file,
      uint64_t position);

  const SchemaHistory& history() const { return history_; }

 private:
  SchemaTracker(SchemaHistory history, ScratchSchema scratch)
      : history_(std::move(history)), scratch_(std::move(scratch)) {}
  Status follow_table_ddl(const codec::QueryEvent& query, std::string_view gtid, std::string_view file,
                          uint64_t position);
  Result<std::vector<HistoryEntry>> changes_in(const std::string& database,
                                               const std::vector<std::string>& identifiers);
  bool before_seed(std::string_view gtid) const { return !gtid.empty() && seed_.contains(gtid); }
  void applied(const std::vector<HistoryEntry>& entries, bool replayed);

  SchemaHistory history_;
  ScratchSchema scratch_;
  SchemaState state_;
  GtidPoint seed_;
  struct Described {
    std::shared_ptr<const codec::TableMapEvent> map, described;
  };
  std::unordered_map<uint64_t, Described> described_;  // by table id
  bool warned_before_seed_ = false;
};

}  // namespace mzl::schema
