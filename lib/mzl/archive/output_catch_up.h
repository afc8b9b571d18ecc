#pragma once
// `mzl-binlog-tail --repo --output ... --after-gtid SET` (man/mzl-binlog-tail.1, CHANGE STREAM): a consumer that
// resumes from what it has may be behind the archive's end, which the live stream starts from. Before the
// live stream, the archive's own files are passed to the output, in order, so that the transactions after SET
// that the archive already holds are written (the output's --after-gtid filter drops the others).
#include <string>

#include "mzl/archive/tail_output.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// Adds every event of the archive in `source_dir` (its files from the first, up to the archive's resume
// point, which BinlogArchive::open() left whole) to `output` at its transaction boundaries, releasing as it
// goes. Nothing to do for an archive without files. Errors: those of ArchiveReader (naming file and offset)
// and of the output.
Status pass_archive_to_output(const std::string& source_dir, TailOutput& output);

}  // namespace mzl::archive
