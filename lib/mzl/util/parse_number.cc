#include "mzl/util/parse_number.h"

#include <charconv>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

namespace mzl {

namespace {

Error not_a_number(std::string_view text, std::string_view what, std::string_view expected) {
  return Error(ErrorCode::kCorrupt, fmt::format("{} '{}' is not {}", what, text, expected));
}

}  // namespace

Result<uint64_t> parse_uint(std::string_view text, std::string_view what, uint64_t max) {
  uint64_t value = 0;
  // from_chars stops at the first non-digit: the whole text must have been used.
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '-' || ec != std::errc() || end != text.data() + text.size() ||
      value > max) {
    return not_a_number(text, what, fmt::format("an unsigned integer up to {}", max));
  }
  return value;
}

Result<int64_t> parse_int(std::string_view text, std::string_view what) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return not_a_number(text, what, "a signed 64-bit integer");
  }
  return value;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view what) {
  const auto bad = [&] {
    return Error(
        ErrorCode::kCorrupt,
        fmt::format("{}: '{}' is not a duration (a number with ms, s, m or h: 500ms, 1s, 10m)", what, text));
  };
  size_t digits_end = 0;
  bool dot = false, digit = false;
  while (digits_end < text.size()) {
    const char c = text[digits_end];
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
    ++digits_end;
  }
  if (!digit) return bad();
  const std::string_view unit = text.substr(digits_end);
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1000;
  } else if (unit == "ms") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    return bad();
  }
  const double value = std::strtod(std::string(text.substr(0, digits_end)).c_str(), nullptr) * scale;
  if (!(value >= 0) || value > 1e15) return bad();
  return std::chrono::milliseconds(static_cast<int64_t>(value + 0.5));
}

}  // namespace mzl
