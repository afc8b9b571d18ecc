#pragma once
// FORMAT_DESCRIPTION_EVENT (type 15): the first event of every binlog file; it says how to read the rest.
// Body: binlog_version u16 | server_version char[50] | create_timestamp u32 | header_length u8 |
//       post_header_length[n] u8 | (servers with checksums: checksum_alg u8, then the event's 4-byte CRC).
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Format__description__event.html
// MariaDB: https://mariadb.com/kb/en/format_description_event/
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/result.h"

namespace mzl::codec {

enum class ChecksumAlg : uint8_t {
  kOff = 0,
  kCrc32 = 1,
  kUndefined = 255,  // servers older than MySQL 5.6.1 / MariaDB 5.3: no checksum byte, no CRC
};

enum class Flavour { kMySQL, kMariaDB };

struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;               // NUL-trimmed text of the 50-byte field
  std::vector<uint8_t> server_version_raw;  // the 50 bytes as written, kept for byte-exact re-encoding
  uint32_t create_timestamp = 0;
  uint8_t header_length = 19;
  std::vector<uint8_t> post_header_lengths;  // index i is event type i+1
  ChecksumAlg checksum_alg = ChecksumAlg::kUndefined;
  Flavour flavour = Flavour::kMySQL;

  // Length of the fixed post-header for `type_code`, or 0 when the table has no entry for it.
  uint8_t post_header_length(uint8_t type_code) const {
    if (type_code == 0 || type_code > post_header_lengths.size()) return 0;
    return post_header_lengths[type_code - 1];
  }
  // Whether events after this one carry a trailing CRC32.
  bool has_crc32() const { return checksum_alg == ChecksumAlg::kCrc32; }
  // Bytes at the end of every following event that are a checksum (4 for CRC32, else 0).
  size_t checksum_size() const { return has_crc32() ? 4 : 0; }
};

// Whether a server of this version writes the checksum_alg byte and a 4-byte checksum field in its own
// FORMAT_DESCRIPTION (MySQL >= 5.6.1, MariaDB >= 5.3). Such an FD carries the 4 bytes even when its
// checksum_alg is OFF; whether they are a CRC32 is decided by its own alg byte.
bool server_version_has_checksum_alg(std::string_view server_version);
// MariaDB when the version string contains "MariaDB", else MySQL.
Flavour flavour_of_server_version(std::string_view server_version);

// Decodes a FORMAT_DESCRIPTION body: the bytes after the common header, without the trailing 4-byte
// checksum field when the server version has one (frame_event() strips it). `fd` (the description in force
// before this event) is not used: an FD describes itself. Fails with kCorrupt when the body is shorter than
// its fixed part; every remaining byte is kept (post-header lengths) for byte-exact re-encoding.
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Format__description__event.html
Result<FormatDescription> decode_format_description(ByteReader& body, const FormatDescription& fd);
// Appends the body (up to and including the checksum_alg byte when the version has one; no checksum).
void encode_format_description(const FormatDescription& event, const FormatDescription& fd, ByteWriter& out);

// A description for servers that write binlog v4 with the given flavour and checksum, as used before the
// first FORMAT_DESCRIPTION of a stream is seen (and by tests that build events by hand).
FormatDescription default_format_description(Flavour flavour, ChecksumAlg alg);

// A FORMAT_DESCRIPTION event as the server's closed binlog file holds it at offset 4, and what it says.
struct ClosedFileFormatDescription {
  std::vector<uint8_t> event;
  FormatDescription fd;
};

// A FORMAT_DESCRIPTION received from a dump, or read from an open file, as the server's file holds it once
// closed: the server clears LOG_EVENT_BINLOG_IN_USE_F when it closes the file, and a dump zeroes log_pos
// when it starts past position 4; log_pos is restored to 4 + event_size and, when anything changed and the
// event has a CRC32, the CRC32 recomputed (it covers the flags byte, computed with the flag clear, so an
// unchanged event keeps its bytes). kChecksumMismatch / kCorrupt when the event does not frame or decode,
// or its log_pos is neither 0 nor its end at offset 4.
// https://mariadb.com/kb/en/format_description_event/ (LOG_EVENT_BINLOG_IN_USE_F)
Result<ClosedFileFormatDescription> closed_file_format_description(Bytes event);

}  // namespace mzl::codec
