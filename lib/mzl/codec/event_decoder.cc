#include "mzl/codec/event_decoder.h"

#include <fmt/format.h>

#include "mzl/codec/event_type.h"

namespace mzl::codec {

namespace {

template <class T>
Result<EventBody> as_body(Result<T> result) {
  if (!result.ok()) return std::move(result).error();
  return EventBody(std::move(result).value());
}

Result<EventBody> decode_body(uint8_t type_code, ByteReader& body, const FormatDescription& fd) {
  if (is_rows_event(type_code)) return as_body(decode_rows_event(type_code, body, fd));
  switch (static_cast<EventType>(type_code)) {
    case EventType::kFormatDescription:
      return as_body(decode_format_description(body, fd));
    case EventType::kQuery:
      return as_body(decode_query_event(body, fd));
    case EventType::kMariaQueryCompressed:
      return as_body(decode_query_compressed_event(body, fd));
    case EventType::kStop:
      return as_body(decode_stop_event(body, fd));
    case EventType::kRotate:
      return as_body(decode_rotate_event(body, fd));
    case EventType::kIntvar:
      return as_body(decode_intvar_event(body, fd));
    case EventType::kRand:
      return as_body(decode_rand_event(body, fd));
    case EventType::kUserVar:
      return as_body(decode_user_var_event(body, fd));
    case EventType::kXid:
      return as_body(decode_xid_event(body, fd));
    case EventType::kTableMap:
      return as_body(decode_table_map_event(body, fd));
    case EventType::kIncident:
      return as_body(decode_incident_event(body, fd));
    case EventType::kHeartbeat:
      return as_body(decode_heartbeat_event(body, fd));
    case EventType::kHeartbeatV2:
      return as_body(decode_heartbeat_v2_event(body, fd));
    case EventType::kRowsQuery:
      return as_body(decode_rows_query_event(body, fd));
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
    case EventType::kGtidTagged:
      return as_body(decode_mysql_gtid_event(type_code, body, fd));
    case EventType::kPreviousGtids:
      return as_body(decode_previous_gtids_event(body, fd));
    case EventType::kTransactionPayload:
      return as_body(decode_transaction_payload_event(body, fd));
    case EventType::kMariaAnnotateRows:
      return as_body(decode_annotate_rows_event(body, fd));
    case EventType::kMariaBinlogCheckpoint:
      return as_body(decode_binlog_checkpoint_event(body, fd));
    case EventType::kMariaGtid:
      return as_body(decode_maria_gtid_event(body, fd));
    case EventType::kMariaGtidList:
      return as_body(decode_maria_gtid_list_event(body, fd));
    case EventType::kMariaStartEncryption:
      return as_body(decode_start_encryption_event(body, fd));
    default:
      return EventBody(decode_opaque_event(type_code, body));
  }
}

}  // namespace

Result<Event> decode_event(const RawEvent& raw, DecoderContext& ctx) {
  const uint8_t type_code = raw.header.type_code;
  if (ctx.encrypted() && type_code != code(EventType::kFormatDescription)) {
    return Error{ErrorCode::kUnsupported,
                 fmt::format("{} event after START_ENCRYPTION: encrypted binlogs are not decrypted",
                             event_type_name(type_code))}
        .at_r(ctx.source(), raw.offset);
  }
  if (type_code == code(EventType::kTableMap)) {
    // Every transaction repeats its tables' maps byte for byte: reuse the decoded one.
    if (auto same = ctx.identical_table_map(raw.body)) {
      return Event{raw.header, EventBody(TableMapRef{std::move(same)}), raw.checksum, raw.offset};
    }
  }
  ByteReader body(raw.body);
  auto decoded = decode_body(type_code, body, ctx.format());
  if (!decoded.ok()) {
    Error error = std::move(decoded).error();
    error.message = fmt::format("{} event: {}", event_type_name(type_code), error.message);
    return std::move(error).at_r(ctx.source(), raw.offset);
  }
  Event event{raw.header, std::move(decoded).value(), raw.checksum, raw.offset};
  if (const auto* fd = std::get_if<FormatDescription>(&event.body)) {
    ctx.set_format(*fd);
  } else if (const auto* table_map = std::get_if<TableMapEvent>(&event.body)) {
    ctx.remember_table_map(*table_map, raw.body);
  } else if (std::holds_alternative<StartEncryptionEvent>(event.body)) {
    ctx.set_encrypted(true);
  }
  return event;
}

Status decode_event(const RawEvent& raw, DecoderContext& ctx, Event& out) {
  const uint8_t type_code = raw.header.type_code;
  if (!is_rows_event(type_code) || ctx.encrypted()) {
    MZL_TRY(out, decode_event(raw, ctx));
    return ok_status();
  }
  auto* rows = std::get_if<RowsEvent>(&out.body);
  if (rows == nullptr) rows = &out.body.emplace<RowsEvent>();
  ByteReader body(raw.body);
  Status decoded = decode_rows_event(type_code, body, ctx.format(), *rows);
  if (!decoded.ok()) {
    Error error = std::move(decoded).error();
    error.message = fmt::format("{} event: {}", event_type_name(type_code), error.message);
    return std::move(error).at_r(ctx.source(), raw.offset);
  }
  out.header = raw.header;
  out.checksum = raw.checksum;
  out.offset = raw.offset;
  return ok_status();
}

Event opaque_event(const RawEvent& raw) {
  ByteReader body(raw.body);
  return Event{raw.header, decode_opaque_event(raw.header.type_code, body), raw.checksum, raw.offset};
}

Result<std::vector<Event>> decode_payload_events(const TransactionPayloadEvent& payload, DecoderContext& ctx,
                                                 uint64_t payload_offset, uint64_t max_size) {
  auto inflated = decompress_transaction_payload(payload, max_size);
  if (!inflated.ok()) return std::move(inflated).error().at_r(ctx.source(), payload_offset);
  auto framed = frame_payload_events(*inflated, ctx.format());
  if (!framed.ok()) {
    Error error = std::move(framed).error();
    error.message = fmt::format("inside the TRANSACTION_PAYLOAD at {}: {}", payload_offset, error.message);
    return std::move(error).at_r(ctx.source());
  }
  std::vector<Event> events;
  events.reserve(framed->size());
  for (const RawEvent& raw : *framed) {
    auto event = decode_event(raw, ctx);
    if (!event.ok()) {
      Error error = std::move(event).error();
      error.message = fmt::format("inside the TRANSACTION_PAYLOAD at {}: {}", payload_offset, error.message);
      return error;
    }
    events.push_back(std::move(event).value());
  }
  return events;
}

}  // namespace mzl::codec
