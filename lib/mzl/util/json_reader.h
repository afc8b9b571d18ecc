#pragma once
// Minimal JSON input (RFC 8259): parses a whole document into a tree of JsonValue, for the small files mzl
// writes itself (archive state.json, snapshot manifest.json, schema.jsonl lines). Not a streaming parser:
// documents are a few MB at most. Nesting deeper than kMaxJsonDepth is rejected (no unbounded recursion).
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mzl/util/result.h"

namespace mzl {

inline constexpr int kMaxJsonDepth = 64;

class JsonValue;
using JsonObject = std::map<std::string, JsonValue, std::less<>>;
using JsonArray = std::vector<JsonValue>;

// A number keeps its text, so that integers beyond 2^53 and decimals read back exactly.
struct JsonNumber {
  std::string text;
};

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;
  explicit JsonValue(bool b) : v_(b) {}
  explicit JsonValue(JsonNumber n) : v_(std::move(n)) {}
  explicit JsonValue(std::string s) : v_(std::move(s)) {}
  explicit JsonValue(const char* s) : v_(std::string(s)) {}
  explicit JsonValue(JsonArray a) : v_(std::make_shared<JsonArray>(std::move(a))) {}
  explicit JsonValue(JsonObject o) : v_(std::make_shared<JsonObject>(std::move(o))) {}

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }

  // nullptr / nullopt when the value is of another kind.
  const bool* as_bool() const { return std::get_if<bool>(&v_); }
  const std::string* as_string() const { return std::get_if<std::string>(&v_); }
  const JsonArray* as_array() const;
  const JsonObject* as_object() const;
  const JsonNumber* as_number() const { return std::get_if<JsonNumber>(&v_); }
  // The number as an integer when it is one (no fraction, no exponent) and fits; as a double when it is any
  // number.
  std::optional<uint64_t> as_uint64() const;
  std::optional<int64_t> as_int64() const;
  std::optional<double> as_double() const;

  // An object's member, or nullptr (also when this is not an object).
  const JsonValue* find(std::string_view key) const;

 private:
  std::variant<std::nullptr_t, bool, JsonNumber, std::string, std::shared_ptr<JsonArray>,
               std::shared_ptr<JsonObject>>
      v_;
};

// Parses one JSON document (surrounding white space allowed, nothing else after it). Strings are returned
// as UTF-8 (\uXXXX escapes, surrogate pairs included, are encoded). Errors are kCorrupt at where:offset with
// the message "bad <what>: <problem>" (what: e.g. "state file", "manifest").
Result<JsonValue> parse_json(std::string_view text, const std::string& where, std::string_view what = "JSON");

// Typed reading of an object's fields. get() leaves `out` unchanged when the key is missing (or, with
// required, fails); a field of the wrong type or out of range is kCorrupt "bad <what>: field "<key>" ...".
// `context` (e.g. "tables[3]") is added to the key in messages.
class JsonFields {
 public:
  JsonFields(const JsonObject& object, const std::string& where, std::string_view what = "JSON",
             std::string context = "");

  Status get(std::string_view key, std::string& out, bool required = false) const;
  Status get(std::string_view key, bool& out, bool required = false) const;
  Status get(std::string_view key, double& out, bool required = false) const;
  Status get(std::string_view key, std::vector<std::string>& out, bool required = false) const;
  Status get(std::string_view key, uint64_t& out, bool required = false) const;
  Status get(std::string_view key, int64_t& out, bool required = false) const;
  // Any integer type, range-checked.
  template <class Int>
  Status get_int(std::string_view key, Int& out, bool required = false) const {
    if constexpr (std::numeric_limits<Int>::is_signed) {
      int64_t value = out;
      MZL_CHECK(get(key, value, required));
      if (value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max()) {
        return wrong(key, "is out of range");
      }
      out = static_cast<Int>(value);
    } else {
      uint64_t value = out;
      MZL_CHECK(get(key, value, required));
      if (value > std::numeric_limits<Int>::max()) return wrong(key, "is out of range");
      out = static_cast<Int>(value);
    }
    return ok_status();
  }

  const JsonValue* find(std::string_view key) const;
  // The member as an object / array: nullptr when missing (or an error when required); kCorrupt when it
  // has another type.
  Result<const JsonObject*> object(std::string_view key, bool required = false) const;
  Result<const JsonArray*> array(std::string_view key, bool required = false) const;

  // kCorrupt "bad <what>: field "<context.key>" <problem>" at where.
  Error wrong(std::string_view key, std::string_view problem = "has the wrong type") const;
  const std::string& where() const { return where_; }
  std::string_view what() const { return what_; }
  const std::string& context() const { return context_; }

 private:
  Status missing(std::string_view key, bool required) const;

  const JsonObject& object_;
  std::string where_;
  std::string what_;
  std::string context_;
};

}  // namespace mzl
