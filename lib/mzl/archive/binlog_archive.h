#pragma once
// The durable binlog repository of one source: REPO/binlogs/<source>/ holds the server's binlog files under
// their own names (closed ones optionally as <name>.lz4) and state.json (archive_state.h). man/mzl.7,
// REPOSITORY, documents the layout.
//
// Guarantee: a crash at any instant (process kill or power loss) loses nothing that sync() reported durable
// and never leaves a gap or a duplicate: open() truncates a torn tail and resumes at the last complete
// transaction, so a dump restarted at resume_point() re-sends exactly the missing events.
//
// Invariants that make this hold:
//  - every binlog file in the directory is a closed file of state.json or its current_file (the state names
//    a new file before the file is created);
//  - state.json is replaced atomically and only names positions whose bytes were fdatasynced before;
//  - the state may lag the data (it is written at checkpoint(), file changes and open(), not at every
//    sync()): open() scans the current file forward from the state's position, adopts every complete,
//    checksum-valid event up to the last transaction boundary and truncates the bytes after it.
//
// Errors are fail-stop: after any I/O error every later call returns that error; destroy the object and
// open() again (which repairs the tail). A full disk is kIo naming the file and saying what to do.
//
// Appended bytes are buffered in memory (up to 1 MiB) until sync(); destroying the object without sync()
// drops them, which is safe: they were never reported durable, and the next open() resumes before them.
//
// One archiver per source: open() locks REPO/binlogs/<source>/ (repo/directory_lock.h) until the object is
// destroyed; another open() of the same source, in this process or another, is kIo saying it is locked.
//
// Not thread-safe: one thread appends, syncs and checkpoints.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mzl/archive/archive_state.h"
#include "mzl/archive/transaction_tracker.h"
#include "mzl/codec/event_header.h"
#include "mzl/codec/format_description.h"
#include "mzl/net/stream_event.h"
#include "mzl/repo/directory_lock.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// The default source name for a server: "<host>_<port>" with every character outside [A-Za-z0-9.-]
// replaced by '_' ("db1.example.com_3306"); "localhost_socket" for a Unix socket connection (empty host
// or port 0).
std::string default_source_name(const std::string& host, unsigned port);
// kInvalidArgument unless `source` is 1-128 characters of [A-Za-z0-9._-] and does not start with '.'.
Status validate_source_name(const std::string& source);

struct BinlogArchiveOptions {
  std::string repo;    // REPO (created with mode 0700 when missing)
  std::string source;  // the directory name under REPO/binlogs/
  // The server this process streams from; empty fields are not checked. A stored identity that differs
  // (server_uuid, or server_id) is refused unless allow_new_source, which adopts the new identity.
  ServerIdentity server;
  bool allow_new_source = false;
  bool compress_closed_files = false;  // LZ4 each file when it is closed (synchronously, at the ROTATE)
  // A successor source's link (archive_state.h), written to a state that has none; a stored link is kept.
  std::optional<SourceLink> follows;
  FileSystem* fs = nullptr;  // nullptr: real_file_system(); tests pass a FaultInjectingFileSystem
};

// Where a dump must restart so that the archive continues without gap or duplicate: always a transaction
// boundary in the server's file (position 4 when the file has no event yet).
struct ResumePoint {
  std::string file;           // "" when the archive holds no file yet: the caller picks the first file
  uint64_t position = 0;      // restart COM_BINLOG_DUMP here
  std::string gtid_position;  // the GTID state at that point (MariaDB position or MySQL set text)

  bool operator==(const ResumePoint&) const = default;
};

// What sync() made durable.
struct DurablePoint {
  std::string file;    // the file the last event was appended to
  uint64_t end = 0;    // every byte of `file` before this offset is on stable storage (a semi-sync ACK may
                       // name this position)
  ResumePoint resume;  // the last transaction boundary, durable too
};

class BinlogArchive {
 public:
  // Opens (creating when missing) REPO/binlogs/<source>/ and resumes: reads state.json, checks the server
  // identity, removes leftover temporary files, finishes an interrupted compression, repairs the current
  // file (see above) and, when that file ends with a ROTATE, closes it. Errors: kInvalidArgument (bad
  // source name, different server), kCorrupt (state.json unreadable, the current file shorter than the
  // state says or corrupt before its tail, binlog files without a state file), kIo.
  static Result<std::unique_ptr<BinlogArchive>> open(const BinlogArchiveOptions& options);

  enum class Appended {
    kWritten,  // appended to the current file (buffered in memory, up to 1 MiB, until sync())
    kSkipped,  // not part of a binlog file (heartbeat, dump-start fake ROTATE / FORMAT_DESCRIPTION /
               // GTID_LIST), or already archived (an event that ends at or before the file's end)
    kRotated,  // a ROTATE was appended and the file is closed; the next file has begun (no bytes yet)
  };

