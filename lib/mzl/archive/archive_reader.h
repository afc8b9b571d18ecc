#pragma once
// Reads a sequence of archived binlog files (REPO/binlogs/<source>/, man/mzl.7) in order as one stream of
// events: plain and LZ4 files alike (compress_binlog.h), every event framed with the FORMAT_DESCRIPTION in
// force and its CRC32 checked (codec/binlog_file_reader.h), and each event handed out with what
// TransactionTracker (transaction_tracker.h) says about transaction boundaries. Replay, flashback, PITR
// planning and mzl-verify's binlog check read the archive through this one reader, so the rule of where a
// transaction starts and ends lives in one place (../shared/DESIGN.md: "one reader for replay, flashback,
// verify, prune").
//
// Files are read in the order given (archive_files_from(), binlog_file_list.h, gives an archive's files
// checked for gaps); ROTATE names are not followed (verify's binlog_check checks them). A transaction that a
// file ends inside (a server that crashed mid-write) is abandoned: the next file's events are outside it.
//
// Partial input: a file other than the last that ends inside an event is kCorrupt ("truncated") at the
// offset of the incomplete event. The last file may be the one mzl-binlog-tail is writing: with
// last_file_may_be_partial its complete events are all there is and the read ends cleanly before the
// incomplete one; otherwise that is kNeedMoreData at its offset.
//
// Reading past damage (continue_past_damage, for mzl-verify's binlog_check, which reports every problem
// of an archive and not only the first): damage to one event whose framing is sound (a CRC32 mismatch, a
// body the tracker cannot decode) is handed out for that event and reading goes on with the next one; bad
// framing, a file that ends inside an event, or bytes the input cannot inflate end that file only, and
// reading goes on with the next file. The transaction the damage falls in is abandoned, as at a file's end.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mzl/archive/transaction_tracker.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/util/result.h"

namespace mzl::archive {

struct ArchiveReaderOptions {
  // In the first file, the events before this offset are not handed out, except FORMAT_DESCRIPTION (the
  // events after it are framed and applied with it); the tracker still follows them.
  uint64_t start_position = codec::kBinlogMagicSize;
  bool last_file_may_be_partial = false;
  // Hand out damage as items (ArchiveItem) instead of stopping at it; see above. last_file_may_be_partial
  // is then ignored: a file that ends inside an event is a kFileEnd item with kNeedMoreData.
  bool continue_past_damage = false;
  size_t buffer_size = 256 * 1024;
};

// What next() hands out. Without continue_past_damage every item is an event whose `damage` is empty.
enum class ArchiveItem : uint8_t {
  // An event. With continue_past_damage, `damage` is set (kCorrupt, with the path and offset) when the
  // tracker cannot decode its body (GTID, QUERY, GTID list): the event is outside any transaction then.
  kEvent,
  // continue_past_damage: an event whose CRC32 does not match. `damage` is the kChecksumMismatch (with the
  // path and offset); `raw` holds no bytes. The next item is the event after it.
  kUnreadableEvent,
  // continue_past_damage: the end of the file `file` / `path`; each file ends with one unless
  // skip_rest_of_file() ended it. `damage` is empty at a clean end (after an event, at stopped_at) or the
  // error that ended the file early, as codec::BinlogFileReader::next() returned it: kNeedMoreData at the
  // offset of the incomplete event, kCorrupt (bad magic, event_size below the header, a FORMAT_DESCRIPTION
  // that does not decode, LZ4 content that does not inflate), ...
  kFileEnd,
};

// One event of the archive and its place in the transactions.
struct ArchiveEvent {
  ArchiveItem item = ArchiveItem::kEvent;
  std::optional<Error> damage;      // see ArchiveItem
  uint64_t stopped_at = 0;          // kFileEnd: the offset where reading the file stopped
  codec::RawEvent raw;              // its spans stay valid until the reader's next call to next()
  std::string file;                 // the server's name of the file ("x.000042", also for "x.000042.lz4")
  std::string path;                 // the file as opened (errors name it)
  bool starts_transaction = false;  // the transaction's first event (TransactionTracker::Step::starts)
  bool ends_transaction = false;    // its last event (Step::ends); a one-event transaction does both
  bool in_transaction =
      false;         // part of a transaction: from the event that starts it to the one that ends it
  std::string gtid;  // the GTID of that transaction ("" outside one, for an anonymous one, or without GTIDs)

  // The FORMAT_DESCRIPTION in force for `raw` (a FORMAT_DESCRIPTION event's own).
  const codec::FormatDescription& format() const { return *format_; }

 private:
  friend class ArchiveReader;
  const codec::FormatDescription* format_ = nullptr;
};

class ArchiveReader {
 public:
  // Nothing is opened until the first next().
  explicit ArchiveReader(std::vector<std::filesystem::path> files, ArchiveReaderOptions options = {});

  // The next event, or nullptr after the last file's last (complete) event. The event is valid until the
  // next call. Errors name the file (its path) and, for an event, its offset: kNotFound / kIo when a file
  // cannot be opened or read; kChecksumMismatch; kCorrupt for bad framing, a body the tracker cannot decode
  // (GTID, QUERY, GTID list) or a truncated file before the last; kNeedMoreData as above. Reading stops at
  // the first error. With continue_past_damage only kNotFound and kIo are errors (a file that cannot be
  // opened or read); the rest is handed out as items (ArchiveItem).
  Result<const ArchiveEvent*> next();

  // continue_past_damage: the caller found damage in the event just handed out that the reader cannot see
  // (binlog_check: a GTID-family body its GTID continuity check cannot decode): the open transaction is
  // abandoned, the next event is outside it.
  void abandon_transaction();
  // continue_past_damage: the rest of the file being read is not read (no kFileEnd item for it); the next
  // item comes from the next file.
  void skip_rest_of_file();

  // The server's name of the file opened last ("" before the first next()).
  const std::string& file() const { return event_.file; }
  uint64_t files_opened() const { return opened_; }
  // The GTID state after the last complete transaction read.
  const TransactionTracker& tracker() const { return tracker_; }

 private:
  Status open_next();
  Error partial_end(Error error) const;
  // A kUnreadableEvent or kFileEnd: no event bytes, outside any transaction.
  Result<const ArchiveEvent*> item_without_event(ArchiveItem item, std::optional<Error> damage);

  std::vector<std::filesystem::path> files_;
  ArchiveReaderOptions options_;
  std::optional<codec::BinlogFileReader> reader_;
  size_t opened_ = 0;  // files opened so far; the one being read is files_[opened_ - 1]
  bool done_ = false;
  std::optional<Error> failed_;
  TransactionTracker tracker_;
  ArchiveEvent event_;
};

}  // namespace mzl::archive
