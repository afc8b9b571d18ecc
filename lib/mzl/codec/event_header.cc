#include "mzl/codec/event_header.h"

namespace mzl::codec {

void write_event_header(const EventHeader& header, ByteWriter& out) {
  out.u32le(header.timestamp);
  out.u8(header.type_code);
  out.u32le(header.server_id);
  out.u32le(header.event_size);
  out.u32le(header.log_pos);
  out.u16le(header.flags);
}

}  // namespace mzl::codec
