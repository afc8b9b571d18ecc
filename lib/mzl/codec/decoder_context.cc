#include "mzl/codec/decoder_context.h"

namespace mzl::codec {

DecoderContext::DecoderContext(std::string source, FormatDescription fd)
    : source_(std::move(source)), fd_(std::move(fd)) {}

void DecoderContext::set_format(FormatDescription fd) {
  fd_ = std::move(fd);
  table_maps_.clear();
  encrypted_ = false;
}

void DecoderContext::remember_table_map(const TableMapEvent& table_map) {
  table_maps_.insert_or_assign(table_map.table_id, table_map);
}

const TableMapEvent* DecoderContext::table_map(uint64_t table_id) const {
  const auto it = table_maps_.find(table_id);
  return it == table_maps_.end() ? nullptr : &it->second;
}

}  // namespace mzl::codec
