#include "mzl/codec/json_binary.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "mzl/codec/column_type.h"
#include "mzl/codec/column_value.h"
#include "mzl/util/base64.h"
#include "mzl/util/json.h"

namespace mzl::codec {

namespace {

constexpr uint8_t kSmallObject = 0x00;
constexpr uint8_t kLargeObject = 0x01;
constexpr uint8_t kSmallArray = 0x02;
constexpr uint8_t kLargeArray = 0x03;
constexpr uint8_t kLiteral = 0x04;
constexpr uint8_t kInt16 = 0x05;
constexpr uint8_t kUint16 = 0x06;
constexpr uint8_t kInt32 = 0x07;
constexpr uint8_t kUint32 = 0x08;
constexpr uint8_t kInt64 = 0x09;
constexpr uint8_t kUint64 = 0x0a;
constexpr uint8_t kDouble = 0x0b;
constexpr uint8_t kString = 0x0c;
constexpr uint8_t kOpaque = 0x0f;
constexpr int kMaxDepth = 100;

Error corrupt(std::string what) {
  return Error{ErrorCode::kCorrupt, "binary JSON: " + std::move(what)};
}

// MySQL json_dom.cc double_quote() escapes quote, backslash and control characters; JSON text from the server
// is valid UTF-8, for which util's escaping is the same (and it keeps invalid bytes from a corrupt image
// representable).
void append_quoted(std::string& out, std::string_view s) {
  append_json_string(out, s);
}

// Like MySQL's my_gcvt + ".0" for integral values: shortest round-trip digits.
void append_double(std::string& out, double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  std::string s(buf, res.ptr);
  auto e = s.find('e');
  if (e != std::string::npos) {
    std::string mant = s.substr(0, e);
    std::string exp = s.substr(e + 1);
    bool neg = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.erase(0, 1);
    while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
    s = mant + "e" + (neg ? "-" : "") + exp;
  } else if (s.find('.') == std::string::npos && s != "inf" && s != "-inf" && s != "nan") {
    s += ".0";
  }
  out += s;
}

// data-length: 7 bits per byte, low bits first, high bit = more bytes follow (at most 5 bytes).
bool read_varlen(ByteReader& in, uint64_t& len) {
  len = 0;
  for (int i = 0; i < 5; ++i) {
    const uint8_t b = in.u8();
    if (!in.ok()) return false;
    len |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

std::string two(unsigned v) {
  return fmt::format("{:02}", v);
}

Status append_opaque(std::string& out, uint8_t field_type, Bytes data) {
  ByteReader in(data);
  switch (static_cast<ColumnType>(field_type)) {
    case ColumnType::kNewDecimal: {
      const uint8_t precision = in.u8();
      const uint8_t scale = in.u8();
      if (!in.ok()) return corrupt("DECIMAL opaque value too short");
      MZL_TRY(std::string text, decode_decimal(in, precision, scale));
      out += text;
      return ok_status();
    }
    case ColumnType::kDate:
    case ColumnType::kNewDate:
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2: {
      if (data.size() < 8) return corrupt("temporal opaque value too short");
      int64_t packed = in.int_le(8);
      const bool neg = packed < 0;
      uint64_t v = neg ? uint64_t(0) - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
      const uint64_t micro = v % (1 << 24);
      const uint64_t ymdhms = v >> 24;
      const uint64_t ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms % (1 << 17);
      std::string s = fmt::format("{}{:04}-{:02}-{:02}", neg ? "-" : "", ym / 13, ym % 13, ymd % 32);
      if (field_type != code(ColumnType::kDate) && field_type != code(ColumnType::kNewDate))
        s += fmt::format(" {}:{}:{}.{:06}", two(hms >> 12), two((hms >> 6) % 64), two(hms % 64), micro);
      append_quoted(out, s);
      return ok_status();
    }
    case ColumnType::kTime:
    case ColumnType::kTime2: {
      if (data.size() < 8) return corrupt("TIME opaque value too short");
      int64_t packed = in.int_le(8);
      const bool neg = packed < 0;
      uint64_t v = neg ? uint64_t(0) - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
      const uint64_t hms = v >> 24;
      append_quoted(out, fmt::format("{}{}:{}:{}.{:06}", neg ? "-" : "", two((hms >> 12) % 1024),
                                     two((hms >> 6) % 64), two(hms % 64), v % (1 << 24)));
      return ok_status();
    }
    default: {
      std::string s = fmt::format("base64:type{}:", field_type);
      append_base64(s, data);
      append_quoted(out, s);
      return ok_status();
    }
  }
}

class JsonRenderer {
 public:
  explicit JsonRenderer(Bytes doc) : doc_(doc) {}

  // Renders the value of `type` whose bytes start at `offset` in the document.
  Status value(uint8_t type, size_t offset, int depth, std::string& out) {
    if (depth > kMaxDepth) return corrupt("nesting deeper than 100");
    if (offset > doc_.size()) return corrupt("value offset past the end");
    ByteReader in(doc_.subspan(offset));
    switch (type) {
      case kSmallObject:
      case kLargeObject:
        return container(true, type == kLargeObject, offset, depth, out);
      case kSmallArray:
      case kLargeArray:
        return container(false, type == kLargeArray, offset, depth, out);
      case kLiteral: {
        const uint8_t v = in.u8();
        if (!in.ok() || v > 2) return corrupt("bad literal");
        out += v == 0 ? "null" : v == 1 ? "true" : "false";
        return ok_status();
      }
      case kInt16:
        return integer(in.int_le(2), in, out);
      case kUint16:
        return integer(in.uint_le(2), in, out);
      case kInt32:
        return integer(in.int_le(4), in, out);
      case kUint32:
        return integer(in.uint_le(4), in, out);
      case kInt64:
        return integer(in.int_le(8), in, out);
      case kUint64:
        return integer(in.uint_le(8), in, out);
      case kDouble: {
        const uint64_t bits = in.u64le();
        if (!in.ok()) return corrupt("double cut short");
        double d;
        std::memcpy(&d, &bits, sizeof d);
        append_double(out, d);
        return ok_status();
      }
      case kString: {
        uint64_t len;
        if (!read_varlen(in, len) || !in.has(len)) return corrupt("string length past the end");
        append_quoted(out, in.string(len));
        return ok_status();
      }
      case kOpaque: {
        const uint8_t field_type = in.u8();
        uint64_t len;
        if (!in.ok() || !read_varlen(in, len) || !in.has(len)) return corrupt("opaque length past the end");
        return append_opaque(out, field_type, in.bytes(len));
      }
      default:
        return corrupt(fmt::format("unknown value type 0x{:02x}", type));
    }
  }

 private:
  template <class T>
  Status integer(T v, const ByteReader& in, std::string& out) {
    if (!in.ok()) return corrupt("number cut short");
    out += std::to_string(v);
    return ok_status();
  }

  Status container(bool object, bool large, size_t offset, int depth, std::string& out) {
    const size_t w = large ? 4 : 2;
    ByteReader in(doc_.subspan(offset));
    const uint64_t count = in.uint_le(w);
    const uint64_t size = in.uint_le(w);
    if (!in.ok() || size > doc_.size() - offset) return corrupt("container size past the end");
    const size_t key_entry = w + 2, value_entry = 1 + w;
    const uint64_t header = 2 * w + count * ((object ? key_entry : 0) + value_entry);
    if (count > size || header > size) return corrupt("container header larger than the container");
    out += object ? '{' : '[';
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) out += ", ";
      if (object) {
        ByteReader k(doc_.subspan(offset + 2 * w + i * key_entry));
        const uint64_t key_offset = k.uint_le(w);
        const uint16_t key_len = k.u16le();
        if (!k.ok() || key_offset + key_len > size) return corrupt("object key past the end");
        auto key = doc_.subspan(offset + key_offset, key_len);
        append_quoted(out, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
        out += ": ";
      }
      const size_t entry_at = offset + 2 * w + (object ? count * key_entry : 0) + i * value_entry;
      ByteReader v(doc_.subspan(entry_at, value_entry));
      const uint8_t type = v.u8();
      const bool inlined = type == kLiteral || type == kInt16 || type == kUint16 ||
                           (large && (type == kInt32 || type == kUint32));
      if (inlined) {
        MZL_CHECK(value(type, entry_at + 1, depth + 1, out));
      } else {
        const uint64_t value_offset = v.uint_le(w);
        if (value_offset >= size) return corrupt("value offset past the container");
        MZL_CHECK(value(type, offset + value_offset, depth + 1, out));
      }
    }
    out += object ? '}' : ']';
    return ok_status();
  }

  Bytes doc_;
};

}  // namespace

Result<std::string> json_binary_to_text(Bytes document) {
  if (document.empty()) return std::string("null");
  std::string out;
  JsonRenderer renderer(document);
  MZL_CHECK(renderer.value(document[0], 1, 0, out));
  return out;
}

Result<std::vector<JsonDiff>> decode_json_diffs(ByteReader& in) {
  const uint32_t length = in.u32le();
  if (!in.has(length)) return corrupt("diff vector length past the end");
  ByteReader diffs = in.sub(length);
  std::vector<JsonDiff> out;
  while (!diffs.empty()) {
    JsonDiff diff;
    const uint8_t op = diffs.u8();
    if (op > 2) return corrupt(fmt::format("unknown diff operation {}", op));
    diff.operation = static_cast<JsonDiffOperation>(op);
    const uint64_t path_len = diffs.packed_uint();
    if (!diffs.has(path_len)) return corrupt("diff path past the end");
    diff.path = std::string(diffs.string(path_len));
    if (diff.operation != JsonDiffOperation::kRemove) {
      const uint64_t value_len = diffs.packed_uint();
      if (!diffs.has(value_len)) return corrupt("diff value past the end");
      MZL_TRY(diff.value, json_binary_to_text(diffs.bytes(value_len)));
    }
    out.push_back(std::move(diff));
  }
  return out;
}

}  // namespace mzl::codec
