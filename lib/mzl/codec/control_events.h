#pragma once
// Small events with fixed layouts, both flavours: STOP (3), XID (16), INTVAR (5), RAND (13), USER_VAR (14),
// HEARTBEAT (27), HEARTBEAT_V2 (41), INCIDENT (26), ROWS_QUERY (29), MariaDB ANNOTATE_ROWS (160) and
// START_ENCRYPTION (164), and OpaqueEvent for every type this codec does not interpret.
//
// Contract of every decode_*: `body` holds the bytes after the 19-byte common header with the checksum
// already removed. On success the whole body is consumed; bytes after the last known field are kept in
// `trailing`, so encode(decode(body)) == body. On bytes that cannot be the event, the result is
// Error{kCorrupt} and nothing is allocated from an unchecked count. Encoders append the body only.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// STOP: the server shut down (or a relay log's writer stopped). No fields.
struct StopEvent {
  std::vector<uint8_t> trailing;
  bool operator==(const StopEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Stop__event.html
Result<StopEvent> decode_stop_event(ByteReader& body, const FormatDescription& fd);
void encode_stop_event(const StopEvent& event, const FormatDescription& fd, ByteWriter& out);

// XID: the commit of a transaction on an XA-capable engine.
struct XidEvent {
  uint64_t xid = 0;
  std::vector<uint8_t> trailing;
  bool operator==(const XidEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Xid__event.html
Result<XidEvent> decode_xid_event(ByteReader& body, const FormatDescription& fd);
void encode_xid_event(const XidEvent& event, const FormatDescription& fd, ByteWriter& out);

// INTVAR: LAST_INSERT_ID (1) or INSERT_ID (2) for the next statement.
struct IntvarEvent {
  uint8_t type = 0;
  uint64_t value = 0;
  std::vector<uint8_t> trailing;
  bool operator==(const IntvarEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Intvar__event.html
Result<IntvarEvent> decode_intvar_event(ByteReader& body, const FormatDescription& fd);
void encode_intvar_event(const IntvarEvent& event, const FormatDescription& fd, ByteWriter& out);

// RAND: the seeds of RAND() for the next statement.
struct RandEvent {
  uint64_t seed1 = 0;
  uint64_t seed2 = 0;
  std::vector<uint8_t> trailing;
  bool operator==(const RandEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Rand__event.html
Result<RandEvent> decode_rand_event(ByteReader& body, const FormatDescription& fd);
void encode_rand_event(const RandEvent& event, const FormatDescription& fd, ByteWriter& out);

// USER_VAR: a user variable the next statement uses.
struct UserVarEvent {
  std::string name;
  bool is_null = false;
  // Only when !is_null: Item_result type (0 STRING, 1 REAL, 2 INT, 4 DECIMAL), collation, raw value.
  uint8_t value_type = 0;
  uint32_t charset = 0;
  std::vector<uint8_t> value;
  std::optional<uint8_t> flags;  // UNSIGNED_F = 1; absent in events of servers before 5.1.58/MariaDB 5.5
  std::vector<uint8_t> trailing;
  bool operator==(const UserVarEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1User__var__event.html
Result<UserVarEvent> decode_user_var_event(ByteReader& body, const FormatDescription& fd);
void encode_user_var_event(const UserVarEvent& event, const FormatDescription& fd, ByteWriter& out);

// HEARTBEAT (27) and HEARTBEAT_V2 (41): sent by the dump thread when idle; never stored in a binlog file.
// v1: the body is the primary's current file name, the position is the header's log_pos.
// v2 (MySQL 8.0.26+, 64-bit positions): type-length-value fields, OTW_HB_LOG_FILENAME_FIELD (1) and
// OTW_HB_LOG_POSITION_FIELD (2, a packed integer), ended by OTW_HB_HEADER_END_MARK (0) or by the body's end.
struct HeartbeatEvent {
  bool v2 = false;
  std::string log_filename;
  std::optional<uint64_t> log_position;  // v2 only
  std::vector<uint8_t> raw;              // v2 only: the body as read, written back verbatim when non-empty
  bool operator==(const HeartbeatEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Heartbeat__event.html
Result<HeartbeatEvent> decode_heartbeat_event(ByteReader& body, const FormatDescription& fd);
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Heartbeat__event__v2.html
Result<HeartbeatEvent> decode_heartbeat_v2_event(ByteReader& body, const FormatDescription& fd);
void encode_heartbeat_event(const HeartbeatEvent& event, const FormatDescription& fd, ByteWriter& out);

// INCIDENT: something happened on the primary that may have left replicas inconsistent.
struct IncidentEvent {
  uint16_t incident = 0;               // 1 = LOST_EVENTS
  std::optional<std::string> message;  // length-prefixed (1 byte); absent when the body ends after `incident`
  std::vector<uint8_t> trailing;
  bool operator==(const IncidentEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Incident__event.html
Result<IncidentEvent> decode_incident_event(ByteReader& body, const FormatDescription& fd);
void encode_incident_event(const IncidentEvent& event, const FormatDescription& fd, ByteWriter& out);

// MariaDB ANNOTATE_ROWS: the SQL text of the statement whose row events follow (the whole body).
struct AnnotateRowsEvent {
  std::string query;
  bool operator==(const AnnotateRowsEvent&) const = default;
};
// https://mariadb.com/kb/en/annotate_rows_event/
Result<AnnotateRowsEvent> decode_annotate_rows_event(ByteReader& body, const FormatDescription& fd);
void encode_annotate_rows_event(const AnnotateRowsEvent& event, const FormatDescription& fd, ByteWriter& out);

// MySQL ROWS_QUERY: the SQL text of the statement whose row events follow. The leading length byte is
// the text length truncated to 8 bits, kept as written; the text is the rest of the body.
struct RowsQueryEvent {
  uint8_t length_byte = 0;
  std::string query;
  bool operator==(const RowsQueryEvent&) const = default;
};
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Rows__query__event.html
Result<RowsQueryEvent> decode_rows_query_event(ByteReader& body, const FormatDescription& fd);
void encode_rows_query_event(const RowsQueryEvent& event, const FormatDescription& fd, ByteWriter& out);

// MariaDB START_ENCRYPTION: every later event of the file is encrypted. Recognised and reported only: the
// codec does not decrypt, so the events after it cannot be decoded (callers report kUnsupported).
struct StartEncryptionEvent {
  uint8_t scheme = 0;
  uint32_t key_version = 0;
  std::array<uint8_t, 12> nonce{};
  std::vector<uint8_t> trailing;
  bool operator==(const StartEncryptionEvent&) const = default;
};
// https://mariadb.com/kb/en/start_encryption_event/
Result<StartEncryptionEvent> decode_start_encryption_event(ByteReader& body, const FormatDescription& fd);
void encode_start_encryption_event(const StartEncryptionEvent& event, const FormatDescription& fd,
                                   ByteWriter& out);

// Any event this codec does not interpret (LOAD-DATA family, IGNORABLE, VIEW_CHANGE, XA_PREPARE, unknown
// codes, ...): the body is kept as is, so the event is never dropped.
struct OpaqueEvent {
  uint8_t type_code = 0;
  std::vector<uint8_t> body;
  bool operator==(const OpaqueEvent&) const = default;
};
OpaqueEvent decode_opaque_event(uint8_t type_code, ByteReader& body);
void encode_opaque_event(const OpaqueEvent& event, const FormatDescription& fd, ByteWriter& out);

}  // namespace mzl::codec
