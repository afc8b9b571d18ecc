#include "mzl/util/json_reader.h"

#include <charconv>

#include <fmt/format.h>

namespace mzl {
namespace {

class JsonParser {
 public:
  JsonParser(std::string_view text, const std::string& where, std::string_view what)
      : text_(text), where_(where), what_(what) {}

  Result<JsonValue> parse_document() {
    MZL_TRY(JsonValue value, parse_value(0));
    skip_space();
    if (pos_ != text_.size()) return error("text after the JSON value");
    return value;
  }

 private:
  Error error(std::string_view problem) const {
    return Error{ErrorCode::kCorrupt, fmt::format("bad {}: {}", what_, problem)}.at_r(where_, pos_);
  }
  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool consume(std::string_view literal) {
    if (text_.substr(pos_, literal.size()) != literal) return false;
    pos_ += literal.size();
    return true;
  }
  bool digit_at(size_t i) const { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; }

  Result<JsonValue> parse_value(int depth) {
    if (depth > kMaxJsonDepth) return error("nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) return error("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      MZL_TRY(std::string s, parse_string());
      return JsonValue(std::move(s));
    }
    if (consume("true")) return JsonValue(true);
    if (consume("false")) return JsonValue(false);
    if (consume("null")) return JsonValue();
    return parse_number();
  }

  // RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  Result<JsonValue> parse_number() {
    const size_t start = pos_;
    size_t i = pos_;
    if (i < text_.size() && text_[i] == '-') ++i;
    if (!digit_at(i)) return error("expected a value");
    if (text_[i] == '0') {
      ++i;
    } else {
      while (digit_at(i)) ++i;
    }
    if (i < text_.size() && text_[i] == '.') {
      ++i;
      if (!digit_at(i)) return error("bad number");
      while (digit_at(i)) ++i;
    }
    if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
      ++i;
      if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
      if (!digit_at(i)) return error("bad number");
      while (digit_at(i)) ++i;
    }
    pos_ = i;
    return JsonValue(JsonNumber{std::string(text_.substr(start, i - start))});
  }

  Result<unsigned> parse_hex4() {
    unsigned code = 0;
    if (pos_ + 4 > text_.size()) return error("short \\u escape");
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
    if (ec != std::errc() || end != text_.data() + pos_ + 4) return error("bad \\u escape");
    pos_ += 4;
    return code;
  }

  static void append_utf8(std::string& out, uint32_t code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  Result<std::string> parse_string() {
    ++pos_;  // the opening quote
    std::string out;
    while (pos_ < text_.size()) {
      const size_t run = pos_;
      while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\' &&
             static_cast<unsigned char>(text_[pos_]) >= 0x20) {
        ++pos_;
      }
      out.append(text_.data() + run, pos_ - run);
      if (pos_ >= text_.size()) break;
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        --pos_;
        return error("control character in a string");
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          MZL_TRY(uint32_t code, parse_hex4());
          if (code >= 0xD800 && code < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            const size_t save = pos_;
            pos_ += 2;
            MZL_TRY(uint32_t low, parse_hex4());
            if (low >= 0xDC00 && low < 0xE000) {
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;  // a lone high surrogate, then another escape
            }
          }
          append_utf8(out, code);
          break;
        }
        default:
          pos_ -= 2;
          return error("bad escape");
      }
    }
    return error("unterminated string");
  }

  Result<JsonValue> parse_array(int depth) {
    ++pos_;
    JsonArray array;
    skip_space();
    if (consume("]")) return JsonValue(std::move(array));
    while (true) {
      MZL_TRY(JsonValue item, parse_value(depth + 1));
      array.push_back(std::move(item));
      skip_space();
      if (consume("]")) return JsonValue(std::move(array));
      if (!consume(",")) return error("expected , or ]");
    }
  }

  Result<JsonValue> parse_object(int depth) {
    ++pos_;
    JsonObject object;
    skip_space();
    if (consume("}")) return JsonValue(std::move(object));
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a key");
      MZL_TRY(std::string key, parse_string());
      skip_space();
      if (!consume(":")) return error("expected :");
      MZL_TRY(JsonValue value, parse_value(depth + 1));
      object.insert_or_assign(std::move(key), std::move(value));
      skip_space();
      if (consume("}")) return JsonValue(std::move(object));
      if (!consume(",")) return error("expected , or }");
    }
  }

  std::string_view text_;
  const std::string& where_;
  std::string_view what_;
  size_t pos_ = 0;
};

template <class Int>
std::optional<Int> parse_integer(const JsonNumber* number) {
  if (!number) return std::nullopt;
  const std::string& t = number->text;
  Int value{};
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return value;
}

}  // namespace

