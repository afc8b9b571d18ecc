#pragma once
// Server UUIDs and MySQL 8.4 transaction source ids (UUID + optional tag), the left half of a MySQL GTID.
// Text forms follow MySQL libs/mysql/gtid (uuid.cpp, tag.cpp): a UUID is printed as 36 lower-case characters
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; a tag is [a-z_][a-z0-9_]{0,31}, accepted in any case and kept in
// lower case.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mzl::gtid {

struct Uuid {
  std::array<uint8_t, 16> bytes{};  // in text order (the order servers write them in events)

  // Accepts the 36-character dashed form, 32 hex digits, or the dashed form in braces ("{...}"), any case.
  // Returns std::nullopt for anything else (no partial parse).
  static std::optional<Uuid> parse(std::string_view text);
  std::string to_string() const;  // 36 lower-case characters with dashes

  bool is_nil() const;
  auto operator<=>(const Uuid&) const = default;  // byte order == text order
  bool operator==(const Uuid&) const = default;
};

inline constexpr size_t kUuidTextLength = 36;
inline constexpr size_t kMaxTagLength = 32;

// `text` as a normalised tag (lower case), or std::nullopt when it is not [A-Za-z_][A-Za-z0-9_]{0,31}.
// The empty string is not a tag (an untagged GTID has no tag at all).
std::optional<std::string> normalize_tag(std::string_view text);

// A transaction source id: UUID and tag ("" when untagged). Ordered as MySQL sorts them for printing:
// by UUID, then untagged before tagged, then tags alphabetically.
struct Tsid {
  Uuid uuid;
  std::string tag;

  auto operator<=>(const Tsid&) const = default;
  bool operator==(const Tsid&) const = default;
};

}  // namespace mzl::gtid
