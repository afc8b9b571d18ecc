#pragma once
// Where the events of a binlog dump belong in the server's binlog files. Every rule about it lives here:
// the stream cursor (stream_cursor.h) places each event in the server's files once, and every copy of those
// files — the archive (archive/binlog_archive.h) and `--output` without one — decides with place_event()
// what it does with the event. The dump's sequence (replica_stream.h): an artificial ROTATE naming the file
// and position the dump starts at, that file's FORMAT_DESCRIPTION (log_pos 0 when the dump starts past
// position 4), the events; at the end of each file its real ROTATE, then an artificial ROTATE and the next
// file's FORMAT_DESCRIPTION; HEARTBEATs when idle. A dump restarted after a lost connection sends the
// artificial ROTATE and the FORMAT_DESCRIPTION of the file again. man/mzl-binlog-tail.1, ARCHIVE OUTPUT.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/codec/event_header.h"
#include "mzl/net/stream_event.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::net {

// Where the server's dump put an event, from its header alone (the cursor's side).
struct EventOrigin {
  bool heartbeat = false;   // HEARTBEAT / HEARTBEAT_V2
  bool artificial = false;  // LOG_EVENT_ARTIFICIAL_F
  // Its bytes are the server file's at `position` (not a heartbeat, not artificial, log_pos not 0).
  bool in_file = false;
  // in_file: log_pos - event_size; otherwise `dump_position`, where the dump stands.
  uint64_t position = 0;
};
// kCorrupt when an in-file event's log_pos lies before its start (no location: the caller adds it).
Result<EventOrigin> locate_event(const codec::EventHeader& header, uint64_t dump_position);

// How much of the server's files a copy holds: every file before `file`, and `end` bytes of `file`.
struct CopyEnd {
  std::string_view file;  // "" before the dump named a file
  uint64_t end = 0;       // 0: nothing of `file` yet, not even its FORMAT_DESCRIPTION
};

// What a copy does with one event of the dump.
enum class Placement {
  // Not stored: a heartbeat, an artificial event, an artificial ROTATE naming the copy's own file (a
  // resumed dump), an event that ends at or before the copy's end (sent again by a restarted dump).
  kNotStored,
  // An artificial ROTATE naming another file (event.rotate_file at event.rotate_position): the copy's
  // file ends here, without a ROTATE of its own when it has bytes (the server moved on after a STOP or a
  // crash), and the named file becomes the copy's file, with nothing of it yet.
  kNewFile,
  // The FORMAT_DESCRIPTION of the copy's file, which the copy has not got: at offset 4, after the magic,
  // as the closed file has it (codec::closed_file_format_description: LOG_EVENT_BINLOG_IN_USE_F clear,
  // log_pos restored).
  kFormatDescription,
  // A FORMAT_DESCRIPTION of the copy's file, which the copy has already (a restarted dump sends it again).
  kRepeatedFormatDescription,
  // An event that starts at the copy's end.
  kAppend,
  // The file's real ROTATE, starting at the copy's end: appended, it completes the file, and
  // event.rotate_file (from position 4) becomes the copy's file.
  kAppendLast,
};

// Errors, never with a gap stored:
//  - kInvalidArgument: an event other than a heartbeat or an artificial ROTATE before any file is named
//    (a dump always starts with an artificial ROTATE);
//  - kCorrupt: an in-file event when the copy has not got the file's FORMAT_DESCRIPTION, or one that starts
//    after the copy's end (events missing) or overlaps it.
// The errors carry no location: the caller adds where its copy is.
Result<Placement> place_event(const StreamEvent& event, const CopyEnd& copy);

// A copy that stores nothing but its end: what `--output` without an archive passes on (each event of the
// server's files once and in order, each file's FORMAT_DESCRIPTION first), and where a dump restarted after
// a lost connection must begin so that nothing is passed on twice.
class StreamPlacement {
 public:
  struct Placed {
    std::string_view file;
    uint64_t offset = 0;  // where the event starts in `file`
    Bytes event;          // valid until the next place()
  };

  // nullopt for what is not passed on (Placement::kNotStored, kNewFile, kRepeatedFormatDescription).
  // A dump that starts past position 4 is passed on from there, after the file's FORMAT_DESCRIPTION.
  // Errors: those of place_event().
  Result<std::optional<Placed>> place(const StreamEvent& event);

  // Call before each dump starts: whether it starts at a GTID position (MariaDB's @slave_connect_state).
  // The server then sends each file's header events and skips the transactions the position holds, so an
  // event of the file may start past the end of what was passed on; such a jump forward is where the
  // copy goes on, not an error, until the next dump. A dump started at a file and position has no gap.
  void start_dump(bool at_gtid_position) { skips_transactions_ = at_gtid_position; }

  // Where to restart the dump: the end of the last event passed on, or where the dump named the file to
  // start ("" and 0 before the first).
  const std::string& file() const { return file_; }
  uint64_t position() const { return end_ != 0 ? end_ : start_; }

 private:
  std::string file_;
  uint64_t end_ = 0;    // 0 until the file's FORMAT_DESCRIPTION was passed on
  uint64_t start_ = 0;  // where the artificial ROTATE said the dump starts in file_
  bool skips_transactions_ = false;
  std::vector<uint8_t> format_;
};

}  // namespace mzl::net
