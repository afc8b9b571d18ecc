#include "mzl/snapshot/row_text.h"

#include <array>
#include <cstring>

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

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

// Whether one of the 8 bytes may need an escape: every such byte is below 0x20 or is '\'.
inline bool may_need_escape(uint64_t word) {
  const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighs;
  const uint64_t x = word ^ (kOnes * '\\');
  const uint64_t backslash = (x - kOnes) & ~x & kHighs;
  return (below_space | backslash) != 0;
}

// The length of the prefix of [p, end) that needs no escape.
inline size_t plain_prefix(const char* p, size_t n) {
  size_t i = 0;
  while (i + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (may_need_escape(word)) break;
    i += 8;
  }
  while (i < n && kEscaped[static_cast<unsigned char>(p[i])] == 0) ++i;
  return i;
}

}  // namespace

void append_field(std::string& out, const char* data, size_t length) {
  size_t done = 0;
  while (done < length) {
    const size_t run = plain_prefix(data + done, length - done);
    out.append(data + done, run);
    done += run;
    if (done == length) break;
    const char escaped[2] = {'\\', kEscaped[static_cast<unsigned char>(data[done])]};
    out.append(escaped, 2);
    ++done;
  }
}

void append_null(std::string& out) {
  out.append("\\N", 2);
}

void append_row(std::string& out, const char* const* fields, const unsigned long* lengths, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    if (i > 0) out += '\t';
    if (fields[i] == nullptr) {
      append_null(out);
    } else {
      append_field(out, fields[i], lengths[i]);
    }
  }
  out += '\n';
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
