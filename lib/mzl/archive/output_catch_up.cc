#include "mzl/archive/output_catch_up.h"

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

}  // namespace mzl::archive
