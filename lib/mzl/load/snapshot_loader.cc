#include "mzl/load/snapshot_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "mzl/load/data_load_pool.h"
#include "mzl/load/load_progress_tracker.h"
#include "mzl/load/load_steps.h"
#include "mzl/snapshot/data_file_reader.h"
#include "mzl/snapshot/snapshot_directory.h"

namespace mzl::load {

namespace {

Result<std::vector<snapshot::SchemaObject>> read_schema(const std::string& dir,
                                                        const snapshot::SnapshotFile& file) {
  const snapshot::ExpectedDigest expected{file.size, file.sha256};
  MZL_TRY(std::unique_ptr<InputStream> in,
          snapshot::open_data_file(dir + "/" + file.path, snapshot::Compression::kNone, &expected));
  MZL_TRY(std::vector<uint8_t> bytes, read_all(*in));  // read_all() ends with finish(): the digest check
  return parse_schema_lines(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                            dir + "/" + file.path);
}

}  // namespace

Result<LoadStats> load_snapshot_directory(const std::string& snapshot_dir, const LoadOptions& options) {
  LoadProgressTracker progress(options.progress);
  progress.set_phase("schema");
  LoadStats stats;
  MZL_TRY(stats.manifest, snapshot::read_manifest(snapshot_dir));
  const snapshot::Manifest& manifest = stats.manifest;
  std::map<std::string_view, const snapshot::SnapshotFile*> files;
  for (const snapshot::SnapshotFile& f : manifest.files) files.emplace(f.path, &f);

  const auto schema_file = files.find("schema.jsonl");
  if (schema_file == files.end()) {
    return Error{ErrorCode::kCorrupt, "the manifest does not list schema.jsonl"}.at_r(snapshot_dir +
                                                                                      "/manifest.json");
  }
  MZL_TRY(std::vector<snapshot::SchemaObject> objects, read_schema(snapshot_dir, *schema_file->second));
  stats.bytes += schema_file->second->size;
  MZL_TRY(std::unique_ptr<SchemaPhase> schema, create_databases_and_tables(objects, options));
  stats.schema_seconds = progress.seconds();

  std::vector<DataJob> jobs;
  uint64_t tables = 0;
  for (const snapshot::TableEntry& table : manifest.tables) {
    if (!schema->selection.includes_table(table.database, table.name)) continue;
    ++tables;
    for (const snapshot::DataFile& data : table.files) {
      const auto listed = files.find(data.path);
      if (listed == files.end()) {
        return Error{ErrorCode::kCorrupt,
                     fmt::format("data file {} of {}.{} is not in the manifest's file list", data.path,
                                 table.database, table.name)}
            .at_r(snapshot_dir + "/manifest.json");
      }
      DataJob job;
      job.name = snapshot_dir + "/" + data.path;
      job.size = listed->second->size;
      job.target = LoadDataTarget{schema->selection.target_database(table.database), table.name,
                                  table.load_columns, table.load_set};
      job.expected_rows = data.rows;
      job.open = [path = job.name, compression = compression_of(data.path),
                  expected = snapshot::ExpectedDigest{listed->second->size, listed->second->sha256}] {
        return snapshot::open_data_file(path, compression, &expected);
      };
      stats.bytes += job.size;
      progress.add_files(1, job.size);
      jobs.push_back(std::move(job));
    }
  }
  progress.set_tables(tables);
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const DataJob& a, const DataJob& b) { return a.size > b.size; });

  progress.set_phase("data");
  const double data_start = progress.seconds();
  MZL_TRY(std::unique_ptr<DataLoadPool> pool,
          DataLoadPool::start(options.target, options.threads, options.write_binlog, 0, progress));
  for (DataJob& job : jobs) MZL_CHECK(pool->submit(std::move(job)));
  for (DataJob& job : deferred_key_jobs(*schema->applier)) MZL_CHECK(pool->submit(std::move(job)));
  MZL_TRY(DataLoadTotals totals, pool->finish());
  stats.data_seconds = progress.seconds() - data_start;

  MZL_CHECK(finish_load(*schema, objects, totals, progress, stats));
  return stats;
}

}  // namespace mzl::load
