// Lowercase hexadecimal text of bytes (RFC 4648 section 8, "base16", in lowercase): SHA-256 digests, UUIDs,
// escaped file-name characters. The one encoder the library uses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace mzl {

// Appends the two lowercase hex digits of `byte` to `out`.
inline void append_hex_byte(std::string& out, uint8_t byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0xF];
}

// The lowercase hex text of `bytes`, two digits per byte.
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace mzl
