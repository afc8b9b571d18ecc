#include "mzl/util/json.h"

#include <fmt/format.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

namespace mzl {

namespace {

// Bytes that JSON strings cannot hold as they are: control characters, '"' and '\\'; with kEscapeHigh also
// every byte >= 0x80 (used when the string is not valid UTF-8).
enum : uint8_t { kPlain = 0, kEscapeAlways = 1, kEscapeHigh = 2 };
constexpr auto kEscapeClass = [] {
  std::array<uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = kEscapeAlways;
  table['"'] = kEscapeAlways;
  table['\\'] = kEscapeAlways;
  for (int c = 0x80; c < 0x100; ++c) table[c] = kEscapeHigh;
  return table;
}();

// Whether any of the eight bytes of `word` needs escaping: < 0x20, '"', '\\', or (when `high` is set) >=
// 0x80. Classic SWAR tests (Hacker's Delight 6-1): a byte is zero iff (b - 1) & ~b has its high bit set.
inline bool word_needs_escape(uint64_t word, bool high) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  auto has_zero_byte = [](uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  const bool below_space = ((word - kOnes * 0x20) & ~word & kHighs) != 0;
  return below_space || has_zero_byte(word ^ (kOnes * '"')) || has_zero_byte(word ^ (kOnes * '\\')) ||
         (high && (word & kHighs) != 0);
}

}  // namespace

bool is_plain_json_ascii(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t i = 0;
  const size_t n = s.size();
#if defined(__SSE2__)
  // Sixteen bytes at a time: a byte is not plain when, as a signed byte, it is below 0x20 (control characters
  // and, being negative, every byte >= 0x80), or when it equals '"' or '\\'.
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  auto plain16 = [&](size_t at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    const __m128i bad = _mm_or_si128(_mm_cmplt_epi8(v, space),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    return _mm_movemask_epi8(bad) == 0;
  };
  for (; i + 16 <= n; i += 16) {
    if (!plain16(i)) return false;
  }
  // The tail of a string of 16 bytes or more: the last 16 bytes, overlapping bytes already seen.
  if (i < n && n >= 16) return plain16(n - 16);
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (word_needs_escape(word, true)) return false;
  }
  for (; i < n; ++i) {
    if (kEscapeClass[p[i]] != kPlain) return false;
  }
  return true;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    if (i + 8 <= n) {  // skip ASCII eight bytes at a time
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (is_plain_json_ascii(s)) {
    const size_t at = out.size();
    out.resize(at + s.size() + 2);
    char* p = out.data() + at;
    *p = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
    return;
  }
  // Valid UTF-8 passes through; otherwise every byte >= 0x80 is escaped as the code point of its Latin-1
  // reading, so that no input byte is lost or turned into invalid JSON. Validity is checked only when the
  // first byte >= 0x80 shows up (every byte before it is ASCII, so nothing written so far changes).
  uint8_t escape_mask = kEscapeAlways;
  bool validated = false;
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    while (i + 8 <= s.size()) {  // skip eight plain bytes at a time
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (word_needs_escape(word, !validated || escape_mask != kEscapeAlways)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x80 && !validated) {
      validated = true;
      if (!is_valid_utf8(s)) escape_mask = kEscapeAlways | kEscapeHigh;
    }
    if ((kEscapeClass[c] & escape_mask) == 0) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void JsonWriter::value(int64_t v) {
  char buf[24];
  char* p = buf;
  if (comma_) *p++ = ',';
  comma_ = true;
  out_.append(buf, std::to_chars(p, buf + sizeof buf, v).ptr);
}

void JsonWriter::value(uint64_t v) {
  char buf[24];
  char* p = buf;
  if (comma_) *p++ = ',';
  comma_ = true;
  out_.append(buf, std::to_chars(p, buf + sizeof buf, v).ptr);
}

void JsonWriter::value(double v) {
  separate();
  if (!std::isfinite(v)) {
    out_ += "null";  // JSON has no NaN/Inf; MySQL cannot store them in FLOAT/DOUBLE columns either
    return;
  }
  fmt::format_to(std::back_inserter(out_), "{}", v);  // shortest round-trip representation
}

}  // namespace mzl
