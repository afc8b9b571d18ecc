#include "mzl/codec/control_events.h"

#include <fmt/format.h>

namespace mzl::codec {

namespace {

Error corrupt(std::string what) {
  return Error{ErrorCode::kCorrupt, std::move(what)};
}

std::vector<uint8_t> rest_bytes(ByteReader& in) {
  const Bytes rest = in.rest();
  return {rest.begin(), rest.end()};
}

std::string rest_string(ByteReader& in) {
  const Bytes rest = in.rest();
  return {rest.begin(), rest.end()};
}

// HEARTBEAT_V2 field types (libs/mysql/binlog/event/control_events.h, Heartbeat_event_v2).
constexpr uint64_t kHbEndMark = 0;
constexpr uint64_t kHbLogFilename = 1;
constexpr uint64_t kHbLogPosition = 2;

}  // namespace

Result<StopEvent> decode_stop_event(ByteReader& body, const FormatDescription&) {
  return StopEvent{rest_bytes(body)};
}
void encode_stop_event(const StopEvent& event, const FormatDescription&, ByteWriter& out) {
  out.bytes(event.trailing);
}

Result<XidEvent> decode_xid_event(ByteReader& body, const FormatDescription&) {
  XidEvent ev;
  ev.xid = body.u64le();
  if (!body.ok()) return corrupt("XID body shorter than 8 bytes");
  ev.trailing = rest_bytes(body);
  return ev;
}
void encode_xid_event(const XidEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u64le(event.xid);
  out.bytes(event.trailing);
}

Result<IntvarEvent> decode_intvar_event(ByteReader& body, const FormatDescription&) {
  IntvarEvent ev;
  ev.type = body.u8();
  ev.value = body.u64le();
  if (!body.ok()) return corrupt("INTVAR body shorter than 9 bytes");
  ev.trailing = rest_bytes(body);
  return ev;
}
void encode_intvar_event(const IntvarEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u8(event.type);
  out.u64le(event.value);
  out.bytes(event.trailing);
}

Result<RandEvent> decode_rand_event(ByteReader& body, const FormatDescription&) {
  RandEvent ev;
  ev.seed1 = body.u64le();
  ev.seed2 = body.u64le();
  if (!body.ok()) return corrupt("RAND body shorter than 16 bytes");
  ev.trailing = rest_bytes(body);
  return ev;
}
void encode_rand_event(const RandEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u64le(event.seed1);
  out.u64le(event.seed2);
  out.bytes(event.trailing);
}

Result<UserVarEvent> decode_user_var_event(ByteReader& body, const FormatDescription&) {
  UserVarEvent ev;
  const uint32_t name_len = body.u32le();
  if (!body.ok() || !body.has(name_len)) return corrupt("USER_VAR name length past the end of the event");
  ev.name = std::string(body.string(name_len));
  ev.is_null = body.u8() != 0;
  if (!body.ok()) return corrupt("USER_VAR lacks its is_null byte");
  if (!ev.is_null) {
    ev.value_type = body.u8();
    ev.charset = body.u32le();
    const uint32_t value_len = body.u32le();
    if (!body.ok() || !body.has(value_len)) return corrupt("USER_VAR value length past the end of the event");
    const Bytes value = body.bytes(value_len);
    ev.value.assign(value.begin(), value.end());
    if (!body.empty()) ev.flags = body.u8();
  }
  ev.trailing = rest_bytes(body);
  return ev;
}
void encode_user_var_event(const UserVarEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u32le(static_cast<uint32_t>(event.name.size()));
  out.string(event.name);
  out.u8(event.is_null ? 1 : 0);
  if (!event.is_null) {
    out.u8(event.value_type);
    out.u32le(event.charset);
    out.u32le(static_cast<uint32_t>(event.value.size()));
    out.bytes(event.value);
    if (event.flags) out.u8(*event.flags);
  }
  out.bytes(event.trailing);
}

Result<HeartbeatEvent> decode_heartbeat_event(ByteReader& body, const FormatDescription&) {
  HeartbeatEvent ev;
  ev.log_filename = rest_string(body);
  return ev;
}

Result<HeartbeatEvent> decode_heartbeat_v2_event(ByteReader& body, const FormatDescription&) {
  HeartbeatEvent ev;
  ev.v2 = true;
  const Bytes all = body.data().subspan(body.position());
  ev.raw.assign(all.begin(), all.end());
  while (!body.empty()) {
    const uint64_t type = body.packed_uint();
    if (!body.ok()) return corrupt("HEARTBEAT_V2 field type cut short");
    if (type == kHbEndMark) break;
    const uint64_t length = body.packed_uint();
    if (!body.ok() || !body.has(length))
      return corrupt("HEARTBEAT_V2 field length past the end of the event");
    ByteReader value = body.sub(length);
    if (type == kHbLogFilename) {
      ev.log_filename = rest_string(value);
    } else if (type == kHbLogPosition) {
      ev.log_position = value.packed_uint();
      if (!value.ok() || !value.empty())
        return corrupt("HEARTBEAT_V2 log position is not one packed integer");
    }
  }
  body.rest();
  return ev;
}

void encode_heartbeat_event(const HeartbeatEvent& event, const FormatDescription&, ByteWriter& out) {
  if (!event.v2) {
    out.string(event.log_filename);
    return;
  }
  if (!event.raw.empty()) {
    out.bytes(event.raw);
    return;
  }
  out.packed_uint(kHbLogFilename);
  out.packed_uint(event.log_filename.size());
  out.string(event.log_filename);
  if (event.log_position) {
    ByteWriter value;
    value.packed_uint(*event.log_position);
    out.packed_uint(kHbLogPosition);
    out.packed_uint(value.size());
    out.bytes(value.buffer());
  }
  out.packed_uint(kHbEndMark);
}

Result<IncidentEvent> decode_incident_event(ByteReader& body, const FormatDescription&) {
  IncidentEvent ev;
  ev.incident = body.u16le();
  if (!body.ok()) return corrupt("INCIDENT body shorter than its 2-byte post-header");
  if (!body.empty()) {
    const uint8_t length = body.u8();
    if (!body.has(length)) return corrupt("INCIDENT message length past the end of the event");
    ev.message = std::string(body.string(length));
  }
  ev.trailing = rest_bytes(body);
  return ev;
}
void encode_incident_event(const IncidentEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u16le(event.incident);
  if (event.message) {
    const std::string_view message = std::string_view(*event.message).substr(0, 255);
    out.u8(static_cast<uint8_t>(message.size()));
    out.string(message);
  }
  out.bytes(event.trailing);
}

Result<AnnotateRowsEvent> decode_annotate_rows_event(ByteReader& body, const FormatDescription&) {
  return AnnotateRowsEvent{rest_string(body)};
}
void encode_annotate_rows_event(const AnnotateRowsEvent& event, const FormatDescription&, ByteWriter& out) {
  out.string(event.query);
}

Result<RowsQueryEvent> decode_rows_query_event(ByteReader& body, const FormatDescription&) {
  RowsQueryEvent ev;
  ev.length_byte = body.u8();
  if (!body.ok()) return corrupt("ROWS_QUERY body is empty");
  ev.query = rest_string(body);
  return ev;
}
void encode_rows_query_event(const RowsQueryEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u8(event.length_byte);
  out.string(event.query);
}

Result<StartEncryptionEvent> decode_start_encryption_event(ByteReader& body, const FormatDescription&) {
  StartEncryptionEvent ev;
  ev.scheme = body.u8();
  ev.key_version = body.u32le();
  const Bytes nonce = body.bytes(ev.nonce.size());
  if (!body.ok()) return corrupt("START_ENCRYPTION body shorter than 17 bytes");
  std::copy(nonce.begin(), nonce.end(), ev.nonce.begin());
  ev.trailing = rest_bytes(body);
  return ev;
}
void encode_start_encryption_event(const StartEncryptionEvent& event, const FormatDescription&,
                                   ByteWriter& out) {
  out.u8(event.scheme);
  out.u32le(event.key_version);
  out.bytes(event.nonce);
  out.bytes(event.trailing);
}

OpaqueEvent decode_opaque_event(uint8_t type_code, ByteReader& body) {
  return OpaqueEvent{type_code, rest_bytes(body)};
}
void encode_opaque_event(const OpaqueEvent& event, const FormatDescription&, ByteWriter& out) {
  out.bytes(event.body);
}

}  // namespace mzl::codec
