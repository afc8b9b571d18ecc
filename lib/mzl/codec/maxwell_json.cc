#include "mzl/codec/maxwell_json.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include "mzl/codec/column_type.h"
#include "mzl/codec/column_value.h"
#include "mzl/codec/column_value_render.h"
#include "mzl/codec/geometry_wkt.h"
#include "mzl/util/base64.h"
#include "mzl/util/json.h"

namespace mzl::codec {

namespace {

bool in(uint32_t v, uint32_t lo, uint32_t hi) {
  return v >= lo && v <= hi;
}

bool is_integer_type(uint8_t t) {
  using T = ColumnType;
  return t == code(T::kTiny) || t == code(T::kShort) || t == code(T::kInt24) || t == code(T::kLong) ||
         t == code(T::kLongLong);
}

bool is_string_type(uint8_t t) {
  using T = ColumnType;
  return t == code(T::kString) || t == code(T::kVarchar) || t == code(T::kVarString) ||
         (t >= code(T::kTinyBlob) && t <= code(T::kBlob)) || t == code(T::kMariaBlobCompressed) ||
         t == code(T::kMariaVarcharCompressed);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Java's windows-1252 decoder for 0x80-0x9F (the five bytes the code page leaves undefined become U+FFFD,
// as new String(bytes, "windows-1252") makes them); the other bytes are their Latin-1 code points.
constexpr uint16_t kWindows1252High[32] = {0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                           0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                                           0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                           0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

// UTF-8 with every byte that does not start a well-formed sequence replaced by U+FFFD, as Java's decoder
// does.
std::string utf8_replacing_invalid(Bytes b) {
  std::string out;
  for (size_t i = 0; i < b.size();) {
    const uint8_t c = b[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    std::string_view seq(reinterpret_cast<const char*>(b.data() + i), std::min(n, b.size() - i));
    if (n == 0 || seq.size() < n || !is_valid_utf8(seq)) {
      append_utf8(out, 0xFFFD);
      ++i;
      continue;
    }
    out += seq;
    i += n;
  }
  return out;
}

std::string decode_text(Bytes b, MaxwellText text) {
  std::string out;
  switch (text) {
    case MaxwellText::kUtf8: {
      std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
      return is_valid_utf8(s) ? std::string(s) : utf8_replacing_invalid(b);
    }
    case MaxwellText::kWindows1252:
      for (uint8_t c : b) append_utf8(out, c >= 0x80 && c < 0xA0 ? kWindows1252High[c - 0x80] : c);
      return out;
    case MaxwellText::kUtf16Be:
    case MaxwellText::kUtf16Le: {
      const bool be = text == MaxwellText::kUtf16Be;
      auto unit = [&](size_t i) -> uint32_t { return be ? (b[i] << 8) | b[i + 1] : (b[i + 1] << 8) | b[i]; };
      for (size_t i = 0; i + 1 < b.size(); i += 2) {
        uint32_t u = unit(i);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < b.size() && unit(i + 2) >= 0xDC00 &&
            unit(i + 2) <= 0xDFFF) {
          u = 0x10000 + ((u - 0xD800) << 10) + (unit(i + 2) - 0xDC00);
          i += 2;
        }
        append_utf8(out, u);
      }
      if (b.size() % 2) append_utf8(out, 0xFFFD);
      return out;
    }
    case MaxwellText::kUtf32Be:
      for (size_t i = 0; i + 3 < b.size(); i += 4)
        append_utf8(out, (uint32_t{b[i]} << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
      if (b.size() % 4) append_utf8(out, 0xFFFD);
      return out;
    case MaxwellText::kBase64:
    case MaxwellText::kNotText:
      break;
  }
  return out;
}

void append_text(std::string& out, Bytes b, MaxwellText text) {
  if (text == MaxwellText::kBase64) {
    out += '"';
    append_base64(out, b);
    out += '"';
  } else {
    append_json_string(out, decode_text(b, text));
  }
}

std::string fraction(uint32_t microseconds, uint8_t precision) {
  if (precision == 0) return {};
  return "." + fmt::format("{:06}", microseconds).substr(0, std::min<size_t>(precision, 6));
}

std::string zero_datetime(uint8_t precision) {
  return "0000-00-00 00:00:00" + fraction(0, precision);
}

// JSON as Maxwell's reader writes it: MySQL's text without the blanks outside strings.
void append_compact_json(std::string& out, const std::string& json) {
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      in_string = escaped || c != '"';
      escaped = !escaped && c == '\\';
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      continue;
    } else {
      in_string = c == '"';
    }
    out += c;
  }
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Status append_value(std::string& out, const ColumnValue& value, MaxwellText text, const std::string& column) {
  auto unsupported = [&](std::string_view what) {
    return Error(ErrorCode::kUnsupported, fmt::format("column `{}`: {}", column, what));
  };
  return std::visit(
      Overloaded{
          [&](const NullValue&) -> Status { return out += "null", ok_status(); },
          [&](const IntValue& v) -> Status { return append_json_int(out, v), ok_status(); },
          [&](const FloatValue& v) -> Status {
            if (std::isfinite(v.value)) {
              out += java_float_text(v.value, v.single);
            } else {  // Jackson quotes non-finite numbers (QUOTE_NON_NUMERIC_NUMBERS)
              append_json_string(out, std::isnan(v.value) ? "NaN" : v.value > 0 ? "Infinity" : "-Infinity");
            }
            return ok_status();
          },
          [&](const DecimalValue& v) -> Status { return out += java_decimal_text(v.text), ok_status(); },
          [&](const StringValue& v) -> Status { return append_text(out, v.bytes, text), ok_status(); },
          [&](const DateValue& v) -> Status {
            append_json_string(out, v.year == 0 || v.month == 0 || v.day == 0
                                        ? std::string("0000-00-00")
                                        : fmt::format("{:04}-{:02}-{:02}", v.year, v.month, v.day));
            return ok_status();
          },
          [&](const TimeValue& v) -> Status {
            append_json_string(out, fmt::format("{}{:02}:{:02}:{:02}{}", v.negative ? "-" : "", v.hours,
                                                v.minutes, v.seconds, fraction(v.microseconds, v.precision)));
            return ok_status();
          },
          [&](const DateTimeValue& v) -> Status {
            append_json_string(
                out, v.year == 0 || v.month == 0 || v.day == 0
                         ? zero_datetime(v.precision)
                         : fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}", v.year, v.month, v.day,
                                       v.hour, v.minute, v.second, fraction(v.microseconds, v.precision)));
            return ok_status();
          },
          [&](const TimestampValue& v) -> Status {
            if (v.seconds == 0 && v.microseconds == 0) {
              append_json_string(out, zero_datetime(v.precision));
              return ok_status();
            }
            using namespace std::chrono;
            const sys_seconds at{seconds{v.seconds}};
            const sys_days day = floor<days>(at);
            const year_month_day ymd{day};
            const hh_mm_ss hms{at - day};
            append_json_string(
                out, fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}", static_cast<int>(ymd.year()),
                                 static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                                 hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                                 fraction(v.microseconds, v.precision)));
            return ok_status();
          },
          [&](const YearValue& v) -> Status {
            return out += std::to_string(v.year == 0 ? 1900 : v.year), ok_status();
          },
          [&](const BitValue& v) -> Status { return out += std::to_string(v.as_uint()), ok_status(); },
          [&](const EnumValue& v) -> Status {
            if (v.index == 0) return out += "null", ok_status();
            if (!v.name)
              return Error(ErrorCode::kCorrupt,
                           fmt::format("column `{}`: ENUM index {} is past its names", column, v.index));
            return append_json_string(out, *v.name), ok_status();
          },
          [&](const SetValue& v) -> Status {
            out += '[';
            for (size_t i = 0; v.names && i < v.names->size(); ++i) {
              if (i) out += ',';
              append_json_string(out, (*v.names)[i]);
            }
            out += ']';
            return ok_status();
          },
          [&](const JsonValue& v) -> Status { return append_compact_json(out, v.text), ok_status(); },
          [&](const JsonDiffValue&) -> Status {
            return unsupported(
                "a partial JSON update (binlog_row_value_options=PARTIAL_JSON) has no full "
                "value for Maxwell's format");
          },
          [&](const GeometryValue& v) -> Status {
            std::string wkt;
            if (Status s = append_wkt(wkt, v.wkb); !s.ok()) return std::move(s).error().at_r(column);
            append_json_string(out, wkt);
            return ok_status();
          },
          [&](const VectorValue&) -> Status { return unsupported("Maxwell's format has no VECTOR type"); },
      },
      value);
}

// Renders the present columns of `row` into `texts` (per column; nullopt when absent from the image).
Status render_image(const Row& row, const MaxwellTablePlan& plan, const TableMapEvent& table,
                    std::vector<std::optional<std::string>>& texts) {
  texts.assign(row.size(), std::nullopt);
  for (size_t i = 0; i < row.size(); ++i) {
    if (!row[i]) continue;
    MZL_CHECK(append_value(texts[i].emplace(), *row[i], plan.texts[i], table.optional.column_names[i]));
  }
  return ok_status();
}

}  // namespace