const JsonArray* JsonValue::as_array() const {
  auto* p = std::get_if<std::shared_ptr<JsonArray>>(&v_);
  return p ? p->get() : nullptr;
}

const JsonObject* JsonValue::as_object() const {
  auto* p = std::get_if<std::shared_ptr<JsonObject>>(&v_);
  return p ? p->get() : nullptr;
}

std::optional<uint64_t> JsonValue::as_uint64() const {
  return parse_integer<uint64_t>(as_number());
}

std::optional<int64_t> JsonValue::as_int64() const {
  return parse_integer<int64_t>(as_number());
}

std::optional<double> JsonValue::as_double() const {
  const JsonNumber* number = as_number();
  if (!number) return std::nullopt;
  const std::string& t = number->text;
  double value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return value;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  const JsonObject* object = as_object();
  if (!object) return nullptr;
  auto it = object->find(key);
  return it == object->end() ? nullptr : &it->second;
}

Result<JsonValue> parse_json(std::string_view text, const std::string& where, std::string_view what) {
  return JsonParser(text, where, what).parse_document();
}

JsonFields::JsonFields(const JsonObject& object, const std::string& where, std::string_view what,
                       std::string context)
    : object_(object), where_(where), what_(what), context_(std::move(context)) {}

const JsonValue* JsonFields::find(std::string_view key) const {
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &it->second;
}

Error JsonFields::wrong(std::string_view key, std::string_view problem) const {
  const std::string name = context_.empty() ? std::string(key) : fmt::format("{}.{}", context_, key);
  return Error{ErrorCode::kCorrupt, fmt::format("bad {}: field \"{}\" {}", what_, name, problem)}.at_r(
      where_);
}

Status JsonFields::missing(std::string_view key, bool required) const {
  if (required) return wrong(key, "is missing");
  return ok_status();
}

Status JsonFields::get(std::string_view key, std::string& out, bool required) const {
  const JsonValue* value = find(key);
  if (!value) return missing(key, required);
  const std::string* s = value->as_string();
  if (!s) return wrong(key, "is not a string");
  out = *s;
  return ok_status();
}

Status JsonFields::get(std::string_view key, bool& out, bool required) const {
  const JsonValue* value = find(key);
  if (!value) return missing(key, required);
  const bool* b = value->as_bool();
  if (!b) return wrong(key, "is not a boolean");
  out = *b;
  return ok_status();
}

Status JsonFields::get(std::string_view key, double& out, bool required) const {
  const JsonValue* value = find(key);
  if (!value) return missing(key, required);
  std::optional<double> d = value->as_double();
  if (!d) return wrong(key, "is not a number");
  out = *d;
  return ok_status();
}

Status JsonFields::get(std::string_view key, uint64_t& out, bool required) const {
  const JsonValue* value = find(key);
  if (!value) return missing(key, required);
  std::optional<uint64_t> n = value->as_uint64();
  if (!n) return wrong(key, "is not a non-negative integer");
  out = *n;
  return ok_status();
}

Status JsonFields::get(std::string_view key, int64_t& out, bool required) const {
  const JsonValue* value = find(key);
  if (!value) return missing(key, required);
  std::optional<int64_t> n = value->as_int64();
  if (!n) return wrong(key, "is not an integer");
  out = *n;
  return ok_status();
}

Status JsonFields::get(std::string_view key, std::vector<std::string>& out, bool required) const {
  const JsonValue* value = find(key);
  if (!value) return missing(key, required);
  const JsonArray* array = value->as_array();
  if (!array) return wrong(key, "is not an array");
  std::vector<std::string> strings;
  strings.reserve(array->size());
  for (const JsonValue& item : *array) {
    const std::string* s = item.as_string();
    if (!s) return wrong(key, "is not an array of strings");
    strings.push_back(*s);
  }
  out = std::move(strings);
  return ok_status();
}

Result<const JsonObject*> JsonFields::object(std::string_view key, bool required) const {
  const JsonValue* value = find(key);
  if (!value) {
    if (required) return wrong(key, "is missing");
    return static_cast<const JsonObject*>(nullptr);
  }
  const JsonObject* object = value->as_object();
  if (!object) return wrong(key, "is not an object");
  return object;
}

Result<const JsonArray*> JsonFields::array(std::string_view key, bool required) const {
  const JsonValue* value = find(key);
  if (!value) {
    if (required) return wrong(key, "is missing");
    return static_cast<const JsonArray*>(nullptr);
  }
  const JsonArray* array = value->as_array();
  if (!array) return wrong(key, "is not an array");
  return array;
}

}  // namespace mzl
