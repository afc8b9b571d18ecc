#pragma once
// The common v4 event header (binlog version 4, MySQL 5.0+ and every MariaDB): 19 bytes, little-endian.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication_binlog_event.html
//   timestamp u32 | type u8 | server_id u32 | event_size u32 | log_pos u32 | flags u16
#include <cstdint>

#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"

namespace mzl::codec {

inline constexpr size_t kEventHeaderSize = 19;
inline constexpr uint8_t kBinlogMagic[4] = {0xFE, 'b', 'i', 'n'};
inline constexpr size_t kBinlogMagicSize = 4;

// Header flags (sql/log_event.h).
inline constexpr uint16_t kFlagBinlogInUse = 0x0001;  // LOG_EVENT_BINLOG_IN_USE_F, only on FORMAT_DESCRIPTION
inline constexpr uint16_t kFlagArtificial = 0x0020;   // LOG_EVENT_ARTIFICIAL_F: made up by the dump thread

struct EventHeader {
  uint32_t timestamp = 0;
  uint8_t type_code = 0;
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // the whole event: header, body and checksum
  uint32_t log_pos = 0;     // end position of this event in the server's file (0 inside TRANSACTION_PAYLOAD)
  uint16_t flags = 0;

  bool operator==(const EventHeader&) const = default;
};

// The header in the first 19 bytes at `p` (which must hold them). Does not validate event_size.
inline EventHeader load_event_header(const uint8_t* p) {
  EventHeader h;
  h.timestamp = static_cast<uint32_t>(load_le<4>(p));
  h.type_code = p[4];
  h.server_id = static_cast<uint32_t>(load_le<4>(p + 5));
  h.event_size = static_cast<uint32_t>(load_le<4>(p + 9));
  h.log_pos = static_cast<uint32_t>(load_le<4>(p + 13));
  h.flags = static_cast<uint16_t>(load_le<2>(p + 17));
  return h;
}

// Reads 19 bytes; the reader fails (and the header is all zero) if fewer remain. Does not validate
// event_size (framing does).
inline EventHeader read_event_header(ByteReader& in) {
  const Bytes header = in.bytes(kEventHeaderSize);
  if (header.empty()) return EventHeader{};
  return load_event_header(header.data());
}
void write_event_header(const EventHeader& header, ByteWriter& out);

}  // namespace mzl::codec