std::optional<MaxwellText> maxwell_text_of_collation(uint32_t c) {
  // Collation ids by character set: MariaDB 10.11's information_schema.COLLATIONS and its uca1400 ranges
  // (2048 + 256 per set), MySQL 8's utf8mb3_tolower_ci (76) and utf8mb4_*_0900_* (255-323).
  if (c == 63) return MaxwellText::kBase64;
  if (c == 33 || c == 76 || c == 83 || in(c, 192, 215) || c == 223 || in(c, 576, 578) || c == 1057 ||
      c == 1107 || c == 1216 || c == 1238 || in(c, 2048, 2303))
    return MaxwellText::kUtf8;  // utf8mb3
  if (c == 45 || c == 46 || in(c, 224, 247) || in(c, 255, 323) || in(c, 608, 610) || c == 1069 || c == 1070 ||
      c == 1248 || c == 1270 || in(c, 2304, 2559))
    return MaxwellText::kUtf8;  // utf8mb4
  if (c == 5 || c == 8 || c == 15 || c == 31 || in(c, 47, 49) || c == 94 || c == 1032 || c == 1071 ||
      c == 11 || c == 65 || c == 1035 || c == 1089)
    return MaxwellText::kWindows1252;  // latin1, ascii (Maxwell reads both as windows-1252)
  if (c == 35 || c == 90 || in(c, 128, 151) || c == 159 || in(c, 640, 642) || c == 1059 || c == 1114 ||
      c == 1152 || c == 1174 || in(c, 2560, 2815) || c == 54 || c == 55 || in(c, 101, 124) ||
      in(c, 672, 674) || c == 1078 || c == 1079 || c == 1125 || c == 1147 || in(c, 2816, 3071))
    return MaxwellText::kUtf16Be;  // ucs2, utf16
  if (c == 56 || c == 62 || c == 1080 || c == 1086) return MaxwellText::kUtf16Le;
  if (c == 60 || c == 61 || in(c, 160, 183) || in(c, 736, 738) || c == 1084 || c == 1085 || c == 1184 ||
      c == 1206 || in(c, 3072, 3327))
    return MaxwellText::kUtf32Be;
  return std::nullopt;
}

