#pragma once
// The GTID family of events, both flavours: MySQL GTID (33), ANONYMOUS_GTID (34), GTID_TAGGED (42),
// PREVIOUS_GTIDS (35, untagged and tagged); MariaDB BINLOG_CHECKPOINT (161), GTID (162), GTID_LIST (163).
//
// Contract of every decode_*: `body` holds the bytes after the 19-byte common header with the checksum
// already removed. On success the whole body is consumed and every byte is kept in the struct (unknown
// trailing bytes in `trailing`), so encode(decode(body)) == body. On bytes that cannot be the event, the
// result is Error{kCorrupt} and nothing is allocated from an unchecked count. Encoders append the body only.
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

using Sid = std::array<uint8_t, 16>;  // a server UUID in the byte order the server writes (RFC 4122 order)

// Gtid_event::gtid_flags bit 0 (FLAG_MAY_HAVE_SBR): the transaction may contain statement-based events.
inline constexpr uint8_t kGtidFlagMayHaveSbr = 0x01;

// MySQL GTID / ANONYMOUS_GTID / GTID_TAGGED. Every field after the GNO is optional in the format (older
// servers stop earlier; GTID_TAGGED may omit any field); an absent field is std::nullopt and is not written
// back.
struct MysqlGtidEvent {
  uint8_t type_code = 33;  // 33 GTID, 34 ANONYMOUS_GTID, 42 GTID_TAGGED (selects the wire format)
  uint8_t flags = 0;       // gtid_flags (commit flag: kGtidFlagMayHaveSbr)
  Sid sid{};
  int64_t gno = 0;  // 1..2^63-2 for GTID/GTID_TAGGED, 0 for ANONYMOUS_GTID
  std::string tag;  // GTID_TAGGED only, as on the wire (at most 32 bytes)

  // Untagged only: the logical-clock type byte (MySQL 5.7.6+). When it is not 2 (5.7.4 and older) the bytes
  // after it are not interpreted and stay in `trailing`, as the server does.
  std::optional<uint8_t> lt_type;
  std::optional<int64_t> last_committed;
  std::optional<int64_t> sequence_number;
  // Microseconds since the epoch (MySQL 8.0.1+); untagged: 7 bytes each, original present on the wire only
  // when the high bit of immediate's 56-bit field is set (the flag is not part of the value here).
  std::optional<uint64_t> immediate_commit_timestamp;
  std::optional<uint64_t> original_commit_timestamp;
  std::optional<uint64_t> transaction_length;  // untagged: packed integer (MySQL 8.0.2+)
  // Untagged: 4 bytes each (MySQL 8.0.14+); original present only when immediate's high bit is set.
  std::optional<uint32_t> immediate_server_version;
  std::optional<uint32_t> original_server_version;
  std::optional<uint64_t> commit_group_ticket;  // MySQL 8.0.33+

  // GTID_TAGGED framing that has no field of its own: the message's last_non_ignorable_field_id and the
  // bytes of fields this decoder does not know (ids after commit_group_ticket), kept verbatim.
  uint64_t tagged_last_non_ignorable_field_id = 0;
  std::vector<uint8_t> tagged_unknown_fields;
  std::vector<uint8_t> trailing;  // bytes after the last known field (untagged) or after the message (tagged)

  bool operator==(const MysqlGtidEvent&) const = default;
};

// MySQL libs/mysql/binlog/event/control_events.cpp (Gtid_event ctor) and, for GTID_TAGGED,
// libs/mysql/serialization (readme.md: message format, variable-length integers).
// type_code must be 33, 34 or 42, else kInvalidArgument. Beyond what the server checks (GNO range, field
// lengths), encodings the server would accept but never writes (non-minimal integers, a message size that
// disagrees with its content) are kCorrupt too, because they could not be written back byte for byte.
Result<MysqlGtidEvent> decode_mysql_gtid_event(uint8_t type_code, ByteReader& body,
                                               const FormatDescription& fd);
void encode_mysql_gtid_event(const MysqlGtidEvent& event, const FormatDescription& fd, ByteWriter& out);

struct GtidInterval {
  int64_t start = 0;  // inclusive
  int64_t end = 0;    // exclusive, as on the wire
  bool operator==(const GtidInterval&) const = default;
};

// PREVIOUS_GTIDS (35): the GTID set executed before this file.
struct PreviousGtidsEvent {
  struct SidIntervals {
    Sid sid{};
    std::string tag;  // tagged format only (may be empty there too)
    std::vector<GtidInterval> intervals;
    bool operator==(const SidIntervals&) const = default;
  };
  // The tagged encoding (MySQL 8.4+): the 8-byte n_sids word is (1 << 56) | (n << 8) | 1 and every SID is
  // followed by its tag (varlen length + bytes); untagged the word is n itself.
  bool tagged = false;
  std::vector<SidIntervals> sids;
  std::vector<uint8_t> trailing;

  bool operator==(const PreviousGtidsEvent&) const = default;
};

// MySQL sql/rpl_gtid_set.cc (Gtid_set::encode / add_gtid_encoding), control_events.cpp Previous_gtids_event.
// Intervals must be ascending, non-empty and not touching (start > previous end), as the server checks; a
// tag length in a non-minimal varlen encoding (which no server writes) is kCorrupt too.
Result<PreviousGtidsEvent> decode_previous_gtids_event(ByteReader& body, const FormatDescription& fd);
void encode_previous_gtids_event(const PreviousGtidsEvent& event, const FormatDescription& fd,
                                 ByteWriter& out);

