#pragma once
// A bounds-checked little-endian byte reader over a span (BoringSSL's CBS is the model).
//
// Contract: no call ever reads outside the span. A read that would go past the end returns zero (or an empty
// span) and puts the reader in a sticky failed state; check ok() once after a group of reads. The reader
// never allocates. Before sizing a container from a count read from the input, check the count against
// remaining() so that a hostile count cannot cause an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mzl {

using Bytes = std::span<const uint8_t>;

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

  uint8_t u8();
  uint16_t u16le() { return static_cast<uint16_t>(uint_le(2)); }
  uint32_t u24le() { return static_cast<uint32_t>(uint_le(3)); }
  uint32_t u32le() { return static_cast<uint32_t>(uint_le(4)); }
  uint64_t u48le() { return uint_le(6); }
  uint64_t u64le() { return uint_le(8); }
  uint64_t uint_le(size_t n);  // n in 1..8
  uint64_t uint_be(size_t n);  // n in 1..8 (row images store DECIMAL, DATETIME2, ... big-endian)
  int64_t int_le(size_t n);    // sign-extended
  int64_t int_be(size_t n);

  // Length-encoded integer of the client/server protocol (0xFB is NULL and yields std::nullopt; 0xFF fails).
  std::optional<uint64_t> lenenc();
  // Binlog "packed integer" (net_field_length): same encoding, 0xFB read as 251 is never used there.
  uint64_t packed_uint();

  Bytes bytes(size_t n);
  std::string_view string(size_t n);
  Bytes rest();  // everything that remains
  void skip(size_t n);
  // Bytes up to (not including) the next NUL, which is consumed; fails when there is none.
  std::string_view cstring();

  // A reader over the next n bytes, consumed from this one.
  ByteReader sub(size_t n) { return ByteReader(bytes(n)); }

  Bytes data() const { return data_; }

 private:
  Bytes data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

}  // namespace mzl
