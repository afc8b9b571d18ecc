#include "mzl/archive/archive_state.h"

#include <charconv>
#include <limits>
#include <map>
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "mzl/util/json.h"

namespace mzl::archive {
namespace {

// The subset of JSON the state file uses: objects, arrays, strings, non-negative integers, booleans, null.
struct JsonValue;
using JsonObject = std::map<std::string, JsonValue, std::less<>>;
using JsonArray = std::vector<JsonValue>;
struct JsonValue {
  std::variant<std::nullptr_t, bool, uint64_t, std::string, std::shared_ptr<JsonArray>,
               std::shared_ptr<JsonObject>>
      v;
};

class JsonParser {
 public:
  JsonParser(std::string_view text, const std::string& where) : text_(text), where_(where) {}

  Result<JsonValue> parse_document() {
    MZL_TRY(JsonValue value, parse_value(0));
    skip_space();
    if (pos_ != text_.size()) return error("text after the JSON value");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 16;

  Error error(const std::string& what) const {
    return Error{ErrorCode::kCorrupt, fmt::format("bad state file: {}", what)}.at_r(where_, pos_);
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

  Result<JsonValue> parse_value(int depth) {
    if (depth > kMaxDepth) return error("nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) return error("unexpected end");
    char c = text_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      MZL_TRY(std::string s, parse_string());
      return JsonValue{std::move(s)};
    }
    if (consume("true")) return JsonValue{true};
    if (consume("false")) return JsonValue{false};
    if (consume("null")) return JsonValue{nullptr};
    uint64_t number = 0;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), number);
    if (ec != std::errc() || end == text_.data() + pos_) return error("expected a value");
    pos_ = static_cast<size_t>(end - text_.data());
    return JsonValue{number};
  }

  Result<std::string> parse_string() {
    ++pos_;  // the opening quote
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
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
          unsigned code = 0;
          if (pos_ + 4 > text_.size()) return error("short \\u escape");
          auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          if (ec != std::errc() || end != text_.data() + pos_ + 4) return error("bad \\u escape");
          pos_ += 4;
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
          }
          break;
        }
        default:
          return error("bad escape");
      }
    }
    return error("unterminated string");
  }

  Result<JsonValue> parse_array(int depth) {
    ++pos_;
    auto array = std::make_shared<JsonArray>();
    skip_space();
    if (consume("]")) return JsonValue{array};
    while (true) {
      MZL_TRY(JsonValue item, parse_value(depth + 1));
      array->push_back(std::move(item));
      skip_space();
      if (consume("]")) return JsonValue{array};
      if (!consume(",")) return error("expected , or ]");
    }
  }

  Result<JsonValue> parse_object(int depth) {
    ++pos_;
    auto object = std::make_shared<JsonObject>();
    skip_space();
    if (consume("}")) return JsonValue{object};
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return error("expected a key");
      MZL_TRY(std::string key, parse_string());
      skip_space();
      if (!consume(":")) return error("expected :");
      MZL_TRY(JsonValue value, parse_value(depth + 1));
      (*object)[std::move(key)] = std::move(value);
      skip_space();
      if (consume("}")) return JsonValue{object};
      if (!consume(",")) return error("expected , or }");
    }
  }

  std::string_view text_;
  const std::string& where_;
  size_t pos_ = 0;
};

// Typed access to an object's fields; missing fields keep their default.
class Fields {
 public:
  Fields(const JsonObject& object, const std::string& where) : object_(object), where_(where) {}

  Status get(std::string_view key, std::string& out) const { return get_as(key, out); }
  Status get(std::string_view key, uint64_t& out) const { return get_as(key, out); }
  template <class Int>
  Status get_int(std::string_view key, Int& out) const {
    uint64_t value = out;
    MZL_CHECK(get_as(key, value));
    if (value > std::numeric_limits<Int>::max()) return wrong(key);
    out = static_cast<Int>(value);
    return ok_status();
  }
  const JsonValue* find(std::string_view key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &it->second;
  }
  Error wrong(std::string_view key) const {
    return Error{ErrorCode::kCorrupt, fmt::format("bad state file: field \"{}\" has the wrong type", key)}
        .at_r(where_);
  }