  // Stores one event of the dump as the stream cursor took it (net/stream_cursor.h: framed, its checksum
  // verified, placed in the server's files). Where it goes is net::place_event()'s decision against the
  // archive's current file and size (net/event_placement.h); here:
  //  - an artificial ROTATE naming another file closes the current one when it has bytes (the server moved
  //    on after a STOP or a crash) and makes the named file current. The archive keeps whole files: a new
  //    file must start at position 4 (kInvalidArgument otherwise), and a file closed already is refused
  //    (kInvalidArgument; the dump must restart at the current file);
  //  - the file's FORMAT_DESCRIPTION starts the file (the magic is written first), as the closed file has it:
  //    LOG_EVENT_BINLOG_IN_USE_F cleared (the server clears it when it closes the file; the CRC32 excludes
  //    the flag) and a log_pos of 0 (dump threads zero it) restored to 4 + event_size with the CRC32
  //    recomputed, so that the archived file is byte-identical to the server's closed file;
  //  - an event that starts at the file's end is appended; nothing is ever written with a gap;
  //  - a real ROTATE (the file's last event) is appended, then the file is fsynced, recorded as closed in
  //    state.json (size, CRC-32, first and last GTID), optionally compressed, and its successor becomes
  //    the current file.
  // Errors: those of net::place_event(); kCorrupt when a GTID / QUERY body does not decode or the server
  // names an impossible file. `event` is not kept: its views need to live only for the call.
  Result<Appended> append_event(const net::StreamEvent& event);

  // Writes the buffered bytes and fdatasync()s the current file (and its directory when the file is new).
  // Only after this returns may an event be reported archived or a semi-sync ACK be sent: call it once per
  // batch of events that arrived together (group commit). Cheap when nothing was appended. After a ROTATE,
  // `file` is the next file and `end` 0 until its first event.
  Result<DurablePoint> sync();
  // sync(), then writes state.json when it changed. Call every few seconds: it bounds the scan at open().
  Status checkpoint();
  // Cuts the current file back to the last transaction boundary (after a dump broke off mid-transaction,
  // before the dump is restarted at resume_point()), fdatasynced.
  Status discard_partial_transaction();

  // The last transaction boundary appended (durable once sync() returned).
  ResumePoint resume_point() const;
  // Sets `point` to resume_point(), reusing its strings' memory; false when it was that already. For a
  // caller that follows the boundary at every event.
  bool update_resume_point(ResumePoint& point) const;
  // Changes whenever resume_point() may have changed (a new boundary, a new current file): a caller that
  // follows the boundary at every event compares this number instead of the point's strings.
  uint64_t boundary_sequence() const { return boundary_sequence_; }
  // Transactions ended by the events this object appended (the boundaries that close one).
  uint64_t transactions_ended() const { return transactions_ended_; }
  // The state as last written to state.json.
  const ArchiveState& state() const { return written_state_; }
  const std::string& directory() const { return dir_; }
  std::string path_of(const std::string& file_name) const { return dir_ + "/" + file_name; }
  // Bytes appended to the current file (durable or not).
  uint64_t current_size() const { return size_; }

 private:
  BinlogArchive(FileSystem& fs, std::string dir, BinlogArchiveOptions options);

  Status load_state();
  Status tidy_directory();
  Status recover_current_file();
  Status start_file();
  Result<Appended> switch_file(const net::StreamEvent& rotate);
  Result<Appended> append_format_description(const net::StreamEvent& event);
  Status write_bytes(Bytes data);  // buffered; reaches the file at flush_buffer() (sync() or a full buffer)
  Status flush_buffer();
  Status close_current_file(const std::string& next_file);
  // Follows an event just taken at the end of the current file: its transaction's GTIDs, and the boundary
  // when it ends one.
  void take_step(const TransactionTracker::Step& step);
  // Truncates the current file (`file_size` bytes on disk) to the last boundary, fdatasynced, and rewinds
  // the file's fields and the tracker to it.
  Status cut_to_boundary(uint64_t file_size);
  Status write_state();
  ArchiveState state_now() const;
  // The GTID state at the last boundary, rendered from the tracker on first use after the boundary moved
  // (the tracker's state changes only at boundaries; see track()).
  const std::string& boundary_gtid_position() const;
  // tracker_.add() for an event about to be taken: first renders a stale boundary GTID text when the event
  // may change the tracker's GTID state without being a boundary (PREVIOUS_GTIDS / GTID_LIST inside a group).
  Result<TransactionTracker::Step> track(const codec::RawEvent& event);
  void reset_file_fields();
  Error fail(Error error);  // records the error: every later call returns it

  FileSystem& fs_;
  std::string dir_;
  repo::DirectoryLock lock_;  // on dir_, from open() to the end: one archiver per source
  BinlogArchiveOptions options_;
  ArchiveState written_state_;
  ServerIdentity server_;
  std::vector<ClosedFileInfo> closed_files_;
  std::optional<SourceLink> follows_;
  std::optional<Error> broken_;

  // The current file.
  std::string current_name_;
  static constexpr size_t kWriteBufferSize = 1 << 20;
  std::unique_ptr<AppendOnlyFile> file_;  // open once the file has its first byte
  std::vector<uint8_t> buffer_;           // appended bytes not yet written to file_
  bool dir_sync_pending_ = false;         // the file was created and its directory not yet fsynced
  uint64_t size_ = 0;
  uint64_t synced_ = 0;
  uint32_t crc_ = 0;  // CRC-32 of bytes [0, size_ - buffer_.size()): those in file_ (flush_buffer() moves it)
  codec::FormatDescription fd_;
  TransactionTracker tracker_;
  std::string first_gtid_;
  std::string last_gtid_;

  // The last transaction boundary in the current file.
  uint64_t boundary_ = 0;
  uint32_t boundary_crc_ = 0;                   // CRC-32 of bytes [0, boundary_); exact when buffer_ is empty
  mutable std::string boundary_gtid_position_;  // valid unless boundary_gtid_stale_
  mutable bool boundary_gtid_stale_ = false;
  std::string boundary_first_gtid_;
  std::string boundary_last_gtid_;
  uint64_t boundary_sequence_ = 0;
  uint64_t transactions_ended_ = 0;
};

}  // namespace mzl::archive
