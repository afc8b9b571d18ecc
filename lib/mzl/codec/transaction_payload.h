#pragma once
// TRANSACTION_PAYLOAD_EVENT (40, MySQL 8.0.20+ binlog_transaction_compression): a whole transaction's
// events, compressed.
// Body: type-length-value header fields (type and length packed integers; the value of each known field is
// a packed integer): OTW_PAYLOAD_SIZE_FIELD 1, OTW_PAYLOAD_COMPRESSION_TYPE_FIELD 2 (0 ZSTD, 255 NONE),
// OTW_PAYLOAD_UNCOMPRESSED_SIZE_FIELD 3, ended by OTW_PAYLOAD_HEADER_END_MARK 0; then payload_size bytes.
// The inner events are ordinary v4 events without a checksum and with log_pos 0.
//
// Contract as in control_events.h. The header bytes are kept as read (header_raw) and the payload is kept
// compressed, so encode(decode(body)) == body. kCorrupt when a field runs past the body or the payload is
// shorter than payload_size.
#include <cstdint>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/result.h"

namespace mzl::codec {

inline constexpr uint64_t kPayloadCompressionZstd = 0;
inline constexpr uint64_t kPayloadCompressionNone = 255;
// Default cap on a payload's uncompressed size: MySQL's max_allowed_packet cannot exceed 1 GiB.
inline constexpr uint64_t kMaxTransactionPayloadSize = uint64_t{1} << 30;

struct TransactionPayloadEvent {
  uint64_t compression_type = kPayloadCompressionZstd;
  uint64_t payload_size = 0;
  uint64_t uncompressed_size = 0;
  // The TLV header as read, including the end mark; the encoder writes it when non-empty, otherwise it
  // writes compression type, uncompressed size, payload size and the end mark (the server's order).
  std::vector<uint8_t> header_raw;
  std::vector<uint8_t> payload;   // compressed bytes, as stored
  std::vector<uint8_t> trailing;  // bytes after the payload (none from a server)

  bool operator==(const TransactionPayloadEvent&) const = default;
};

// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Transaction__payload__event.html
Result<TransactionPayloadEvent> decode_transaction_payload_event(ByteReader& body,
                                                                 const FormatDescription& fd);
void encode_transaction_payload_event(const TransactionPayloadEvent& event, const FormatDescription& fd,
                                      ByteWriter& out);

// The inner events' bytes. Decompression stops with kCorrupt as soon as the output would exceed the
// declared uncompressed_size, when the declared size is above `max_size`, or when the stream ends short
// of it; memory grows with the bytes actually produced. An unknown compression type is kUnsupported.
Result<std::vector<uint8_t>> decompress_transaction_payload(const TransactionPayloadEvent& event,
                                                            uint64_t max_size = kMaxTransactionPayloadSize);

// Frames the events inside an uncompressed payload (views into `uncompressed`; offsets relative to its
// start) with `fd` minus its checksum. Errors as frame_event(); an event cut by the payload's end is
// kCorrupt here (the payload is complete, so nothing more can arrive).
Result<std::vector<RawEvent>> frame_payload_events(Bytes uncompressed, const FormatDescription& fd);

// Builds a TRANSACTION_PAYLOAD from serialized inner events (zstd level `level`, or NONE when
// compression_type is kPayloadCompressionNone).
Result<TransactionPayloadEvent> make_transaction_payload(Bytes inner_events,
                                                         uint64_t compression_type = kPayloadCompressionZstd,
                                                         int level = 3);

}  // namespace mzl::codec
