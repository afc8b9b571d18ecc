#include "mzl/util/byte_reader.h"

#include <cstring>

namespace mzl {

uint8_t ByteReader::u8() {
  if (!has(1)) {
    failed_ = true;
    return 0;
  }
  return data_[pos_++];
}

uint64_t ByteReader::uint_le(size_t n) {
  if (n == 0 || n > 8 || !has(n)) {
    failed_ = true;
    return 0;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
  pos_ += n;
  return v;
}

uint64_t ByteReader::uint_be(size_t n) {
  if (n == 0 || n > 8 || !has(n)) {
    failed_ = true;
    return 0;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += n;
  return v;
}

static int64_t sign_extend(uint64_t v, size_t n) {
  if (n >= 8) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (8 * n - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

int64_t ByteReader::int_le(size_t n) {
  return sign_extend(uint_le(n), n);
}
int64_t ByteReader::int_be(size_t n) {
  return sign_extend(uint_be(n), n);
}

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

Bytes ByteReader::bytes(size_t n) {
  if (!has(n)) {
    failed_ = true;
    return {};
  }
  Bytes out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

std::string_view ByteReader::string(size_t n) {
  Bytes b = bytes(n);
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

Bytes ByteReader::rest() {
  return bytes(remaining());
}

void ByteReader::skip(size_t n) {
  (void)bytes(n);
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
