#include "mzl/codec/decoder_context.h"

#include <algorithm>

#include "mzl/codec/event_type.h"

namespace mzl::codec {

DecoderContext::DecoderContext(std::string source, FormatDescription fd)
    : source_(std::move(source)), fd_(std::move(fd)) {}

void DecoderContext::set_format(FormatDescription fd) {
  fd_ = std::move(fd);
  clear_table_maps();
  encrypted_ = false;
}

void DecoderContext::remember_table_map(const TableMapEvent& table_map) {
  table_maps_.insert_or_assign(table_map.table_id, std::make_shared<const TableMapEvent>(table_map));
  table_map_bodies_.erase(table_map.table_id);
}

void DecoderContext::remember_table_map(const TableMapEvent& table_map, Bytes body) {
  table_maps_.insert_or_assign(table_map.table_id, std::make_shared<const TableMapEvent>(table_map));
  table_map_bodies_.insert_or_assign(table_map.table_id, std::vector<uint8_t>(body.begin(), body.end()));
}

std::shared_ptr<const TableMapEvent> DecoderContext::identical_table_map(Bytes body) const {
  // The table id leads the body: 4 bytes when the FORMAT_DESCRIPTION gives TABLE_MAP a 6-byte post-header
  // (MySQL 5.1.4 and older), else 6.
  ByteReader reader(body);
  const size_t id_size = fd_.post_header_length(code(EventType::kTableMap)) == 6 ? 4 : 6;
  const uint64_t table_id = reader.uint_le(id_size);
  if (!reader.ok()) return nullptr;
  const auto bytes = table_map_bodies_.find(table_id);
  if (bytes == table_map_bodies_.end() || bytes->second.size() != body.size() ||
      !std::equal(body.begin(), body.end(), bytes->second.begin())) {
    return nullptr;
  }
  return shared_table_map(table_id);
}

const TableMapEvent* DecoderContext::table_map(uint64_t table_id) const {
  return shared_table_map(table_id).get();
}

const std::shared_ptr<const TableMapEvent>& DecoderContext::shared_table_map(uint64_t table_id) const {
  static const std::shared_ptr<const TableMapEvent> kNone;
  const auto it = table_maps_.find(table_id);
  return it == table_maps_.end() ? kNone : it->second;
}

}  // namespace mzl::codec
