#include "mzl/util/crc32.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace mzl {

uint32_t crc32(std::span<const uint8_t> data, uint32_t initial) {
  uLong crc = initial;
  const uint8_t* p = data.data();
  size_t left = data.size();
  while (left > 0) {  // zlib takes uInt lengths
    const size_t n = std::min<size_t>(left, UINT_MAX);
    crc = ::crc32(crc, p, static_cast<uInt>(n));
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace mzl
