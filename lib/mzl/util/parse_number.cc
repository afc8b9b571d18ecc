#include "mzl/util/parse_number.h"

#include <charconv>

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

}  // namespace mzl
