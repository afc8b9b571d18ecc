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
