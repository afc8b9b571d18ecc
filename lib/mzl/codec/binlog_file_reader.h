#pragma once
// Streams the events of one binlog or relay-log file: checks the 4-byte magic, then frames one event at a
// time (raw_event.h) with its file offset, holding at most one event plus a fixed read buffer in memory.
// Tracks the FORMAT_DESCRIPTION in force (a relay log has several), so that checksums are framed right.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication_binlog_event.html
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::codec {

struct BinlogFileReaderOptions {
  bool verify_checksums = true;
  // Read buffer size; an event larger than this is assembled in a separate buffer that grows with the bytes
  // actually read (never from the event_size field alone).
  size_t buffer_size = 256 * 1024;
};

class BinlogFileReader {
 public:
  // Reads from `input` (file name for errors is input->name()). Nothing is read until the first next().
  explicit BinlogFileReader(std::unique_ptr<InputStream> input, BinlogFileReaderOptions options = {});

  // open_input(path) (plain, stdin "-" or LZ4), then the constructor above.
  static Result<BinlogFileReader> open(const std::string& path, BinlogFileReaderOptions options = {});

  // The next event, or std::nullopt at a clean end of input (the input ends exactly after an event).
  // The returned RawEvent's spans point into this reader and stay valid until the next call to next().
  //
  // Partial input: when the input ends inside the magic, a header or an event, the result is
  // kNeedMoreData with where = file name and offset = the start of the incomplete event (0 for the
  // magic). Nothing is consumed then: calling next() again later retries from the same offset, so a file
  // that is still being written can be tailed. Callers that read a finished file treat it as truncation.
  // Wrong magic: kCorrupt at offset 0. event_size < 19: kCorrupt, not consumed (the next event cannot be
  // found). CRC32 mismatch: kChecksumMismatch, consumed (next() continues after it). Read failures: kIo.
  //
  // A FORMAT_DESCRIPTION event replaces format() as soon as it is returned; one whose body cannot be decoded
  // is kCorrupt, consumed, and leaves format() unchanged.
  Result<std::optional<RawEvent>> next();

  // The FORMAT_DESCRIPTION in force for the next event (before the first one: MySQL without checksums).
  const FormatDescription& format() const { return fd_; }
  // Offset of the next event to read (4 after the magic).
  uint64_t offset() const { return offset_; }
  const std::string& name() const { return input_->name(); }

 private:
  // Makes at least `n` bytes available at buffer_[begin_..]; returns false at end of input.
  Result<bool> fill(size_t n);
  // `header`: the event's header, read once in next() and handed on to frame_event().
  Result<std::optional<RawEvent>> frame_large(const EventHeader& header);
  Result<std::optional<RawEvent>> finish_event(Bytes data, const EventHeader& header);
  Error need_more(const std::string& what) const;

  std::unique_ptr<InputStream> input_;
  BinlogFileReaderOptions options_;
  FormatDescription fd_;
  std::vector<uint8_t> buffer_;
  size_t begin_ = 0;            // first unconsumed byte in buffer_
  size_t end_ = 0;              // one past the last byte read into buffer_
  std::vector<uint8_t> large_;  // an event larger than buffer_ (contains buffer_'s bytes of it, too)
  uint64_t offset_ = 0;
  bool magic_checked_ = false;
  size_t consume_on_next_ = 0;  // size of the event handed out last, consumed at the next call
};

}  // namespace mzl::codec
