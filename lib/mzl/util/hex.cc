#include "mzl/util/hex.h"

namespace mzl {

std::string to_hex(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) append_hex_byte(out, b);
  return out;
}

}  // namespace mzl
