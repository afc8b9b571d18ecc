#include "mzl/snapshot/row_text.h"

#include <algorithm>
#include <array>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

namespace mzl::snapshot {
namespace {

// kEscaped[b]: the letter written after '\' for byte b, or 0 when b is written as it is.
constexpr std::array<char, 256> kEscaped = [] {
  std::array<char, 256> t{};
  t['\\'] = '\\';
  t['\t'] = 't';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\0'] = '0';
  t[0x1A] = 'Z';
  return t;
}();

// Writes `n` bytes of a value escaped at `out` (which has room for 2 * n bytes) and returns the new end.
// With SSE2 (every x86-64) 16 bytes are copied per step and the step is redone byte by byte only when one
// of them is '\\' or below 0x20; the 16-byte store may write past the value's output but never past 2 * n.
char* write_field(char* out, const char* p, size_t n) {
  const char* const end = p + n;
#if defined(__SSE2__)
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i below_space = _mm_set1_epi8(0x1F);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i special =
        _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(_mm_max_epu8(v, below_space), below_space));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), v);
    const int mask = _mm_movemask_epi8(special);
    if (mask == 0) {
      p += 16;
      out += 16;
      continue;
    }
    const int plain = __builtin_ctz(static_cast<unsigned>(mask));
    p += plain;
    out += plain;
    const char letter = kEscaped[static_cast<unsigned char>(*p)];
    if (letter != 0) {
      *out++ = '\\';
      *out++ = letter;
    } else {
      *out++ = *p;
    }
    ++p;
  }
#endif
  for (; p < end; ++p) {
    const char letter = kEscaped[static_cast<unsigned char>(*p)];
    if (letter != 0) {
      *out++ = '\\';
      *out++ = letter;
    } else {
      *out++ = *p;
    }
  }
  return out;
}

// The most bytes a row can take: every byte escaped, plus a separator or LF per field ("\N" fits in 2).
size_t row_bound(const unsigned long* lengths, unsigned count) {
  size_t bound = 0;
  for (unsigned i = 0; i < count; ++i) bound += 2 * lengths[i] + 3;
  return bound;
}

char* write_row(char* out, const char* const* fields, const unsigned long* lengths, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    if (i > 0) *out++ = '\t';
    if (fields[i] == nullptr) {
      *out++ = '\\';
      *out++ = 'N';
    } else {
      out = write_field(out, fields[i], lengths[i]);
    }
  }
  *out++ = '\n';
  return out;
}

}  // namespace

void append_field(std::string& out, const char* data, size_t length) {
  const size_t start = out.size();
  out.resize(start + 2 * length);
  out.resize(static_cast<size_t>(write_field(out.data() + start, data, length) - out.data()));
}

void append_null(std::string& out) {
  out.append("\\N", 2);
}

void append_row(std::string& out, const char* const* fields, const unsigned long* lengths, unsigned count) {
  const size_t start = out.size();
  out.resize(start + row_bound(lengths, count));
  out.resize(static_cast<size_t>(write_row(out.data() + start, fields, lengths, count) - out.data()));
}

void RowTextBuffer::append_row(const char* const* fields, const unsigned long* lengths, unsigned count) {
  const size_t bound = row_bound(lengths, count);
  if (capacity_ - size_ < bound) {
    const size_t capacity = std::max(2 * capacity_, size_ + bound);
    std::unique_ptr<char[]> bigger(new char[capacity]);  // not zeroed: every byte is written before use
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }
  size_ = static_cast<size_t>(write_row(data_.get() + size_, fields, lengths, count) - data_.get());
}

RowTextReader::RowTextReader(InputStream& in) : in_(&in), where_(in.name()), chunk_(256 * 1024) {}

RowTextReader::RowTextReader(std::string_view text, std::string where) : where_(std::move(where)) {
  pos_ = reinterpret_cast<const uint8_t*>(text.data());
  end_ = pos_ + text.size();
}

Error RowTextReader::corrupt(const std::string& problem, uint64_t at) const {
  return Error{ErrorCode::kCorrupt, fmt::format("row {}: {}", rows_ + 1, problem)}.at_r(where_, at);
}

Result<bool> RowTextReader::fill() {
  if (pos_ != end_) return true;
  if (in_ == nullptr || eof_) return false;
  MZL_TRY(size_t n, in_->read(chunk_));
  if (n == 0) {
    eof_ = true;
    return false;
  }
  pos_ = chunk_.data();
  end_ = pos_ + n;
  return true;
}

Result<bool> RowTextReader::next(std::vector<std::optional<std::string>>& fields) {
  fields.clear();
  std::string value;
  bool is_null = false;
  bool row_started = false;
  uint64_t null_at = 0;
  for (;;) {
    MZL_TRY(bool more, fill());
    if (!more) {
      if (!row_started) return false;
      return corrupt("the data ends inside a row (no line feed after the last row)", offset_);
    }
    row_started = true;
    const uint8_t* run = pos_;
    while (pos_ != end_ && *pos_ != '\\' && *pos_ != '\t' && *pos_ != '\n') ++pos_;
    if (pos_ != run) {
      if (is_null) return corrupt("\\N followed by more bytes in the same field", null_at);
      value.append(reinterpret_cast<const char*>(run), static_cast<size_t>(pos_ - run));
      offset_ += static_cast<uint64_t>(pos_ - run);
    }
    if (pos_ == end_) continue;
    const uint8_t c = *pos_++;
    const uint64_t at = offset_++;
    if (c == '\t' || c == '\n') {
      if (is_null) {
        fields.emplace_back(std::nullopt);
      } else {
        fields.emplace_back(std::move(value));
      }
      value.clear();
      is_null = false;
      if (c == '\n') {
        ++rows_;
        return true;
      }
      continue;
    }
    // A backslash: the escaped byte may be in the next chunk.
    MZL_TRY(bool has_escaped, fill());
    if (!has_escaped) return corrupt("the data ends inside an escape", at);
    const uint8_t e = *pos_++;
    ++offset_;
    if (is_null) return corrupt("\\N followed by more bytes in the same field", null_at);
    switch (e) {
      case '\\':
        value += '\\';
        break;
      case 't':
        value += '\t';
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case '0':
        value += '\0';
        break;
      case 'Z':
        value += '\x1A';
        break;
      case 'N':
        if (!value.empty()) return corrupt("\\N after other bytes in the same field", at);
        is_null = true;
        null_at = at;
        break;
      default:
        return corrupt(
            fmt::format("unknown escape \\x{:02x} (mzl writes only \\\\ \\t \\n \\r \\0 \\Z \\N)", e), at);
    }
  }
}

}  // namespace mzl::snapshot
