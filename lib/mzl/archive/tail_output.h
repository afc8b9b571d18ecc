#pragma once
// The archiver's `--output json|raw` (man/mzl-binlog-tail.1): the events of the server's files written to
// a stream for a pipeline, held back until they may be passed on. With a repository that is when the
// transaction they belong to is durable in it: a consumer never sees an event that a crash could take back
// (the archive resumes at its last durable transaction boundary, and the next run passes on what comes
// after it), so the outputs of successive runs join without gap or duplicate. A transaction's events are
// held in memory until its end is durable.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/archive/event_writer.h"
#include "mzl/archive/transaction_tracker.h"
#include "mzl/codec/decoder_context.h"
#include "mzl/schema/schema_tracker.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// The change stream's options (man/mzl-binlog-tail.1, CHANGE STREAM): JSON lines of rows events carry
// their transaction's gtid, xid and commit, and column names from `schema`; transactions in `after_gtid`
// are not written.
struct ChangeStreamOptions {
  schema::SchemaTracker* schema = nullptr;
  std::optional<schema::GtidPoint> after_gtid;
};

class TailOutput {
 public:
  TailOutput(OutputFormat format, OutputStream& out, ChangeStreamOptions change_stream = {});

  // Raw: the binlog magic.
  Status begin() { return writer_.begin(); }
  // Holds a copy of the event that starts at `offset` of the server's file `file`. A file's events must
  // follow its FORMAT_DESCRIPTION (JSON decodes them with it). `repeated`: a FORMAT_DESCRIPTION passed on
  // by an earlier run (a resumed file): written again to a raw stream, so that it is decodable alone, but
  // not as a JSON line, so that the JSON lines of successive runs join exactly.
  void add(std::string_view file, uint64_t offset, Bytes event, bool repeated = false);
  // As add(), and the events' transaction boundaries are worked out here (a stream without an archive,
  // which would otherwise find them): the event ending a transaction or outside one marks a boundary.
  Status add_tracked(std::string_view file, uint64_t offset, Bytes event);
  // The events added so far end a transaction (or lie outside one): release() may pass them on.
  void mark_boundary();
  // Writes the events up to the last mark_boundary() and flushes the stream. Call it only once they are
  // durable. Errors: kIo from the stream; kCorrupt when an event does not decode (JSON).
  Status release();

  // The file of the last event added ("" before the first): a restarted dump sends the FORMAT_DESCRIPTION
  // again, which is added only for a new file.
  const std::string& last_file() const { return last_file_; }
  size_t held_bytes() const { return bytes_.size(); }

 private:
  struct Entry {
    uint64_t offset = 0;
    size_t begin = 0, size = 0;  // in bytes_
    bool new_file = false;       // the first event of last_file_ at the time it was added
    bool repeated = false;
    std::string file;  // set when new_file
  };
  // Writes the transaction (or the event outside one) of entries [begin, end).
  Status release_transaction(size_t begin, size_t end);
  EventWriter writer_;
  ChangeStreamOptions change_stream_;
  std::vector<size_t> boundaries_;  // entry counts at each mark_boundary(), ascending
  TransactionTracker tracker_;      // add_tracked()
  codec::FormatDescription added_fd_;
  std::vector<uint8_t> bytes_;
  std::vector<Entry> entries_;
  size_t releasable_ = 0;
  std::string last_file_;
  codec::DecoderContext ctx_;
};

}  // namespace mzl::archive
