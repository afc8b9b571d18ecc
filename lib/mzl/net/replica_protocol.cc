#include "mzl/net/replica_protocol.h"

#include <fmt/format.h>
#include <mysqld_error.h>

#include "mzl/codec/event_header.h"
#include "mzl/codec/format_description.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/codec/gtid_from_events.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/net/server_connection.h"
#include "mzl/util/byte_writer.h"

namespace mzl::net {

namespace {

constexpr uint8_t kOkByte = 0x00;
constexpr uint8_t kEofByte = 0xFE;
constexpr uint8_t kErrorByte = 0xFF;
constexpr size_t kMaxEofPacketSize = 8;

Status write_short_string(ByteWriter& out, std::string_view what, std::string_view value, size_t max) {
  if (value.size() > max) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("COM_REGISTER_SLAVE: the {} is {} bytes long, at most {} fit", what, value.size(), max));
  }
  out.u8(static_cast<uint8_t>(value.size()));
  out.string(value);
  return ok_status();
}

}  // namespace

Result<std::vector<uint8_t>> encode_register_slave(const RegisterReplicaRequest& request) {
  ByteWriter out;
  out.u8(kComRegisterSlave);
  out.u32le(request.server_id);
  MZL_CHECK(write_short_string(out, "report host", request.host, kMaxReportedHostLength));
  MZL_CHECK(write_short_string(out, "report user", request.user, 255));
  MZL_CHECK(write_short_string(out, "report password", request.password, 255));
  out.u16le(request.port);
  out.u32le(0);  // replication rank, ignored by every server
  out.u32le(request.master_id);
  return out.take();
}

Result<std::vector<uint8_t>> encode_binlog_dump(uint32_t server_id, uint16_t flags, std::string_view file,
                                                uint64_t position) {
  if (position > UINT32_MAX) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("COM_BINLOG_DUMP cannot ask for position {} of '{}': the field has 32 bits",
                             position, file));
  }
  ByteWriter out;
  out.u8(kComBinlogDump);
  out.u32le(static_cast<uint32_t>(position));
  out.u16le(flags);
  out.u32le(server_id);
  out.string(file);
  return out.take();
}

std::vector<uint8_t> encode_binlog_dump_gtid(uint32_t server_id, uint16_t flags, std::string_view file,
                                             uint64_t position, Bytes gtid_data) {
  ByteWriter out;
  out.u8(kComBinlogDumpGtid);
  out.u16le(flags);
  out.u32le(server_id);
  out.u32le(static_cast<uint32_t>(file.size()));
  out.string(file);
  out.u64le(position);
  if (flags & kDumpThroughGtid) {
    out.u32le(static_cast<uint32_t>(gtid_data.size()));
    out.bytes(gtid_data);
  }
  return out.take();
}

Result<std::vector<uint8_t>> encode_gtid_set_for_dump(std::string_view gtid_set_text) {
  auto set = gtid::MysqlGtidSet::parse(gtid_set_text);
  if (!set.ok()) {
    Error e = set.error();
    e.message = fmt::format("start GTID set '{}': {}", gtid_set_text, e.message);
    return e;
  }
  ByteWriter out;
  codec::encode_previous_gtids_event(
      codec::previous_gtids_event_for(*set),
      codec::default_format_description(codec::Flavour::kMySQL, codec::ChecksumAlg::kOff), out);
  return out.take();
}

std::vector<uint8_t> encode_semi_sync_ack(std::string_view file, uint64_t position) {
  ByteWriter out;
  out.u8(kSemiSyncIndicator);
  out.u64le(position);
  out.string(file);
  return out.take();
}

Result<StreamPacket> parse_stream_packet(Bytes packet, bool semi_sync_header) {
  if (packet.empty()) return Error(ErrorCode::kCorrupt, "empty packet in the binlog stream");
  StreamPacket out;
  ByteReader in(packet);
  const uint8_t first = in.u8();
  if (first == kEofByte && packet.size() <= kMaxEofPacketSize + 1) {
    out.end_of_stream = true;
    return out;
  }
  if (first == kErrorByte) {
    const uint16_t number = in.u16le();
    if (in.has(6) && in.data()[in.position()] == '#') in.skip(6);  // '#' + SQLSTATE
    const std::string_view message = in.ok() ? in.string(in.remaining()) : std::string_view();
    return stream_error_from_server(number, message, "the binlog stream");
  }
  if (first != kOkByte) {
    return Error(
        ErrorCode::kCorrupt,
        fmt::format("binlog stream packet starts with 0x{:02X}, expected 0x00 (event), 0xFE or 0xFF", first));
  }
  if (semi_sync_header) {
    const uint8_t indicator = in.u8();
    const uint8_t flag = in.u8();
    if (!in.ok() || indicator != kSemiSyncIndicator) {
      return Error(ErrorCode::kCorrupt,
                   "binlog stream packet lacks the semi-sync header (0xEF) it was asked for");
    }
    out.need_ack = (flag & kSemiSyncAckRequested) != 0;
  }
  out.event = in.rest();
  if (out.event.size() < codec::kEventHeaderSize) {
    return Error(
        ErrorCode::kCorrupt,
        fmt::format("binlog stream packet holds {} bytes, less than an event header", out.event.size()));
  }
  out.header = codec::load_event_header(out.event.data());
  if (out.header.event_size != out.event.size()) {
    return Error(ErrorCode::kCorrupt,
                 fmt::format("binlog stream packet holds {} bytes of event, the event says {}",
                             out.event.size(), out.header.event_size));
  }
  return out;
}

Error stream_error_from_server(unsigned error_number, std::string_view server_message,
                               std::string_view request) {
  if (error_number == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("the server no longer has (or never had) the binlog data asked for ({}): {} "
                             "(error {}); start from a position the server still has",
                             request, server_message, error_number));
  }
  std::string message = fmt::format("the server ended the binlog dump ({}): {} (error {})", request,
                                    server_message, error_number);
  if (error_number == ER_SLAVE_SAME_ID) message += "; is another replica using the same server id?";
  return Error(error_code_for_mysql_errno(error_number), std::move(message));
}

std::optional<ServerErrorPacket> parse_error_packet(Bytes packet) {
  ByteReader in(packet);
  if (in.u8() != kErrorPacketByte || !in.has(2)) return std::nullopt;
  ServerErrorPacket out;
  out.number = in.u16le();
  if (in.has(6) && in.data()[in.position()] == '#') in.skip(6);  // '#' + SQLSTATE
  out.message = in.string(in.remaining());
  return out;
}

}  // namespace mzl::net
