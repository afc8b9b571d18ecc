#pragma once
// The packets of the replication protocol, as bytes: the commands a replica sends (COM_REGISTER_SLAVE,
// COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID, the semi-sync ACK) and the packets the primary streams back.
// No I/O here (replica_stream.h sends and reads them), so every encoding is unit-tested byte by byte.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication.html
// https://mariadb.com/kb/en/com_binlog_dump/ , https://mariadb.com/kb/en/semi-sync-replication/
//
// Every encoder returns the whole command packet payload: the command byte first, then its arguments (the
// 4-byte packet header is the connector's business).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/codec/event_header.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::net {

inline constexpr uint8_t kComBinlogDump = 0x12;
inline constexpr uint8_t kComRegisterSlave = 0x15;
inline constexpr uint8_t kComBinlogDumpGtid = 0x1e;
inline constexpr uint8_t kSemiSyncIndicator = 0xEF;  // semi-sync header byte and ACK command byte
inline constexpr uint8_t kErrorPacketByte = 0xFF;    // the first byte of an error packet

// COM_BINLOG_DUMP / COM_BINLOG_DUMP_GTID flags. Bit 1 means different things to the two flavours.
inline constexpr uint16_t kDumpNonBlock = 0x01;  // both: end with an EOF packet at the end of the binlog
inline constexpr uint16_t kDumpSendAnnotateRows = 0x02;  // MariaDB: send ANNOTATE_ROWS events
inline constexpr uint16_t kDumpThroughPosition = 0x02;  // MySQL COM_BINLOG_DUMP_GTID: file/pos are meaningful
inline constexpr uint16_t kDumpThroughGtid = 0x04;      // MySQL COM_BINLOG_DUMP_GTID: the GTID set follows

// Semi-sync header flag: the primary waits for an ACK of this event.
inline constexpr uint8_t kSemiSyncAckRequested = 0x01;

inline constexpr size_t kMaxReportedHostLength = 60;  // HOSTNAME_LENGTH of MySQL 5.7, the smallest in use

struct RegisterReplicaRequest {
  uint32_t server_id = 0;
  std::string host;  // report_host; at most kMaxReportedHostLength bytes
  std::string user;  // report_user (shown by SHOW SLAVE HOSTS with --show-slave-auth-info)
  std::string password;
  uint16_t port = 0;
  uint32_t master_id = 0;  // the server ignores it; replicas send 0
};

// COM_REGISTER_SLAVE: 0x15 | server_id u32 | host len u8 + bytes | user len u8 + bytes | password len u8 +
// bytes | port u16 | replication_rank u32 (0) | master_id u32. kInvalidArgument for a host longer than
// kMaxReportedHostLength or a user/password longer than 255 bytes.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_register_slave.html
Result<std::vector<uint8_t>> encode_register_slave(const RegisterReplicaRequest& request);

// COM_BINLOG_DUMP: 0x12 | position u32 | flags u16 | server_id u32 | file name (the rest, no NUL).
// kInvalidArgument for a position past 4 GiB (the field has 32 bits; MySQL takes larger positions only in
// COM_BINLOG_DUMP_GTID).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_binlog_dump.html
Result<std::vector<uint8_t>> encode_binlog_dump(uint32_t server_id, uint16_t flags, std::string_view file,
                                                uint64_t position);

// COM_BINLOG_DUMP_GTID (MySQL): 0x1e | flags u16 | server_id u32 | file name length u32 | file name |
// position u64 | (flags & kDumpThroughGtid) data length u32 | data. `gtid_data` is the encoded GTID set
// (Gtid_set::encode(), the body of a PREVIOUS_GTIDS event; see encode_gtid_set_for_dump()).
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_binlog_dump_gtid.html
std::vector<uint8_t> encode_binlog_dump_gtid(uint32_t server_id, uint16_t flags, std::string_view file,
                                             uint64_t position, Bytes gtid_data);

// The encoded form of a MySQL GTID set in text ("uuid:1-5,uuid2:7"), as COM_BINLOG_DUMP_GTID carries it:
// n_sids u64 | per SID: uuid[16] | n_intervals u64 | per interval: start u64, end u64 (exclusive); the
// tagged form of MySQL 8.4 when the set holds a tagged GTID. kInvalidArgument for text that is not a set.
Result<std::vector<uint8_t>> encode_gtid_set_for_dump(std::string_view gtid_set_text);

// Semi-sync ACK: 0xEF | position u64 (the end of the acknowledged event in `file`) | file name (no NUL),
// the packet a semi-sync replica sends (MariaDB semisync_slave.cc slave_reply, MySQL semisync_replica).
std::vector<uint8_t> encode_semi_sync_ack(std::string_view file, uint64_t position);

// One packet read from the stream after the dump command.
struct StreamPacket {
  bool end_of_stream = false;  // EOF packet (0xFE, shorter than 9 bytes): the server ended the dump
  Bytes event;                 // the event (header, body, checksum), a view into the packet
  codec::EventHeader header;   // the event's header, read once here (frame it with frame_event(..., header))
  bool need_ack = false;       // the semi-sync header asked for an ACK
};

// Splits a stream packet: 0x00 [0xEF flag] event, or the EOF packet. `semi_sync_header` says whether the
// server puts the 2-byte semi-sync header before each event. Errors: an error packet (0xFF: error number,
// optional '#' + SQLSTATE, message) becomes stream_error_from_server()'s Error (kNotFound for 1236);
// kCorrupt for an empty packet, an unknown first byte, a missing semi-sync indicator, or an event shorter
// than its 19-byte header or whose event_size differs from the bytes the packet holds. (ReplicaStream maps
// error packets with parse_error_packet() before, naming the request it made.)
Result<StreamPacket> parse_stream_packet(Bytes packet, bool semi_sync_header);

// The Error for an error the server sent instead of (or in the middle of) the stream. 1236
// (ER_MASTER_FATAL_ERROR_READING_BINLOG: the requested binlog file, position or GTID is gone or never
// existed) is kNotFound with a message saying so; other numbers map as error_code_for_mysql_errno().
// `request` describes what was asked for ("GTID position 0-1-5", "file 'x' position 4").
Error stream_error_from_server(unsigned error_number, std::string_view server_message,
                               std::string_view request);

// An error packet (0xFF | error number u16 | optional '#' + 5-byte SQLSTATE | message) as libmariadb reads
// one (ma_net_safe_read): the number and the message. std::nullopt when `packet` is no error packet or too
// short to hold the number. ReplicaStream reads the stream's packets itself and maps these with the
// request it made, as it did when the connector consumed them.
struct ServerErrorPacket {
  unsigned number = 0;
  std::string_view message;  // a view into the packet
};
std::optional<ServerErrorPacket> parse_error_packet(Bytes packet);

}  // namespace mzl::net
