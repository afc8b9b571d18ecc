#pragma once
// Rows events: WRITE/UPDATE/DELETE_ROWS v0 "pre-GA" (20-22), v1 (23-25), v2 (30-32), MySQL
// PARTIAL_UPDATE_ROWS (39) and MariaDB's zlib-compressed rows events (166-171).
// MySQL: https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Rows__event.html
// MariaDB: https://mariadb.com/kb/en/rows_event_v1v2-rows_compressed_event_v1/
//   post-header: table_id u48 (u32 when the FD's post-header length is 6) | flags u16 |
//                (v2, post-header 10) extra_data_len u16 (counts itself) + extra data chunks
//   body: column_count packed | columns_present bitmap | (UPDATE/PARTIAL_UPDATE v1/v2) after-image bitmap |
//         row images (MariaDB compressed: header byte 0x8L, L-byte big-endian uncompressed length, zlib data)
// The row images stay raw here; row_image.h turns them into typed values with the table map.
#include <cstdint>
#include <optional>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/result.h"

namespace mzl::codec {

enum class RowsKind : uint8_t { kWrite, kUpdate, kDelete, kPartialUpdate };

// Rows event flags (Rows_event::enum_flag).
inline constexpr uint16_t kRowsFlagStmtEnd = 0x0001;
inline constexpr uint16_t kRowsFlagNoForeignKeyChecks = 0x0002;
inline constexpr uint16_t kRowsFlagRelaxedUniqueChecks = 0x0004;
inline constexpr uint16_t kRowsFlagCompleteRows = 0x0008;

// Largest uncompressed row data we accept from a MariaDB compressed rows event (the server's own limit for
// an event is max_allowed_packet, at most 1 GiB).
inline constexpr uint64_t kMaxUncompressedRowsSize = uint64_t{1} << 30;

// The v2 extra-row-info chunks we understand (libbinlogevents enum_extra_row_info_typecode).
struct RowsExtraInfo {
  std::optional<std::vector<uint8_t>> ndb_info;  // NDB chunk: len u8 (counts itself and format), format, data
  std::optional<uint16_t> partition_id;          // PART chunk
  std::optional<uint16_t> source_partition_id;   // PART chunk of UPDATE/PARTIAL_UPDATE
  bool operator==(const RowsExtraInfo&) const = default;
};

struct RowsEvent {
  uint8_t type_code = 0;
  uint64_t table_id = 0;
  uint8_t table_id_size = 6;
  uint16_t flags = 0;
  bool has_extra_data = false;      // v2 layout (post-header 10): the extra-data length field is present
  std::vector<uint8_t> extra_data;  // v2: the chunks after the 2-byte length, as written
  RowsExtraInfo extra_info;         // decoded from extra_data
  uint64_t column_count = 0;
  std::vector<uint8_t> columns_before;   // present-columns bitmap of the before image (or the only image)
  std::vector<uint8_t> columns_after;    // UPDATE v1/v2 and PARTIAL_UPDATE: after-image bitmap; else empty
  std::vector<uint8_t> rows;             // the row images, uncompressed
  bool compressed = false;               // MariaDB 166-171
  std::vector<uint8_t> compressed_rows;  // as written (header byte, length, zlib stream), for re-encoding

  RowsKind kind() const;
  bool is_update() const { return kind() == RowsKind::kUpdate || kind() == RowsKind::kPartialUpdate; }
  bool has_after_bitmap() const;  // whether columns_after is in the encoding
  bool operator==(const RowsEvent&) const = default;
};

// Whether the type code is one of the rows events above.
bool is_rows_event(uint8_t type_code);
RowsKind rows_kind(uint8_t type_code);

// Decodes the body (after the common header, checksum removed). kCorrupt when the bitmaps or the extra data
// run past the body or the compressed data does not inflate to the length it declares; kUnsupported for a
// compression algorithm other than zlib. Sizes are checked before any allocation.
Result<RowsEvent> decode_rows_event(uint8_t type_code, ByteReader& body, const FormatDescription& fd);
// The same into `out`, whose vectors keep their capacity (a reader that decodes rows event after rows event
// into one RowsEvent allocates only when a row grows past every one before it). On failure `out` holds part
// of the event.
Status decode_rows_event(uint8_t type_code, ByteReader& body, const FormatDescription& fd, RowsEvent& out);
void encode_rows_event(const RowsEvent& event, const FormatDescription& fd, ByteWriter& out);

}  // namespace mzl::codec
