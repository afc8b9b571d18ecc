#include "mzl/util/crc32.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>

#include "mzl/util/byte_reader.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mzl {

namespace {

uint32_t crc32_zlib(const uint8_t* p, size_t left, uint32_t initial) {
  uLong crc = initial;
  while (left > 0) {  // zlib takes uInt lengths
    const size_t n = std::min<size_t>(left, UINT_MAX);
    crc = ::crc32(crc, p, static_cast<uInt>(n));
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(crc);
}

// Slice-by-8 (Kounavis and Berry, "Novel Table Lookup-Based Algorithms for High-Performance CRC
// Generation", IEEE Trans. Computers 2008): tables[k][b] is the CRC register after byte b followed by k zero
// bytes, so eight bytes take eight independent lookups. For the short inputs (a GTID or XID event is 30-60
// bytes) and the tails (< 16 bytes) the carry-less path leaves; zlib would take them a byte at a time.
using SliceTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr SliceTables make_slice_tables() {
  SliceTables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;  // reflected polynomial
    t[0][b] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  }
  return t;
}

constexpr SliceTables kSliceTables = make_slice_tables();

// `crc` is the pre-inverted register value, as for crc32_pclmul().
uint32_t crc32_slice8(const uint8_t* p, size_t len, uint32_t crc) {
  const SliceTables& t = kSliceTables;
  for (; len >= 8; p += 8, len -= 8) {
    const uint64_t v = load_le<8>(p) ^ crc;
    crc = t[7][v & 0xFF] ^ t[6][(v >> 8) & 0xFF] ^ t[5][(v >> 16) & 0xFF] ^ t[4][(v >> 24) & 0xFF] ^
          t[3][(v >> 32) & 0xFF] ^ t[2][(v >> 40) & 0xFF] ^ t[1][(v >> 48) & 0xFF] ^ t[0][v >> 56];
  }
  if (len >= 4) {  // slice-by-4 once: the register's four bytes
    const uint32_t v = static_cast<uint32_t>(load_le<4>(p)) ^ crc;
    crc = t[3][v & 0xFF] ^ t[2][(v >> 8) & 0xFF] ^ t[1][(v >> 16) & 0xFF] ^ t[0][v >> 24];
    p += 4;
    len -= 4;
  }
  for (; len > 0; ++p, --len) crc = t[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return crc;
}

// Below this length zlib's crc32_z() works a byte at a time (its braided loop needs N*W + W - 1 = 47 bytes,
// and more to pay for its setup); slice-by-8 is faster up to here.
constexpr size_t kSliceMaxLength = 64;

#if defined(__x86_64__)

// CRC-32 by folding with carry-less multiplication: Gopal et al., "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ Instruction" (Intel, 2009), in the bit-reflected domain, as Chromium's zlib
// (crc32_simd.c) and the Linux kernel (crc32-pclmul) do. `crc` is the pre-inverted register value;
// len >= 16 and a multiple of 16: four lanes folded in parallel from 64 bytes on, else one lane.
__attribute__((target("pclmul,sse4.1"))) uint32_t crc32_pclmul(const uint8_t* buf, size_t len, uint32_t crc) {
  alignas(16) static const uint64_t k1k2[] = {0x0154442bd4, 0x01c6e41596};
  alignas(16) static const uint64_t k3k4[] = {0x01751997d0, 0x00ccaa009e};
  alignas(16) static const uint64_t k5k0[] = {0x0163cd6124, 0x0000000000};
  alignas(16) static const uint64_t poly[] = {0x01db710641, 0x01f7011641};
  auto load = [](const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };

  __m128i x1 = _mm_xor_si128(load(buf), _mm_cvtsi32_si128(static_cast<int>(crc)));
  __m128i x0;
  if (len >= 64) {
    __m128i x2 = load(buf + 0x10), x3 = load(buf + 0x20), x4 = load(buf + 0x30);
    x0 = _mm_load_si128(reinterpret_cast<const __m128i*>(k1k2));
    buf += 64;
    len -= 64;
    while (len >= 64) {  // fold four 128-bit lanes in parallel
      const __m128i x5 = _mm_clmulepi64_si128(x1, x0, 0x00), x6 = _mm_clmulepi64_si128(x2, x0, 0x00);
      const __m128i x7 = _mm_clmulepi64_si128(x3, x0, 0x00), x8 = _mm_clmulepi64_si128(x4, x0, 0x00);
      x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), x5), load(buf + 0x00));
      x2 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x2, x0, 0x11), x6), load(buf + 0x10));
      x3 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x3, x0, 0x11), x7), load(buf + 0x20));
      x4 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x4, x0, 0x11), x8), load(buf + 0x30));
      buf += 64;
      len -= 64;
    }
    // Fold the four lanes into one.
    x0 = _mm_load_si128(reinterpret_cast<const __m128i*>(k3k4));
    for (const __m128i next : {x2, x3, x4}) {
      const __m128i x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
      x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), next), x5);
    }
  } else {
    x0 = _mm_load_si128(reinterpret_cast<const __m128i*>(k3k4));
    buf += 16;
    len -= 16;
  }
  while (len >= 16) {  // single folds
    const __m128i x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, x0, 0x11), load(buf)), x5);
    buf += 16;
    len -= 16;
  }
  // 128 bits to 64.
  __m128i x2b = _mm_clmulepi64_si128(x1, x0, 0x10);
  const __m128i mask = _mm_setr_epi32(~0, 0, ~0, 0);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2b);
  x0 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(k5k0));
  x2b = _mm_srli_si128(x1, 4);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, mask), x0, 0x00), x2b);
  // Barrett reduction to 32 bits.
  x0 = _mm_load_si128(reinterpret_cast<const __m128i*>(poly));
  x2b = _mm_and_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, mask), x0, 0x10), mask);
  x2b = _mm_clmulepi64_si128(x2b, x0, 0x00);
  x1 = _mm_xor_si128(x1, x2b);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

bool cpu_has_pclmul() {
  static const bool has = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return has;
}

#endif

}  // namespace

uint32_t crc32(std::span<const uint8_t> data, uint32_t initial) {
  const uint8_t* p = data.data();
  size_t left = data.size();
  uint32_t crc = ~initial;  // the register, pre-inverted as the CRC-32 definition wants
#if defined(__x86_64__)
  if (left >= 16 && cpu_has_pclmul()) {
    const size_t chunk = left & ~size_t{15};
    crc = crc32_pclmul(p, chunk, crc);
    p += chunk;
    left -= chunk;
  }
#endif
  if (left >= kSliceMaxLength) return crc32_zlib(p, left, ~crc);
  return ~crc32_slice8(p, left, crc);
}

uint32_t crc32_portable(std::span<const uint8_t> data, uint32_t initial) {
  return crc32_zlib(data.data(), data.size(), initial);
}

uint32_t crc32_tables(std::span<const uint8_t> data, uint32_t initial) {
  return ~crc32_slice8(data.data(), data.size(), ~initial);
}

}  // namespace mzl
