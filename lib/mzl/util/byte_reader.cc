#include "mzl/util/byte_reader.h"

#include <cstring>

namespace mzl {

std::optional<uint64_t> ByteReader::lenenc() {
  const uint8_t first = u8();
  if (failed_) return 0;
  if (first < 0xFB) return first;
  switch (first) {
    case 0xFB:
      return std::nullopt;
    case 0xFC:
      return uint_le(2);
    case 0xFD:
      return uint_le(3);
    case 0xFE:
      return uint_le(8);
    default:
      failed_ = true;
      return 0;
  }
}

uint64_t ByteReader::packed_uint() {
  const uint8_t first = u8();
  if (failed_) return 0;
  if (first < 0xFB) return first;
  switch (first) {
    case 0xFC:
      return uint_le(2);
    case 0xFD:
      return uint_le(3);
    case 0xFE:
      return uint_le(8);
    default:
      failed_ = true;
      return 0;
  }
}

std::string_view ByteReader::cstring() {
  if (failed_) return {};
  const void* nul = std::memchr(data_.data() + pos_, 0, data_.size() - pos_);
  if (nul == nullptr) {
    failed_ = true;
    return {};
  }
  const size_t len = static_cast<const uint8_t*>(nul) - (data_.data() + pos_);
  std::string_view out = string(len);
  pos_ += 1;
  return out;
}

}  // namespace mzl
