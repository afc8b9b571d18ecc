#include "mzl/archive/tail_change_stream.h"

#include <filesystem>

#include "mzl/archive/archive_reader.h"
#include "mzl/archive/binlog_file_list.h"

namespace mzl::archive {

namespace {

constexpr size_t kReleaseEvery = 8 << 20;  // bytes held before the transactions added so far are written

}  // namespace

Status pass_archive_to_output(const std::string& source_dir, TailOutput& output) {
  std::error_code ec;
  if (!std::filesystem::exists(source_dir, ec)) return ok_status();
  MZL_TRY(auto all, expand_binlog_paths({source_dir}));
  if (all.empty()) return ok_status();
  MZL_TRY(auto files, archive_files_from(source_dir, server_file_name(all.front())));
  ArchiveReaderOptions options;
  options.last_file_may_be_partial = true;
  ArchiveReader reader(std::move(files), options);
  while (true) {
    MZL_TRY(const ArchiveEvent* event, reader.next());
    if (event == nullptr) break;
    output.add(event->file, event->raw.offset, event->raw.data);
    if (!event->in_transaction || event->ends_transaction) {
      output.mark_boundary();
      if (output.held_bytes() >= kReleaseEvery) MZL_CHECK(output.release());
    }
  }
  return output.release();
}

Status open_change_stream(const TailOptions& options, const net::ConnectionOptions& connection,
                          const std::string& source_dir, const std::string& resume_gtid,
                          ChangeStreamOptions change_stream, std::unique_ptr<schema::SchemaTracker>& tracker,
                          std::optional<TailOutput>& output) {
  if (options.schema_history && options.output_format != OutputFormat::kRaw) {
    schema::SchemaTrackerOptions schema_options;
    schema_options.connection = connection;
    schema_options.instance = options.server_id;
    schema_options.history_path = options.schema_history_file;
    if (schema_options.history_path.empty() && !source_dir.empty()) {
      schema_options.history_path = (std::filesystem::path(source_dir) / "schema-history.jsonl").string();
    }
    // The stream's definitions include every DDL before the point where this run's output starts.
    schema_options.start_gtid_position = !options.after_gtid.empty() ? options.after_gtid : resume_gtid;
    MZL_TRY(tracker, schema::SchemaTracker::open(schema_options));
    change_stream.schema = tracker.get();
  }
  output.emplace(options.output_format, *options.output, change_stream);
  MZL_CHECK(output->begin());
  // A consumer behind the archive's end gets what the archive holds after its position first.
  if (!source_dir.empty() && !options.after_gtid.empty())
    MZL_CHECK(pass_archive_to_output(source_dir, *output));
  return ok_status();
}

}  // namespace mzl::archive
