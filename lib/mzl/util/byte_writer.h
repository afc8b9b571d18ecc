#pragma once
// Appends little-endian integers and byte strings to a growing buffer: the inverse of ByteReader, used by
// every encoder so that encode(decode(bytes)) == bytes can be tested.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mzl {

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::vector<uint8_t> initial) : out_(std::move(initial)) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void u16le(uint16_t v) { uint_le(v, 2); }
  void u24le(uint32_t v) { uint_le(v, 3); }
  void u32le(uint32_t v) { uint_le(v, 4); }
  void u48le(uint64_t v) { uint_le(v, 6); }
  void u64le(uint64_t v) { uint_le(v, 8); }
  void uint_le(uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void uint_be(uint64_t v, size_t n) {
    for (size_t i = n; i-- > 0;) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  // Binlog packed integer / protocol length-encoded integer (non-NULL).
  void packed_uint(uint64_t v);
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void string(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void cstring(std::string_view s) {
    string(s);
    u8(0);
  }

  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& buffer() { return out_; }
  std::vector<uint8_t> take() { return std::move(out_); }
  // Overwrites n bytes at `at` (for lengths known only after the body is written).
  void patch_uint_le(size_t at, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out_[at + i] = static_cast<uint8_t>(v >> (8 * i));
  }

 private:
  std::vector<uint8_t> out_;
};

inline void ByteWriter::packed_uint(uint64_t v) {
  if (v < 0xFB) {
    u8(static_cast<uint8_t>(v));
  } else if (v <= 0xFFFF) {
    u8(0xFC);
    u16le(static_cast<uint16_t>(v));
  } else if (v <= 0xFFFFFF) {
    u8(0xFD);
    u24le(static_cast<uint32_t>(v));
  } else {
    u8(0xFE);
    u64le(v);
  }
}

}  // namespace mzl
