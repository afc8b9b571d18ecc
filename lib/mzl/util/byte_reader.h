#pragma once
// A bounds-checked little-endian byte reader over a span (BoringSSL's CBS is the model).
//
// Contract: no call ever reads outside the span. A read that would go past the end returns zero (or an empty
// span) and puts the reader in a sticky failed state; check ok() once after a group of reads. The reader
// never allocates. Before sizing a container from a count read from the input, check the count against
// remaining() so that a hostile count cannot cause an unbounded allocation.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

namespace mzl {

using Bytes = std::span<const uint8_t>;

// The little-endian unsigned integer of `n` (1..8) bytes at `p`, which must hold n readable bytes; for fixed
// layouts whose length was checked once (the 19-byte event header). Assembled from bytes, never through a
// cast pointer; on little-endian targets the memcpy compiles to a single load.
template <size_t n>
inline uint64_t load_le(const uint8_t* p) {
  static_assert(n >= 1 && n <= 8);
  constexpr bool kLittle = std::endian::native == std::endian::little;
  if constexpr (n == 1) {
    return p[0];
  } else if constexpr (kLittle && n == 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  } else if constexpr (kLittle && n == 4) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  } else if constexpr (kLittle && n == 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  } else {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
  }
}

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(Bytes data) : data_(data) {}

  bool ok() const { return !failed_; }
  bool failed() const { return failed_; }
  void fail() { failed_ = true; }

  size_t position() const { return pos_; }
  size_t size() const { return data_.size(); }
  size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  bool has(size_t n) const { return !failed_ && n <= data_.size() - pos_; }

  uint8_t u8() {
    if (!has(1)) return fail_zero();
    return data_[pos_++];
  }
  uint16_t u16le() { return static_cast<uint16_t>(fixed_le<2>()); }
  uint32_t u24le() { return static_cast<uint32_t>(uint_le(3)); }
  uint32_t u32le() { return static_cast<uint32_t>(fixed_le<4>()); }
  uint64_t u48le() { return uint_le(6); }
  uint64_t u64le() { return fixed_le<8>(); }
  // n in 1..8. One bounds check, then, while 8 bytes remain, one 8-byte load masked (or shifted) to n bytes
  // (row images read many odd-sized integers); the byte loop only within the last 7 bytes of the data.
  uint64_t uint_le(size_t n) {
    if (n == 0 || n > 8 || !has(n)) return fail_zero();
    const size_t at = pos_;
    pos_ += n;
    if (std::endian::native == std::endian::little && data_.size() - at >= 8) {
      const uint64_t v = load_le<8>(data_.data() + at);
      return n == 8 ? v : v & ((uint64_t{1} << (8 * n)) - 1);
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[at + i]) << (8 * i);
    return v;
  }
  // n in 1..8 (row images store DECIMAL, DATETIME2, ... big-endian).
  uint64_t uint_be(size_t n) {
    if (n == 0 || n > 8 || !has(n)) return fail_zero();
    const size_t at = pos_;
    pos_ += n;
    if (std::endian::native == std::endian::little && data_.size() - at >= 8) {
      return __builtin_bswap64(load_le<8>(data_.data() + at)) >> (64 - 8 * n);
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | data_[at + i];
    return v;
  }
  int64_t int_le(size_t n) { return sign_extend(uint_le(n), n); }  // sign-extended
  int64_t int_be(size_t n) { return sign_extend(uint_be(n), n); }

  // Length-encoded integer of the client/server protocol (0xFB is NULL and yields std::nullopt; 0xFF fails).
  std::optional<uint64_t> lenenc();
  // Binlog "packed integer" (net_field_length): same encoding, 0xFB read as 251 is never used there.
  uint64_t packed_uint();

  Bytes bytes(size_t n) {
    if (!has(n)) {
      failed_ = true;
      return {};
    }
    Bytes out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view string(size_t n) {
    Bytes b = bytes(n);
    return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
  }
  Bytes rest() { return bytes(remaining()); }  // everything that remains
  void skip(size_t n) { (void)bytes(n); }
  // Bytes up to (not including) the next NUL, which is consumed; fails when there is none.
  std::string_view cstring();

  // A reader over the next n bytes, consumed from this one.
  ByteReader sub(size_t n) { return ByteReader(bytes(n)); }

  Bytes data() const { return data_; }

 private:
  static int64_t sign_extend(uint64_t v, size_t n) {
    if (n == 0 || n >= 8) return static_cast<int64_t>(v);
    const uint64_t sign = uint64_t{1} << (8 * n - 1);
    return static_cast<int64_t>((v ^ sign) - sign);
  }
  uint64_t fail_zero() {
    failed_ = true;
    return 0;
  }
  template <size_t n>
  uint64_t fixed_le() {
    if (!has(n)) return fail_zero();
    const uint64_t v = load_le<n>(data_.data() + pos_);
    pos_ += n;
    return v;
  }

  Bytes data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace mzl