// MariaDB GTID flags2 bits (sql/log_event.h, Gtid_log_event).
inline constexpr uint8_t kMariaFlStandalone = 1;
inline constexpr uint8_t kMariaFlGroupCommitId = 2;
inline constexpr uint8_t kMariaFlTransactional = 4;
inline constexpr uint8_t kMariaFlAllowParallel = 8;
inline constexpr uint8_t kMariaFlWaited = 16;
inline constexpr uint8_t kMariaFlDdl = 32;
inline constexpr uint8_t kMariaFlPreparedXa = 64;
inline constexpr uint8_t kMariaFlCompletedXa = 128;
// flags_extra bits (MariaDB 10.8+/11).
inline constexpr uint8_t kMariaFlExtraMultiEngine = 1;
inline constexpr uint8_t kMariaFlStartAlter = 2;
inline constexpr uint8_t kMariaFlCommitAlter = 4;
inline constexpr uint8_t kMariaFlRollbackAlter = 8;
inline constexpr uint8_t kMariaFlExtraThreadId = 16;

// MariaDB GTID (162). The GTID's server_id is the event header's server_id, not part of the body.
struct MariaGtidEvent {
  uint64_t seq_no = 0;
  uint32_t domain_id = 0;
  uint8_t flags2 = 0;
  std::optional<uint64_t> commit_id;  // flags2 & kMariaFlGroupCommitId
  struct Xid {
    int32_t format_id = 0;
    uint8_t gtrid_length = 0;
    uint8_t bqual_length = 0;
    std::vector<uint8_t> data;  // gtrid_length + bqual_length bytes
    bool operator==(const Xid&) const = default;
  };
  std::optional<Xid> xid;                // flags2 & (kMariaFlPreparedXa | kMariaFlCompletedXa)
  std::optional<uint8_t> flags_extra;    // present on MariaDB 10.8+ when any extra flag is set
  std::optional<uint8_t> extra_engines;  // flags_extra & kMariaFlExtraMultiEngine
  std::optional<uint64_t> sa_seq_no;     // flags_extra & (kMariaFlCommitAlter | kMariaFlRollbackAlter)
  std::optional<uint32_t> thread_id;     // flags_extra & kMariaFlExtraThreadId (MariaDB 11.5+)
  std::vector<uint8_t> trailing;         // padding zeros and anything unknown after the known fields

  bool operator==(const MariaGtidEvent&) const = default;
};

// MariaDB sql/log_event.cc Gtid_log_event::Gtid_log_event; https://mariadb.com/kb/en/gtid_event/
// After flags2, commit_id and the xid, the first remaining byte (a padding zero on most events) is
// flags_extra, as the server reads it.
Result<MariaGtidEvent> decode_maria_gtid_event(ByteReader& body, const FormatDescription& fd);
void encode_maria_gtid_event(const MariaGtidEvent& event, const FormatDescription& fd, ByteWriter& out);

// What a transaction tracker needs of a MariaDB GTID event, read with exactly decode_maria_gtid_event()'s
// checks (kCorrupt on the same bodies) but nothing kept or allocated: the optional parts are skipped.
struct MariaGtidId {
  uint64_t seq_no = 0;
  uint32_t domain_id = 0;
  uint8_t flags2 = 0;
};
Result<MariaGtidId> decode_maria_gtid_id(ByteReader& body);

// The server pads a GTID body shorter than its 19-byte post-header with zeros and rejects shorter bodies.
// For an event built by hand: sets flags_extra (0 when unset) and zero `trailing` bytes so that the body is
// at least 19 bytes, in the form decode_maria_gtid_event() gives back.
void pad_maria_gtid_event(MariaGtidEvent& event);

// MariaDB GTID_LIST (163): the binlog state at the start of a file (one GTID per domain and server).
struct MariaGtidListEvent {
  struct Entry {
    uint32_t domain_id = 0;
    uint32_t server_id = 0;
    uint64_t seq_no = 0;
    bool operator==(const Entry&) const = default;
  };
  uint8_t flags = 0;  // top 4 bits of the count word (FLAG_UNTIL_REACHED 1, FLAG_IGN_GTIDS 2)
  std::vector<Entry> list;
  std::vector<uint8_t> trailing;

  bool operator==(const MariaGtidListEvent&) const = default;
};

// MariaDB sql/log_event.cc Gtid_list_log_event; https://mariadb.com/kb/en/gtid_list_event/
Result<MariaGtidListEvent> decode_maria_gtid_list_event(ByteReader& body, const FormatDescription& fd);
void encode_maria_gtid_list_event(const MariaGtidListEvent& event, const FormatDescription& fd,
                                  ByteWriter& out);

// MariaDB BINLOG_CHECKPOINT (161): the oldest binlog file still needed for crash recovery.
struct BinlogCheckpointEvent {
  std::string binlog_file_name;
  std::vector<uint8_t> trailing;

  bool operator==(const BinlogCheckpointEvent&) const = default;
};

// MariaDB sql/log_event.cc Binlog_checkpoint_log_event; https://mariadb.com/kb/en/binlog_checkpoint_event/
Result<BinlogCheckpointEvent> decode_binlog_checkpoint_event(ByteReader& body, const FormatDescription& fd);
void encode_binlog_checkpoint_event(const BinlogCheckpointEvent& event, const FormatDescription& fd,
                                    ByteWriter& out);

}  // namespace mzl::codec
