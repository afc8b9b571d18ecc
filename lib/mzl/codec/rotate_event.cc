#include "mzl/codec/rotate_event.h"

namespace mzl::codec {

Result<RotateEvent> decode_rotate_event(ByteReader& body, const FormatDescription&) {
  RotateEvent ev;
  ev.position = body.u64le();
  if (!body.ok()) return Error{ErrorCode::kCorrupt, "ROTATE body shorter than its 8-byte position"};
  ev.new_log_ident = std::string(body.string(body.remaining()));
  return ev;
}

void encode_rotate_event(const RotateEvent& event, const FormatDescription&, ByteWriter& out) {
  out.u64le(event.position);
  out.string(event.new_log_ident);
}

}  // namespace mzl::codec
