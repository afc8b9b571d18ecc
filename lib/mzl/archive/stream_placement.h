#pragma once
// Where the events of a binlog dump belong in the server's files, for what the archive stores and what
// `--output` passes on (man/mzl-binlog-tail.1, ARCHIVE OUTPUT).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/net/stream_cursor.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::archive {

struct ClosedFileFormatDescription {
  std::vector<uint8_t> event;  // the event as the server's closed file holds it at offset 4
  codec::FormatDescription fd;
};

// A FORMAT_DESCRIPTION received from a dump as the server's file holds it once closed: the dump clears
// LOG_EVENT_BINLOG_IN_USE_F (the server clears it in its file at close) and zeroes log_pos when the dump
// starts past position 4; log_pos is restored to 4 + event_size and the CRC32 recomputed when anything
// changed. kChecksumMismatch / kCorrupt when the event does not frame or decode, or its log_pos is neither 0
// nor its end at offset 4.
Result<ClosedFileFormatDescription> closed_file_format_description(Bytes event);

// Places a dump's events in the server's files without an archive (`--output` without `--repo`): passes on
// each event of the files once and in order, each file's FORMAT_DESCRIPTION first, and knows where a dump
// restarted after a lost connection must begin so that nothing is passed on twice.
class StreamPlacement {
 public:
  struct Placed {
    std::string_view file;
    uint64_t offset = 0;  // where the event starts in `file`
    Bytes event;          // valid until the next place()
  };

  // nullopt for what is not passed on: heartbeats, artificial events, a FORMAT_DESCRIPTION already passed
  // on for its file (a restarted dump sends it again), events that end at or before what was passed on.
  // kCorrupt when an event starts after the end of what was passed on of its file (events missing), or an
  // event of a file arrives before the file's FORMAT_DESCRIPTION.
  Result<std::optional<Placed>> place(const net::StreamEvent& event);

  // Where to restart the dump: the end of the last event passed on ("" and 0 before the first).
  const std::string& file() const { return file_; }
  uint64_t position() const { return end_; }

 private:
  std::string file_;
  uint64_t end_ = 0;
  bool has_format_ = false;
  std::vector<uint8_t> format_;
};

}  // namespace mzl::archive
