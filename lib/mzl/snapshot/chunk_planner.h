#pragma once
// Splitting the dump into chunks that workers take in parallel (mzl(7) SNAPSHOTS). A table whose first
// key column is an integer and whose estimated row count exceeds chunk_rows is split into even ranges of that
// column's MIN..MAX (read inside the caller's snapshot transaction, so the ranges match what is dumped); the
// first range is open below and the last open above, so every row is in exactly one chunk even when the
// estimate is wrong. Other tables are one chunk with an empty WHERE.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/snapshot/table_info.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

inline constexpr uint64_t kMaxChunksPerTable = 100'000;

struct Chunk {
  size_t table_index = 0;       // into the tables passed to plan_chunks()
  unsigned chunk_index = 0;     // 0.. within its table, in key order (the <chunk> of the data file name)
  std::string where;            // "" for the whole table, else e.g. "`id` >= 1000 AND `id` < 2000"
  uint64_t estimated_rows = 0;  // the table's estimate divided among its chunks (for ordering and progress)
};

// The chunks of every table, largest first (so the slowest work starts first); a table's chunks keep their
// relative order. chunk_rows 0 means never split. Errors from the MIN/MAX queries are kServer.
Result<std::vector<Chunk>> plan_chunks(net::ServerConnection& server, const std::vector<TableInfo>& tables,
                                       uint64_t chunk_rows);

// The ranges for a signed/unsigned integer key between min and max (inclusive) in `pieces` parts: `pieces`
// WHERE conditions on `column` (already quoted), the first without a lower bound and the last without an
// upper bound. Fewer pieces when the range has fewer keys, and at most kMaxChunksPerTable; pieces <= 1 gives
// one "" condition. Exposed for unit tests.
std::vector<std::string> integer_ranges(const std::string& column, __int128 min, __int128 max,
                                        uint64_t pieces);

}  // namespace mzl::snapshot
