#include "mzl/codec/rows_event.h"

namespace mzl::codec {

bool is_rows_event(uint8_t t) {
  return (t >= 20 && t <= 25) || (t >= 30 && t <= 32) || t == 39 || (t >= 166 && t <= 171);
}

RowsKind rows_kind(uint8_t t) {
  switch (t) {
    case 20:
    case 23:
    case 30:
    case 166:
    case 169:
      return RowsKind::kWrite;
    case 21:
    case 24:
    case 31:
    case 167:
    case 170:
      return RowsKind::kUpdate;
    case 39:
      return RowsKind::kPartialUpdate;
    default:
      return RowsKind::kDelete;
  }
}

RowsKind RowsEvent::kind() const {
  return rows_kind(type_code);
}
bool RowsEvent::has_after_bitmap() const {
  return is_update() && type_code != 21;
}

Result<RowsEvent> decode_rows_event(uint8_t, ByteReader&, const FormatDescription&) {
  return Error{ErrorCode::kUnsupported, "rows event decoding not implemented yet"};
}

void encode_rows_event(const RowsEvent&, const FormatDescription&, ByteWriter&) {}

}  // namespace mzl::codec
