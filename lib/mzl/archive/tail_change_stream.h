#pragma once
// The change stream of mzl-binlog-tail's output (man/mzl-binlog-tail.1, CHANGE STREAM): the output opened
// with its schema tracker, and the archive passed on first to a consumer behind the archive's end.
//
// `mzl-binlog-tail --repo --output ... --after-gtid SET` (man/mzl-binlog-tail.1, CHANGE STREAM): a consumer
// that resumes from what it has may be behind the archive's end, which the live stream starts from. Before
// the live stream, the archive's own files are passed to the output, in order, so that the transactions after
// SET that the archive already holds are written (the output's --after-gtid filter drops the others).
#include <memory>
#include <optional>
#include <string>

#include "mzl/archive/tail_output.h"
#include "mzl/archive/tail_session.h"
#include "mzl/schema/schema_tracker.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// Adds every event of the archive in `source_dir` (its files from the first, up to the archive's resume
// point, which BinlogArchive::open() left whole) to `output` at its transaction boundaries, releasing as it
// goes. Nothing to do for an archive without files. Errors: those of ArchiveReader (naming file and offset)
// and of the output.
Status pass_archive_to_output(const std::string& source_dir, TailOutput& output);

// The run's output, opened once connected: with names wanted (JSON or Maxwell and options.schema_history),
// `tracker` is opened first (seeded from `connection`'s server at the first start; its file in `source_dir`
// by default, "" without a repository) with the definitions at the point the output starts: --after-gtid,
// else `resume_gtid` (the archive's resume point). With a repository and --after-gtid the archive is passed
// on.
Status open_change_stream(const TailOptions& options, const net::ConnectionOptions& connection,
                          const std::string& source_dir, const std::string& resume_gtid,
                          ChangeStreamOptions change_stream, std::unique_ptr<schema::SchemaTracker>& tracker,
                          std::optional<TailOutput>& output);

}  // namespace mzl::archive
