#pragma once
// The write set of a transaction for parallel replay (parallel_replay.h: what a key is, and why some
// transactions must be applied alone): its row events decoded, one 64-bit key per unique index and row
// image, from the table's unique indexes as the target's information_schema describes them.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/net/server_connection.h"
#include "mzl/util/result.h"

namespace mzl::replay {

class WriteSetBuilder {
 public:
  // `catalog` answers the information_schema queries (its own session: the others are applying).
  explicit WriteSetBuilder(net::ServerConnection& catalog) : catalog_(catalog) {}

  // Adds the keys of one TABLE_MAP or ROWS event of the current transaction. Returns false when the
  // transaction must be applied alone (a FOREIGN KEY table, an event that does not decode).
  // Errors: the catalog queries' (kServer, kNetwork).
  Result<bool> add(const codec::RawEvent& raw, const codec::FormatDescription& format);

  // The keys gathered since the last call (sorted, unique), and a fresh start for the next transaction.
  std::vector<uint64_t> take_keys();

  // Forgets what information_schema said: after DDL, a table's indexes may have changed.
  void forget_tables() { tables_.clear(); }

 private:
  struct TableKeys {
    bool foreign_key = false;                    // has or is referenced by a FOREIGN KEY
    std::vector<std::vector<uint32_t>> indexes;  // 0-based column positions of each unique index
  };
  Result<const TableKeys*> table_keys(const std::string& database, const std::string& table);

  net::ServerConnection& catalog_;
  std::map<std::pair<std::string, std::string>, TableKeys> tables_;
  std::map<uint64_t, codec::TableMapEvent> table_maps_;  // of the current transaction, by table id
  std::vector<uint64_t> keys_;
};

}  // namespace mzl::replay