std::string java_float_text(double value, bool single) {
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // The shortest digits that read back as the value (what Java 19+ prints), then Java's layout.
  char buf[64];
  const auto res =
      single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(value), std::chars_format::scientific)
             : std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // "-1.2345e+02"
  const size_t e = sci.find('e');
  const bool negative = sci[0] == '-';
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c >= '0' && c <= '9') digits += c;
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  std::string out = negative ? "-" : "";
  if (exponent >= -3 && exponent < 7) {  // 1e-3 <= |v| < 1e7: plain, at least one fraction digit
    if (exponent < 0) {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    } else {
      if (digits.size() < static_cast<size_t>(exponent) + 2)
        digits.resize(static_cast<size_t>(exponent) + 2, '0');
      out += digits.substr(0, static_cast<size_t>(exponent) + 1) + "." +
             digits.substr(static_cast<size_t>(exponent) + 1);
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0");
  return out + "E" + std::to_string(exponent);
}

std::string java_decimal_text(const std::string& text) {
  // BigDecimal.toString: plain unless the adjusted exponent (-scale + digits of the unscaled value - 1) is
  // below -6, then scientific with the unscaled digits.
  const bool negative = !text.empty() && text[0] == '-';
  const size_t dot = text.find('.');
  const size_t scale = dot == std::string::npos ? 0 : text.size() - dot - 1;
  std::string unscaled;
  for (char c : text)
    if (c >= '0' && c <= '9') unscaled += c;
  const size_t first = unscaled.find_first_not_of('0');
  unscaled = first == std::string::npos ? "0" : unscaled.substr(first);
  const bool zero = unscaled == "0";
  const int64_t adjusted = static_cast<int64_t>(unscaled.size()) - 1 - static_cast<int64_t>(scale);
  if (adjusted >= -6) return negative && zero ? text.substr(1) : text;
  std::string out = negative && !zero ? "-" : "";
  out += unscaled.substr(0, 1);
  if (unscaled.size() > 1) out += "." + unscaled.substr(1);
  return out + "E" + std::to_string(adjusted);
}

Result<MaxwellTablePlan> maxwell_table_plan(const TableMapEvent& table) {
  const std::string where = fmt::format("`{}`.`{}`", table.database, table.table);
  const auto missing = [&](std::string what) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("Maxwell's format needs {} (the server logs it with binlog_row_metadata=FULL; "
                             "otherwise it must come from a schema history)",
                             what))
        .at_r(where);
  };
  if (table.optional.column_names.size() != table.column_count())
    return missing(fmt::format("the names of the table's {} columns; the table map has {}",
                               table.column_count(), table.optional.column_names.size()));
  MaxwellTablePlan plan;
  plan.decode = row_decode_plan(table);
  JsonWriter w(plan.head);
  w.begin_object();
  w.field("database", table.database);
  w.field("table", table.table);
  for (size_t i = 0; i < table.column_count(); ++i) {
    const ColumnInfo& c = plan.decode.columns[i];
    const std::string& name = table.optional.column_names[i];
    std::string key;
    append_json_string(key, name);
    plan.keys.push_back(key + ':');
    MaxwellText text = MaxwellText::kNotText;
    if (is_integer_type(c.real_type) && !c.is_unsigned) {
      return missing(fmt::format("whether column `{}` is UNSIGNED", name));
    } else if (is_enum_or_set_type(c.real_type) && c.enum_or_set_names == nullptr) {
      return missing(fmt::format("the member names of column `{}`", name));
    } else if (is_string_type(c.real_type)) {
      if (!c.charset) return missing(fmt::format("the collation of column `{}`", name));
      const auto known = maxwell_text_of_collation(*c.charset);
      if (!known)
        return Error(ErrorCode::kUnsupported,
                     fmt::format("column `{}` has collation {}, whose character set Maxwell's format is not "
                                 "written for here (utf8mb3, utf8mb4, latin1, ascii, ucs2, utf16, utf16le, "
                                 "utf32, binary)",
                                 name, *c.charset))
            .at_r(where);
      text = *known;
    }
    plan.texts.push_back(text);
  }
  return plan;
}

