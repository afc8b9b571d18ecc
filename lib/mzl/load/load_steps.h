#pragma once
// The steps the directory and the stream loader share (snapshot_loader.h describes the whole load).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/load/data_load_pool.h"
#include "mzl/load/load_progress_tracker.h"
#include "mzl/load/load_selection.h"
#include "mzl/load/schema_applier.h"
#include "mzl/load/snapshot_loader.h"
#include "mzl/net/server_connection.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::load {

// The memory a stream load may hold in data members waiting for (or being loaded by) a connection, and the
// largest member it holds rather than loading it straight from the stream.
inline constexpr uint64_t kStreamMemoryBudget = 128ull << 20;
inline constexpr uint64_t kStreamHeldMemberLimit = 64ull << 20;

// schema.jsonl's lines (decode_schema_object each; errors at "<where>:<line>"); empty lines are kCorrupt.
Result<std::vector<snapshot::SchemaObject>> parse_schema_lines(std::string_view text,
                                                               const std::string& where);

// A data file's compression, from its name's suffix (".lz4", ".zst", none).
snapshot::Compression compression_of(std::string_view path);

// The selection, the schema connection, and the databases and tables created.
struct SchemaPhase {
  LoadSelection selection;
  std::optional<net::ServerConnection> server;
  std::unique_ptr<SchemaApplier> applier;
};

// Selects, connects (options.target), refuses existing targets, creates databases and tables.
Result<std::unique_ptr<SchemaPhase>> create_databases_and_tables(
    const std::vector<snapshot::SchemaObject>& objects, const LoadOptions& options);

// The ALTER TABLE ... ADD KEY jobs of the tables created without some keys.
std::vector<DataJob> deferred_key_jobs(const SchemaApplier& applier);

// The last step: creates the objects that come after the data (phase "objects", timed into
// stats.objects_seconds), then fills stats' counts from the applier and `totals`, stats.seconds, and sets
// phase "done". An object that fails to be created is returned as the error, stats left partly filled.
Status finish_load(SchemaPhase& schema, const std::vector<snapshot::SchemaObject>& objects,
                   const DataLoadTotals& totals, LoadProgressTracker& progress, LoadStats& stats);

}  // namespace mzl::load
