#include "mzl/codec/column_value_render.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "mzl/util/base64.h"
#include "mzl/util/json.h"

namespace mzl::codec {

namespace {

std::string fraction(uint32_t microseconds, uint8_t precision) {
  if (precision == 0) return {};
  std::string digits = fmt::format("{:06}", microseconds);
  return "." + digits.substr(0, std::min<size_t>(precision, 6));
}

std::string time_text(const TimeValue& t) {
  return fmt::format("{}{:02}:{:02}:{:02}{}", t.negative ? "-" : "", t.hours, t.minutes, t.seconds,
                     fraction(t.microseconds, t.precision));
}

std::string datetime_text(const DateTimeValue& d) {
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}", d.year, d.month, d.day, d.hour, d.minute,
                     d.second, fraction(d.microseconds, d.precision));
}

std::string timestamp_text(const TimestampValue& t, bool iso) {
  if (t.seconds == 0 && t.microseconds == 0) return "0000-00-00 00:00:00" + fraction(0, t.precision);
  using namespace std::chrono;
  const sys_days days{floor<std::chrono::days>(sys_seconds{seconds{t.seconds}}.time_since_epoch())};
  const year_month_day ymd{days};
  const int64_t secs_of_day = t.seconds - int64_t{days.time_since_epoch().count()} * 86400;
  return fmt::format("{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}{}{}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), iso ? "T" : " ",
                     secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60,
                     fraction(t.microseconds, t.precision), iso ? "Z" : "");
}

void append_number(std::string& out, double d, bool single) {
  if (!std::isfinite(d)) {
    append_json_string(out, std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
    return;
  }
  char buf[64];
  auto res = single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d))
                    : std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, res.ptr);
}

const char* diff_operation_name(JsonDiffOperation op) {
  switch (op) {
    case JsonDiffOperation::kReplace:
      return "replace";
    case JsonDiffOperation::kInsert:
      return "insert";
    case JsonDiffOperation::kRemove:
      return "remove";
  }
  return "?";
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

void append_json_int(std::string& out, const IntValue& v) {
  char buf[24];
  const auto res = v.is_unsigned.value_or(false) ? std::to_chars(buf, buf + sizeof buf, v.unsigned_value)
                                                 : std::to_chars(buf, buf + sizeof buf, v.signed_value);
  out.append(buf, res.ptr);
}

void append_json_bytes(std::string& out, Bytes bytes) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (is_plain_json_ascii(text)) {  // as append_json_string writes it, without scanning it again
    out += '"';
    out += text;
    out += '"';
    return;
  }
  if (is_valid_utf8(text)) {
    append_json_string(out, text);
    return;
  }
  out += "{\"base64\":\"";
  append_base64(out, bytes);
  out += "\"}";
}

void append_json(const ColumnValue& value, std::string& out) {
  std::visit(Overloaded{
                 [&](const NullValue&) { out += "null"; },
                 [&](const IntValue& v) { append_json_int(out, v); },
                 [&](const FloatValue& v) { append_number(out, v.value, v.single); },
                 [&](const DecimalValue& v) { append_json_string(out, v.text); },
                 [&](const StringValue& v) { append_json_bytes(out, v.bytes); },
                 [&](const DateValue& v) {
                   append_json_string(out, fmt::format("{:04}-{:02}-{:02}", v.year, v.month, v.day));
                 },
                 [&](const TimeValue& v) { append_json_string(out, time_text(v)); },
                 [&](const DateTimeValue& v) { append_json_string(out, datetime_text(v)); },
                 [&](const TimestampValue& v) { append_json_string(out, timestamp_text(v, true)); },
                 [&](const YearValue& v) { out += std::to_string(v.year); },
                 [&](const BitValue& v) {
                   if (v.bytes.size() <= 8) {
                     out += std::to_string(v.as_uint());
                   } else {
                     append_json_bytes(out, v.bytes);
                   }
                 },
                 [&](const EnumValue& v) {
                   if (v.name) {
                     append_json_string(out, *v.name);
                   } else {
                     out += std::to_string(v.index);
                   }
                 },
                 [&](const SetValue& v) {
                   if (!v.names) {
                     out += std::to_string(v.bits);
                     return;
                   }
                   out += '[';
                   for (size_t i = 0; i < v.names->size(); ++i) {
                     if (i) out += ',';
                     append_json_string(out, (*v.names)[i]);
                   }
                   out += ']';
                 },
                 [&](const JsonValue& v) { out += v.text; },
                 [&](const JsonDiffValue& v) {
                   out += '[';
                   for (size_t i = 0; i < v.diffs.size(); ++i) {
                     if (i) out += ',';
                     out += "{\"op\":";
                     append_json_string(out, diff_operation_name(v.diffs[i].operation));
                     out += ",\"path\":";
                     append_json_string(out, v.diffs[i].path);
                     if (v.diffs[i].value) out += ",\"value\":" + *v.diffs[i].value;
                     out += '}';
                   }
                   out += ']';
                 },
                 [&](const GeometryValue& v) {
                   out += fmt::format("{{\"srid\":{},\"wkb\":\"", v.srid);
                   append_base64(out, v.wkb);
                   out += "\"}";
                 },
                 [&](const VectorValue& v) {
                   out += '[';
                   for (size_t i = 0; i < v.values.size(); ++i) {
                     if (i) out += ',';
                     append_number(out, v.values[i], true);
                   }
                   out += ']';
                 },
             },
             value);
}

std::string to_display_string(const ColumnValue& value) {
  return std::visit(
      Overloaded{
          [](const NullValue&) -> std::string { return "NULL"; },
          [](const StringValue& v) -> std::string {
            std::string s = "'";
            for (uint8_t c : v.bytes) {
              if (c == '\'' || c == '\\') {
                s += '\\';
                s += static_cast<char>(c);
              } else if (c < 0x20 || c == 0x7f) {
                s += fmt::format("\\x{:02x}", c);
              } else {
                s += static_cast<char>(c);
              }
            }
            return s + "'";
          },
          [](const TimestampValue& v) -> std::string { return "'" + timestamp_text(v, false) + "'"; },
          [](const BitValue& v) -> std::string {
            std::string s = "b'";
            for (uint32_t i = v.bits; i-- > 0;) {
              const size_t byte = v.bytes.size() - 1 - i / 8;
              s += (v.bytes[byte] >> (i % 8)) & 1 ? '1' : '0';
            }
            return s + "'";
          },
          [](const DecimalValue& v) -> std::string { return v.text; },
          [](const auto& v) -> std::string {
            std::string out;
            append_json(ColumnValue(v), out);
            return out;
          },
      },
      value);
}

}  // namespace mzl::codec
