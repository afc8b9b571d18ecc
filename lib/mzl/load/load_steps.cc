#include "mzl/load/load_steps.h"

#include <fmt/format.h>

#include "mzl/load/deferred_keys.h"
#include "mzl/net/sql_text.h"

namespace mzl::load {

Result<std::vector<snapshot::SchemaObject>> parse_schema_lines(std::string_view text,
                                                               const std::string& where) {
  std::vector<snapshot::SchemaObject> objects;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    MZL_TRY(snapshot::SchemaObject object,
            snapshot::decode_schema_object(line, fmt::format("{}:{}", where, line_number)));
    objects.push_back(std::move(object));
  }
  return objects;
}

snapshot::Compression compression_of(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".lz4")) return snapshot::Compression::kLz4;
  if (ends_with(".zst")) return snapshot::Compression::kZstd;
  return snapshot::Compression::kNone;
}

Result<std::unique_ptr<SchemaPhase>> create_databases_and_tables(
    const std::vector<snapshot::SchemaObject>& objects, const LoadOptions& options) {
  const SelectionOptions selection_options{options.databases, options.tables, options.rename_databases,
                                           options.users};
  MZL_TRY(LoadSelection selection, LoadSelection::make(objects, selection_options));
  auto phase = std::make_unique<SchemaPhase>(SchemaPhase{std::move(selection), std::nullopt, nullptr});
  MZL_TRY(net::ServerConnection server, net::ServerConnection::connect(options.target));
  phase->server.emplace(std::move(server));
  phase->applier = std::make_unique<SchemaApplier>(*phase->server, phase->selection);
  MZL_CHECK(phase->applier->prepare(options.write_binlog, options.defer_secondary_keys));
  MZL_CHECK(phase->applier->check_targets(options.allow_existing));
  MZL_CHECK(phase->applier->create_databases_and_tables(objects));
  return phase;
}

std::vector<DataJob> deferred_key_jobs(const SchemaApplier& applier) {
  std::vector<DataJob> jobs;
  for (const DeferredTable& t : applier.deferred()) {
    DataJob job;
    job.name = fmt::format("the keys of {}", net::qualified_name(t.database, t.table));
    job.target = LoadDataTarget{t.database, t.table, "", ""};
    job.statement = add_keys_statement(t.database, t.table, t.keys);
    job.statement_charset = t.character_set_client;
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Status finish_load(SchemaPhase& schema, const std::vector<snapshot::SchemaObject>& objects,
                   const DataLoadTotals& totals, LoadProgressTracker& progress, LoadStats& stats) {
  progress.set_phase("objects");
  const double objects_start = progress.seconds();
  MZL_CHECK(schema.applier->create_objects_after_data(objects));
  stats.objects_seconds = progress.seconds() - objects_start;
  stats.databases = schema.applier->databases();
  stats.tables = schema.applier->tables();
  stats.objects = schema.applier->objects();
  stats.files = totals.files;
  stats.rows = totals.rows;
  stats.raw_bytes = totals.raw_bytes;
  stats.seconds = progress.seconds();
  progress.set_phase("done");
  return ok_status();
}

}  // namespace mzl::load