 private:
  template <class T>
  Status get_as(std::string_view key, T& out) const {
    const JsonValue* value = find(key);
    if (!value) return ok_status();
    const T* typed = std::get_if<T>(&value->v);
    if (!typed) return wrong(key);
    out = *typed;
    return ok_status();
  }

  const JsonObject& object_;
  const std::string& where_;
};

const JsonObject* as_object(const JsonValue& value) {
  auto* object = std::get_if<std::shared_ptr<JsonObject>>(&value.v);
  return object ? object->get() : nullptr;
}

}  // namespace

std::string encode_archive_state(const ArchiveState& state) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("format", kArchiveStateFormat);
  w.field("source", state.source);
  w.plain_key("server");
  w.begin_object();
  w.field("server_uuid", state.server.server_uuid);
  w.field("server_id", uint64_t{state.server.server_id});
  w.field("flavour", state.server.flavour);
  w.field("version", state.server.version);
  w.end_object();
  w.field("current_file", state.current_file);
  w.field("durable_position", state.durable_position);
  w.field("gtid_position", state.gtid_position);
  w.field("current_crc32", uint64_t{state.current_crc32});
  w.field("current_first_gtid", state.current_first_gtid);
  w.field("current_last_gtid", state.current_last_gtid);
  w.plain_key("closed_files");
  w.begin_array();
  for (const auto& file : state.closed_files) {
    out += "\n  ";
    w.begin_object();
    w.field("name", file.name);
    w.field("size", file.size);
    w.field("crc32", uint64_t{file.crc32});
    w.field("first_gtid", file.first_gtid);
    w.field("last_gtid", file.last_gtid);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += '\n';
  return out;
}

Result<ArchiveState> decode_archive_state(std::string_view json, const std::string& where) {
  MZL_TRY(JsonValue root, JsonParser(json, where).parse_document());
  const JsonObject* object = as_object(root);
  if (!object) return Error{ErrorCode::kCorrupt, "bad state file: not a JSON object"}.at_r(where);
  Fields fields(*object, where);
  uint64_t format = 0;
  MZL_CHECK(fields.get("format", format));
  if (format == 0 || format > kArchiveStateFormat) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("state file format {} is not supported (this mzl writes format {})", format,
                             kArchiveStateFormat)}
        .at_r(where);
  }
  ArchiveState state;
  MZL_CHECK(fields.get("source", state.source));
  if (const JsonValue* server = fields.find("server")) {
    const JsonObject* server_object = as_object(*server);
    if (!server_object) return fields.wrong("server");
    Fields s(*server_object, where);
    MZL_CHECK(s.get("server_uuid", state.server.server_uuid));
    MZL_CHECK(s.get_int("server_id", state.server.server_id));
    MZL_CHECK(s.get("flavour", state.server.flavour));
    MZL_CHECK(s.get("version", state.server.version));
  }
  MZL_CHECK(fields.get("current_file", state.current_file));
  MZL_CHECK(fields.get("durable_position", state.durable_position));
  MZL_CHECK(fields.get("gtid_position", state.gtid_position));
  MZL_CHECK(fields.get_int("current_crc32", state.current_crc32));
  MZL_CHECK(fields.get("current_first_gtid", state.current_first_gtid));
  MZL_CHECK(fields.get("current_last_gtid", state.current_last_gtid));
  if (const JsonValue* files = fields.find("closed_files")) {
    auto* array = std::get_if<std::shared_ptr<JsonArray>>(&files->v);
    if (!array) return fields.wrong("closed_files");
    for (const JsonValue& item : **array) {
      const JsonObject* file_object = as_object(item);
      if (!file_object) return fields.wrong("closed_files");
      Fields f(*file_object, where);
      ClosedFileInfo info;
      MZL_CHECK(f.get("name", info.name));
      MZL_CHECK(f.get("size", info.size));
      MZL_CHECK(f.get_int("crc32", info.crc32));
      MZL_CHECK(f.get("first_gtid", info.first_gtid));
      MZL_CHECK(f.get("last_gtid", info.last_gtid));
      state.closed_files.push_back(std::move(info));
    }
  }
  return state;
}

}  // namespace mzl::archive
