#pragma once
// Framing and checksum layer: cuts one event out of a byte buffer and checks its CRC32, without decoding the
// body (ripple's RawLogEventData). Decoding the body is event_decoder.h's job.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication_binlog_event.html
#include <cstdint>
#include <optional>

#include "mzl/codec/event_header.h"
#include "mzl/codec/format_description.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// A framed event: views into the caller's buffer, valid as long as that buffer is.
struct RawEvent {
  EventHeader header;
  Bytes data;  // the whole event: header, body and checksum (header.event_size bytes)
  Bytes body;  // after the common header, without the trailing checksum field
  // The trailing 4-byte checksum field when the event has one. A FORMAT_DESCRIPTION of a checksum-aware
  // server always has it, even when its checksum_alg is OFF (then the value is not verified).
  std::optional<uint32_t> checksum;
  bool checksum_verified = false;  // checksum is a CRC32 that was checked and matched
  uint64_t offset = 0;             // where the event starts in its file or stream
};

// Frames the event at the start of `buffer`; `offset` is that event's position in its file or stream (used
// for RawEvent::offset and for errors only). Bytes of `buffer` after the event are ignored.
//
// `fd` is the FORMAT_DESCRIPTION in force; it says whether the event ends in a CRC32. A FORMAT_DESCRIPTION
// event decides its own checksum from its own server version and checksum_alg byte, and its CRC32 is
// computed with LOG_EVENT_BINLOG_IN_USE_F (0x1) cleared.
//
// Errors (Error::offset is `offset`):
//  - kNeedMoreData: `buffer` ends before the 19-byte header or before header.event_size bytes: the event
//    may still be being written (tailing) or the input was truncated; the caller decides which.
//  - kCorrupt: event_size < 19, or smaller than the checksum it must carry.
//  - kChecksumMismatch: the stored CRC32 differs from the computed one (only when verify_checksum).
Result<RawEvent> frame_event(Bytes buffer, uint64_t offset, const FormatDescription& fd,
                             bool verify_checksum = true);
// The same for a caller that has read the event's header already (stream_cursor.h, binlog_file_reader.h,
// once per event): `header` must be load_event_header() of `buffer`'s first 19 bytes; it is not read again.
Result<RawEvent> frame_event(Bytes buffer, uint64_t offset, const FormatDescription& fd, bool verify_checksum,
                             const EventHeader& header);

// The CRC32 a binlog event stores: crc32 of `event_without_checksum`, with LOG_EVENT_BINLOG_IN_USE_F cleared
// first when the event is a FORMAT_DESCRIPTION.
uint32_t event_crc32(Bytes event_without_checksum);

// The description to frame events that carry no checksum (the events inside a TRANSACTION_PAYLOAD).
FormatDescription without_checksum(const FormatDescription& fd);

}  // namespace mzl::codec
