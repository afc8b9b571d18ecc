#pragma once
// Reads local binlog files in order and writes the selected events to an output stream, as JSON lines or as
// one raw binlog stream: the engine of `mzl-binlog-tail --read` (man/mzl-binlog-tail.1).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "mzl/archive/event_filter.h"
#include "mzl/archive/event_writer.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::archive {

struct ReadBinlogsOptions {
  std::vector<std::filesystem::path> files;  // read in this order ("-" is standard input)
  OutputFormat format = OutputFormat::kJson;
  EventSelection selection;
  std::optional<uint64_t> start_position;  // skip events before this offset of the first file
  std::optional<uint64_t> stop_position;   // stop at the first event at or after this offset of the last file
  bool verify_checksums = true;
};

struct ReadBinlogsStats {
  uint64_t files = 0;
  uint64_t events_read = 0;
  uint64_t events_written = 0;
  uint64_t bytes_read = 0;
};

// Raw output: the binlog magic once, then every selected event byte for byte (a single unfiltered file comes
// out identical). FORMAT_DESCRIPTION events are always written, so the stream stays decodable.
// JSON output: one object per line (codec/event_json.h); the events inside a TRANSACTION_PAYLOAD follow
// their payload event as lines of their own.
//
// Stops at the first problem, after writing every event before it: a file that ends inside an event is
// kNeedMoreData ("truncated"), a bad checksum kChecksumMismatch, undecodable bytes kCorrupt, each naming
// the file and offset; kIo when the output cannot be written.
Result<ReadBinlogsStats> read_binlogs(const ReadBinlogsOptions& options, OutputStream& out);

}  // namespace mzl::archive
