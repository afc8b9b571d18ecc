#pragma once
// QUERY_EVENT (2) and MariaDB QUERY_COMPRESSED_EVENT (165): a statement, with the session state it ran in
// (status variables).
// Body: thread_id u32 | exec_time u32 | db_len u8 | error_code u16 | status_vars_len u16 (5.0+) |
//       [more post-header bytes if the FD says so] | status_vars | db | NUL | query (to the end).
// QUERY_COMPRESSED keeps this layout; the query part is a MariaDB compressed record: a header byte
// (0x80 | algorithm << 4 | length-of-length, algorithm 0 = zlib), the uncompressed length big-endian in
// length-of-length (1-4) bytes, then the zlib stream.
//
// Contract: `body` holds the bytes after the common header without the checksum. Every byte is kept:
// the status-variable block is stored raw (status_vars_raw) and written back verbatim, so unknown variables
// round-trip; `status` is the parsed view of the known ones. QUERY_COMPRESSED keeps its compressed bytes
// and writes them back as read. Bad lengths (status_vars_len or db_len past the end, db not followed by
// NUL, a compressed record that does not inflate to its declared length) are kCorrupt.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// Status variable codes, both flavours (MySQL statement_events.h enum_query_status_vars_codes,
// MariaDB sql/log_event.h).
enum QueryStatusCode : uint8_t {
  kQFlags2 = 0,
  kQSqlMode = 1,
  kQCatalog = 2,  // 5.0.0-5.0.3: length, string, NUL
  kQAutoIncrement = 3,
  kQCharset = 4,
  kQTimeZone = 5,
  kQCatalogNz = 6,
  kQLcTimeNames = 7,
  kQCharsetDatabase = 8,
  kQTableMapForUpdate = 9,
  kQMasterDataWritten = 10,
  kQInvoker = 11,
  kQUpdatedDbNames = 12,
  kQMicroseconds = 13,
  kQCommitTs = 14,  // MySQL 5.7 development releases only: 8 bytes
  kQCommitTs2 = 15,
  kQExplicitDefaultsTs = 16,
  kQDdlLoggedWithXid = 17,
  kQDefaultCollationForUtf8mb4 = 18,
  kQSqlRequirePrimaryKey = 19,
  kQDefaultTableEncryption = 20,
  kQMariaHrnow = 128,  // MariaDB: microseconds of the statement's start time (3 bytes)
  kQMariaXid = 129,    // MariaDB: XID of a DDL (8 bytes)
  kQMariaGtidFlags3 = 130,
};

// The known status variables, as parsed. Parsing stops at the first unknown code (the server does the
// same, which is why variables are written in a fixed order); `unknown_code` then names it.
struct QueryStatusVars {
  std::vector<uint8_t> order;  // codes in the order they appear (encode_query_status_vars follows it)
  std::optional<uint32_t> flags2;
  std::optional<uint64_t> sql_mode;
  std::optional<std::string> catalog;  // from kQCatalog (NUL-terminated form) or kQCatalogNz
  std::optional<uint16_t> auto_increment_increment;
  std::optional<uint16_t> auto_increment_offset;
  std::optional<uint16_t> charset_client;  // kQCharset: client charset, connection and server collations
  std::optional<uint16_t> collation_connection;
  std::optional<uint16_t> collation_server;
  std::optional<std::string> time_zone;
  std::optional<uint16_t> lc_time_names;
  std::optional<uint16_t> charset_database;
  std::optional<uint64_t> table_map_for_update;
  std::optional<uint32_t> master_data_written;
  std::optional<std::string> invoker_user;
  std::optional<std::string> invoker_host;
  // Count byte as written: 254 (OVER_MAX_DBS_IN_EVENT_MTS) or any count above 16 means "too many", with
  // no names following.
  std::optional<uint8_t> updated_db_count;
  std::vector<std::string> updated_db_names;
  std::optional<uint32_t> microseconds;  // 3 bytes
  std::optional<uint64_t> commit_ts;
  std::optional<uint8_t> explicit_defaults_ts;
  std::optional<uint64_t> ddl_xid;
  std::optional<uint16_t> default_collation_for_utf8mb4;
  std::optional<uint8_t> sql_require_primary_key;
  std::optional<uint8_t> default_table_encryption;
  std::optional<uint32_t> maria_hrnow;  // 3 bytes
  std::optional<uint64_t> maria_xid;
  std::optional<uint8_t> maria_gtid_flags3;
  std::optional<uint8_t> unknown_code;

  bool operator==(const QueryStatusVars&) const = default;
};

// Parses a status-variable block. kCorrupt when a known variable runs past the block.
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Query__event.html
Result<QueryStatusVars> parse_query_status_vars(Bytes block);
// Builds a block from the parsed view, in `order` (or code order when `order` is empty). Variables after
// an unknown code cannot be rebuilt; keep QueryEvent::status_vars_raw for byte-exact output.
std::vector<uint8_t> encode_query_status_vars(const QueryStatusVars& vars);

struct QueryEvent {
  bool compressed = false;  // MariaDB QUERY_COMPRESSED (165)
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::vector<uint8_t> extra_post_header;  // post-header bytes beyond the 13 known (FD-dependent)
  std::vector<uint8_t> status_vars_raw;    // the block as written; the encoder writes this
  QueryStatusVars status;                  // parsed view of status_vars_raw
  std::string db;
  std::string query;  // the SQL text (inflated for QUERY_COMPRESSED)
  // QUERY_COMPRESSED: the compressed record as read (header byte, length, zlib stream); the encoder writes
  // it when non-empty and otherwise compresses `query`.
  std::vector<uint8_t> compressed_query;

  bool operator==(const QueryEvent&) const = default;
};

// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Query__event.html
Result<QueryEvent> decode_query_event(ByteReader& body, const FormatDescription& fd);
// https://mariadb.com/kb/en/query_event/ and https://mariadb.com/kb/en/compressed-binary-log/
Result<QueryEvent> decode_query_compressed_event(ByteReader& body, const FormatDescription& fd);
// Writes QUERY or QUERY_COMPRESSED layout according to event.compressed.
void encode_query_event(const QueryEvent& event, const FormatDescription& fd, ByteWriter& out);

// MariaDB compressed record (see above): inflate, capped at `max_size` bytes (kCorrupt beyond), and build.
Result<std::vector<uint8_t>> inflate_maria_compressed(Bytes record, size_t max_size);
std::vector<uint8_t> deflate_maria_compressed(Bytes data);

}  // namespace mzl::codec
