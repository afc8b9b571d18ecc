#include "mzl/net/stream_cursor.h"

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/raw_event.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/net/event_placement.h"
#include "mzl/net/replica_protocol.h"

namespace mzl::net {

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

  StreamEvent event;
  event.header = parsed->header;
  auto origin = locate_event(event.header, position_);
  if (!origin.ok()) return locate(origin.error());
  event_file_ = file_;  // reuses its buffer: no allocation per event
  event.file = event_file_;
  event.need_ack = parsed->need_ack;
  event.heartbeat = origin->heartbeat;
  event.artificial = origin->artificial;
  event.in_file = origin->in_file;
  event.position = origin->position;

  auto raw = codec::frame_event(parsed->event, event.position, fd_, verify_checksums_, event.header);
  if (!raw.ok()) return locate(raw.error());
  event.data = raw->data;
  event.body = raw->body;
  MZL_CHECK(track(event));
  semi_sync_header_ = header_now;
  return std::optional<StreamEvent>(std::move(event));
}

Status StreamCursor::track(StreamEvent& event) {
  ByteReader reader(event.body);
  if (event.is(codec::EventType::kFormatDescription)) {
    auto fd = codec::decode_format_description(reader, fd_);
    if (!fd.ok()) return locate(Error(fd.error()).at_r("", event.position));
    fd_ = std::move(*fd);
  } else if (event.is(codec::EventType::kRotate)) {
    auto rotate = codec::decode_rotate_event(reader, fd_);
    if (!rotate.ok()) return locate(Error(rotate.error()).at_r("", event.position));
    file_ = std::move(rotate->new_log_ident);
    position_ = rotate->position;
    event.rotate_file = file_;
    event.rotate_position = position_;
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
