#include "mzl/codec/event_header.h"

namespace mzl::codec {

EventHeader read_event_header(ByteReader& in) {
  EventHeader h;
  h.timestamp = in.u32le();
  h.type_code = in.u8();
  h.server_id = in.u32le();
  h.event_size = in.u32le();
  h.log_pos = in.u32le();
  h.flags = in.u16le();
  return h;
}

void write_event_header(const EventHeader& header, ByteWriter& out) {
  out.u32le(header.timestamp);
  out.u8(header.type_code);
  out.u32le(header.server_id);
  out.u32le(header.event_size);
  out.u32le(header.log_pos);
  out.u16le(header.flags);
}

}  // namespace mzl::codec
