#include "mzl/gtid/uuid.h"

#include "mzl/util/hex.h"

namespace mzl::gtid {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads 32 hex digits; `dashed` text has a dash before bytes 4, 6, 8 and 10.
std::optional<Uuid> parse_digits(std::string_view text, bool dashed) {
  Uuid uuid;
  size_t pos = 0;
  for (size_t i = 0; i < 16; ++i) {
    if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) {
      if (text[pos] != '-') return std::nullopt;
      ++pos;
    }
    const int hi = hex_value(text[pos]);
    const int lo = hex_value(text[pos + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    uuid.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
    pos += 2;
  }
  return uuid;
}

}  // namespace

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() == kUuidTextLength) return parse_digits(text, true);
  if (text.size() == 32) return parse_digits(text, false);
  if (text.size() == kUuidTextLength + 2 && text.front() == '{' && text.back() == '}') {
    return parse_digits(text.substr(1, kUuidTextLength), true);
  }
  return std::nullopt;
}

std::string Uuid::to_string() const {
  std::string out;
  out.reserve(kUuidTextLength);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    append_hex_byte(out, bytes[i]);
  }
  return out;
}

bool Uuid::is_nil() const {
  for (uint8_t b : bytes) {
    if (b != 0) return false;
  }
  return true;
}

std::optional<std::string> normalize_tag(std::string_view text) {
  if (text.empty() || text.size() > kMaxTagLength) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return std::nullopt;
    out += c;
  }
  return out;
}

}  // namespace mzl::gtid