Status append_maxwell_rows(std::string& out, const RowsEvent& rows, const TableMapEvent& table,
                           const MaxwellTablePlan& plan, uint32_t timestamp,
                           bool last_rows_event_of_transaction, MaxwellTransaction& tx) {
  MZL_TRY(const std::vector<RowChange> changes, decode_row_changes(rows, table, plan.decode));
  const char* type = rows.kind() == RowsKind::kWrite    ? "insert"
                     : rows.kind() == RowsKind::kDelete ? "delete"
                                                        : "update";
  const size_t start = out.size();
  uint64_t xoffset = tx.xoffset;
  std::vector<std::optional<std::string>> data, before;
  for (size_t r = 0; r < changes.size(); ++r) {
    const RowChange& change = changes[r];
    const bool has_after = change.after.has_value();
    Status rendered = render_image(has_after ? *change.after : *change.before, plan, table, data);
    if (rendered.ok() && has_after && change.before)
      rendered = render_image(*change.before, plan, table, before);
    if (!rendered.ok()) {
      out.resize(start);
      return std::move(rendered).error().at_r(plan.decode.where);
    }
    const bool commit = last_rows_event_of_transaction && r + 1 == changes.size();
    out += plan.head;
    out += fmt::format(",\"type\":\"{}\",\"ts\":{}", type, timestamp);
    if (tx.xid) out += fmt::format(",\"xid\":{}", *tx.xid);
    if (tx.output_xoffset && !commit) out += fmt::format(",\"xoffset\":{}", xoffset);
    ++xoffset;
    if (commit) out += ",\"commit\":true";
    out += ",\"data\":{";
    bool first = true;
    auto put = [&](size_t column, const std::string& text) {
      if (!first) out += ',';
      first = false;
      out += plan.keys[column];
      out += text;
    };
    for (size_t i = 0; i < data.size(); ++i)
      if (data[i]) put(i, *data[i]);
    if (has_after && change.before) {
      // A column only the before image has (binlog_row_image=MINIMAL) belongs to the row, not to "old".
      for (size_t i = 0; i < before.size(); ++i)
        if (before[i] && (i >= data.size() || !data[i])) put(i, *before[i]);
      out += '}';
      first = true;
      for (size_t i = 0; i < before.size(); ++i) {
        if (!before[i] || i >= data.size() || !data[i] || *before[i] == *data[i]) continue;
        out += first ? ",\"old\":{" : "";
        put(i, *before[i]);
      }
      if (!first) out += '}';
    } else {
      out += '}';
    }
    out += "}\n";
  }
  tx.xoffset = xoffset;
  return ok_status();
}

Status append_maxwell_rows(std::string& out, const RowsEvent& rows, const TableMapEvent& table,
                           uint32_t timestamp, bool last_rows_event_of_transaction, MaxwellTransaction& tx) {
  MZL_TRY(const MaxwellTablePlan plan, maxwell_table_plan(table));
  return append_maxwell_rows(out, rows, table, plan, timestamp, last_rows_event_of_transaction, tx);
}

}  // namespace mzl::codec
