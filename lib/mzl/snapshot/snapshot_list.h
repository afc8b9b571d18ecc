#pragma once
// `mzl-snapshot list`: the complete snapshots of a repository (REPO/snapshots/<id>/ with a manifest; the
// ".partial-*" directories of interrupted snapshots are not listed), oldest first.
#include <string>

#include "mzl/util/result.h"

namespace mzl::snapshot {

// Text: a header line, then one line per snapshot with its id, start time (UTC), total size (the manifest's
// files), number of tables, rows, compression, lock method and how long commits were blocked, and the GTID
// position (last, as it can be long). JSON (`json`): an array with one object per snapshot:
//   {"id", "started_at", "finished_at", "bytes", "files", "tables", "rows", "compression", "lock_method",
//    "lock_seconds", "binlog_file", "binlog_position", "gtid", "source", "server_id", "server_uuid",
//    "flavour", "version"}
// Ends in a newline. A repository without snapshots gives the header only (text) or "[]".
// Errors: kCorrupt for a snapshot whose manifest cannot be read; kIo when REPO/snapshots cannot be listed.
Result<std::string> list_snapshots(const std::string& repo, bool json);

}  // namespace mzl::snapshot
