#include "mzl/codec/geometry_wkt.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace mzl::codec {

namespace {

constexpr int kMaxDepth = 32;

// JTS formats ordinates with DecimalFormat("0.################"): plain notation, at most 16 fraction
// digits, trailing zeros dropped.
void append_ordinate(std::string& out, double v) {
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  const char* dot = static_cast<const char*>(std::memchr(buf, '.', static_cast<size_t>(res.ptr - buf)));
  if (dot != nullptr && res.ptr - dot - 1 > 16) {
    res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 16);
    while (res.ptr[-1] == '0') --res.ptr;
    if (res.ptr[-1] == '.') --res.ptr;
  }
  out.append(buf, res.ptr);
}

class WkbReader {
 public:
  explicit WkbReader(Bytes wkb) : in_(wkb) {}

  Status geometry(std::string& out, int depth, bool with_name = true) {
    if (depth > kMaxDepth) return Error(ErrorCode::kCorrupt, "WKB geometry nests too deep");
    little_endian_ = in_.u8() == 1;
    const uint32_t type = u32();
    if (!in_.ok()) return short_input();
    static constexpr const char* kNames[] = {
        "",           "POINT",           "LINESTRING",   "POLYGON",
        "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"};
    if (type < 1 || type > 7)
      return Error(ErrorCode::kUnsupported, fmt::format("WKB geometry type {}", type));
    if (with_name) {
      out += kNames[type];
      out += ' ';
    }
    switch (type) {
      case 1:
        return point(out);
      case 2:
        return points(out);
      case 3:
        return rings(out);
      default:
        return members(out, type, depth);
    }
  }

 private:
  static Error short_input() { return Error(ErrorCode::kCorrupt, "WKB geometry runs past its value"); }

  uint32_t u32() { return little_endian_ ? in_.u32le() : static_cast<uint32_t>(in_.uint_be(4)); }
  double f64() {
    const uint64_t bits = little_endian_ ? in_.u64le() : in_.uint_be(8);
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  // A count, checked against the bytes left (each element takes at least `min_size` bytes).
  Result<uint32_t> count(size_t min_size) {
    const uint32_t n = u32();
    if (!in_.ok() || n > in_.remaining() / min_size) return short_input();
    return n;
  }
  void coordinate(std::string& out) {
    append_ordinate(out, f64());
    out += ' ';
    append_ordinate(out, f64());
  }

  Status point(std::string& out) {
    const size_t at = out.size();
    out += '(';
    coordinate(out);
    out += ')';
    if (!in_.ok()) return short_input();
    // MySQL writes an empty point as NaN coordinates (POINT EMPTY in WKB has no other form).
    if (out.find("nan", at) != std::string::npos) out.replace(at, std::string::npos, "EMPTY");
    return ok_status();
  }
  Status points(std::string& out) {
    MZL_TRY(const uint32_t n, count(16));
    if (n == 0) {
      out += "EMPTY";
      return ok_status();
    }
    out += '(';
    for (uint32_t i = 0; i < n; ++i) {
      if (i) out += ", ";
      coordinate(out);
    }
    out += ')';
    return in_.ok() ? ok_status() : Status(short_input());
  }
  Status rings(std::string& out) {
    MZL_TRY(const uint32_t n, count(4));
    if (n == 0) {
      out += "EMPTY";
      return ok_status();
    }
    out += '(';
    for (uint32_t i = 0; i < n; ++i) {
      if (i) out += ", ";
      MZL_CHECK(points(out));
    }
    out += ')';
    return ok_status();
  }
  Status members(std::string& out, uint32_t type, int depth) {
    MZL_TRY(const uint32_t n, count(5));
    if (n == 0) {
      out += "EMPTY";
      return ok_status();
    }
    out += '(';
    for (uint32_t i = 0; i < n; ++i) {
      if (i) out += ", ";
      // The members of MULTI* are written without their type name; a collection's members with it.
      MZL_CHECK(geometry(out, depth + 1, type == 7));
    }
    out += ')';
    return ok_status();
  }

  ByteReader in_;
  bool little_endian_ = true;
};

}  // namespace

Status append_wkt(std::string& out, Bytes wkb) {
  WkbReader reader(wkb);
  return reader.geometry(out, 0);
}

}  // namespace mzl::codec
