#pragma once
// Serializes typed events (event.h) back to binlog bytes: the 19-byte header, the body, and the checksum.
#include <cstdint>
#include <vector>

#include "mzl/codec/event.h"
#include "mzl/util/byte_writer.h"

namespace mzl::codec {

// Appends the body only (no header, no checksum), with the encoder of the body's type.
void encode_event_body(const EventBody& body, const FormatDescription& fd, ByteWriter& out);

// Appends the whole event. header.event_size is recomputed from the body; every other header field is
// written as given (log_pos is the caller's business). The checksum field:
//  - a FORMAT_DESCRIPTION decides from its own server version and checksum_alg: a CRC32 (computed with
//    LOG_EVENT_BINLOG_IN_USE_F cleared) when its alg is CRC32, else event.checksum (or 0) when its version
//    has the field, else none;
//  - any other event gets a freshly computed CRC32 when `fd` says CRC32, and no checksum otherwise.
// `fd` is the FORMAT_DESCRIPTION in force for this event (not used for a FORMAT_DESCRIPTION itself).
void encode_event(const Event& event, const FormatDescription& fd, ByteWriter& out);
std::vector<uint8_t> encode_event(const Event& event, const FormatDescription& fd);

}  // namespace mzl::codec
