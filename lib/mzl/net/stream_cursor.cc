#include "mzl/net/stream_cursor.h"

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/raw_event.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/net/replica_protocol.h"

namespace mzl::net {

namespace {

bool is_heartbeat(uint8_t type_code) {
  return type_code == codec::code(codec::EventType::kHeartbeat) ||
         type_code == codec::code(codec::EventType::kHeartbeatV2);
}

}  // namespace

StreamCursor::StreamCursor(std::string server, codec::FormatDescription initial, std::string start_file,
                           uint64_t start_position, bool semi_sync_requested, bool verify_checksums)
    : server_(std::move(server)),
      fd_(std::move(initial)),
      file_(std::move(start_file)),
      position_(start_position),
      semi_sync_requested_(semi_sync_requested),
      verify_checksums_(verify_checksums) {}

Result<std::optional<StreamEvent>> StreamCursor::accept(Bytes packet) {
  std::optional<bool> header_now = semi_sync_header_;
  if (!header_now && !packet.empty() && packet[0] == 0) {
    header_now = semi_sync_requested_ && packet.size() > 1 && packet[1] == kSemiSyncIndicator;
  }
  auto parsed = parse_stream_packet(packet, header_now.value_or(false));
  if (!parsed.ok()) return locate(parsed.error());
  if (parsed->end_of_stream) return std::optional<StreamEvent>();

  ByteReader header_reader(parsed->event);
  StreamEvent event;
  event.header = codec::read_event_header(header_reader);
  const codec::EventHeader& header = event.header;
  event_file_ = file_;  // reuses its buffer: no allocation per event
  event.file = event_file_;
  event.need_ack = parsed->need_ack;
  event.heartbeat = is_heartbeat(header.type_code);
  event.artificial = (header.flags & codec::kFlagArtificial) != 0;
  event.in_file = !event.heartbeat && !event.artificial && header.log_pos != 0;
  if (event.in_file && header.log_pos < header.event_size) {
    return locate(
        Error(ErrorCode::kCorrupt, fmt::format("an event of {} bytes (type {}) ends at log_pos {}, "
                                               "before its start",
                                               header.event_size, header.type_code, header.log_pos)));
  }
  event.position = event.in_file ? header.log_pos - header.event_size : position_;

  auto raw = codec::frame_event(parsed->event, event.position, fd_, verify_checksums_);
  if (!raw.ok()) return locate(raw.error());
  event.data = raw->data;
  MZL_CHECK(track(event, raw->body));
  semi_sync_header_ = header_now;
  return std::optional<StreamEvent>(std::move(event));
}

Status StreamCursor::track(const StreamEvent& event, Bytes body) {
  const uint8_t type = event.header.type_code;
  ByteReader reader(body);
  if (type == codec::code(codec::EventType::kFormatDescription)) {
    auto fd = codec::decode_format_description(reader, fd_);
    if (!fd.ok()) return locate(Error(fd.error()).at_r("", event.position));
    fd_ = std::move(*fd);
  } else if (type == codec::code(codec::EventType::kRotate)) {
    auto rotate = codec::decode_rotate_event(reader, fd_);
    if (!rotate.ok()) return locate(Error(rotate.error()).at_r("", event.position));
    file_ = rotate->new_log_ident;
    position_ = rotate->position;
    return ok_status();
  }
  if (event.in_file) position_ = event.header.log_pos;
  return ok_status();
}

Error StreamCursor::locate(Error error) const {
  if (error.where.empty()) error.where = file_.empty() ? server_ : fmt::format("{} {}", server_, file_);
  if (!error.offset && !file_.empty()) error.offset = position_;
  return error;
}

}  // namespace mzl::net
