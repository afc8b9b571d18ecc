#include "mzl/restore/load_steps.h"

#include <fmt/format.h>

namespace mzl::restore {

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
  MZL_CHECK(phase->applier->prepare(options.write_binlog));
  MZL_CHECK(phase->applier->check_targets(options.allow_existing));
  MZL_CHECK(phase->applier->create_databases_and_tables(objects));
  return phase;
}

}  // namespace mzl::restore
