#include "mzl/codec/table_map_event.h"

namespace mzl::codec {

Result<TableMapEvent> decode_table_map_event(ByteReader&, const FormatDescription&) {
  return Error{ErrorCode::kUnsupported, "TABLE_MAP decoding not implemented yet"};
}

void encode_table_map_event(const TableMapEvent&, const FormatDescription&, ByteWriter&) {}

Status decode_table_map_optional_metadata(const std::vector<TableMapOptionalField>&,
                                          const std::vector<uint8_t>&, const std::vector<uint16_t>&,
                                          TableMapOptionalMetadata&) {
  return Error{ErrorCode::kUnsupported, "TABLE_MAP optional metadata not implemented yet"};
}

}  // namespace mzl::codec
