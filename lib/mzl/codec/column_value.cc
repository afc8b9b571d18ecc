#include "mzl/codec/column_value.h"

#include <cstring>

#include <zlib.h>

#include <fmt/format.h>

#include "mzl/codec/column_type.h"

namespace mzl::codec {

namespace {

constexpr int kDigitsPerGroup = 9;
constexpr uint8_t kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

Error corrupt(std::string what) {
  return Error{ErrorCode::kCorrupt, std::move(what)};
}

Result<std::vector<uint8_t>> read_bytes(ByteReader& in, uint64_t len, const char* what) {
  if (!in.has(len)) return corrupt(fmt::format("{} of {} bytes runs past the row image", what, len));
  Bytes b = in.bytes(len);
  return std::vector<uint8_t>(b.begin(), b.end());
}

// Reads the fraction of TIME2/DATETIME2/TIMESTAMP2 (fsp digits in (fsp+1)/2 big-endian bytes) as a signed
// count of the unit the server stores, scaled to microseconds.
int64_t read_fraction(ByteReader& in, uint8_t fsp, bool is_signed) {
  switch (fsp) {
    case 1:
    case 2:
      return (is_signed ? in.int_be(1) : static_cast<int64_t>(in.uint_be(1))) * 10000;
    case 3:
    case 4:
      return (is_signed ? in.int_be(2) : static_cast<int64_t>(in.uint_be(2))) * 100;
    case 5:
    case 6:
      return is_signed ? in.int_be(3) : static_cast<int64_t>(in.uint_be(3));
    default:
      return 0;
  }
}

Result<ColumnValue> decode_time2(ByteReader& in, uint8_t fsp) {
  constexpr int64_t kIntOffset = 0x800000;
  constexpr int64_t kOffset = 0x800000000000;
  int64_t packed;
  if (fsp >= 5) {
    packed = static_cast<int64_t>(in.uint_be(6)) - kOffset;
  } else {
    int64_t intpart = static_cast<int64_t>(in.uint_be(3)) - kIntOffset;
    int64_t frac = 0;
    if (fsp >= 1) {
      const size_t n = fsp <= 2 ? 1 : 2;
      frac = static_cast<int64_t>(in.uint_be(n));
      if (intpart < 0 && frac != 0) {
        ++intpart;
        frac -= int64_t{1} << (8 * n);
      }
      frac *= fsp <= 2 ? 10000 : 100;
    }
    packed = intpart * (int64_t{1} << 24) + frac;
  }
  if (!in.ok()) return corrupt("TIME2 value runs past the row image");
  TimeValue t;
  t.negative = packed < 0;
  const uint64_t v = t.negative ? uint64_t(0) - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
  const uint64_t hms = v >> 24;
  t.microseconds = static_cast<uint32_t>(v % (1 << 24));
  t.hours = static_cast<uint32_t>((hms >> 12) % 1024);
  t.minutes = static_cast<uint8_t>((hms >> 6) % 64);
  t.seconds = static_cast<uint8_t>(hms % 64);
  t.precision = fsp;
  return ColumnValue(t);
}

Result<ColumnValue> decode_datetime2(ByteReader& in, uint8_t fsp) {
  const int64_t intpart = static_cast<int64_t>(in.uint_be(5)) - 0x8000000000;
  const int64_t frac = read_fraction(in, fsp, true);
  if (!in.ok()) return corrupt("DATETIME2 value runs past the row image");
  // In 128 bits: a corrupt image can make intpart * 2^24 + frac leave the int64 range.
  const __int128 packed = static_cast<__int128>(intpart) * (int64_t{1} << 24) + frac;
  const uint64_t v = static_cast<uint64_t>(packed < 0 ? -packed : packed);
  const uint64_t ymdhms = v >> 24, ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms % (1 << 17);
  DateTimeValue d;
  d.year = static_cast<uint16_t>(ym / 13);
  d.month = static_cast<uint8_t>(ym % 13);
  d.day = static_cast<uint8_t>(ymd % 32);
  d.hour = static_cast<uint8_t>(hms >> 12);
  d.minute = static_cast<uint8_t>((hms >> 6) % 64);
  d.second = static_cast<uint8_t>(hms % 64);
  d.microseconds = static_cast<uint32_t>(v % (1 << 24));
  d.precision = fsp;
  return ColumnValue(d);
}

Result<ColumnValue> decode_int(ByteReader& in, size_t width, const ColumnInfo& column) {
  IntValue v;
  v.width = static_cast<uint8_t>(width);
  v.unsigned_value = in.uint_le(width);
  if (!in.ok()) return corrupt("integer runs past the row image");
  const uint64_t sign = uint64_t{1} << (8 * width - 1);
  v.signed_value = width >= 8 ? static_cast<int64_t>(v.unsigned_value)
                              : static_cast<int64_t>((v.unsigned_value ^ sign) - sign);
  v.is_unsigned = column.is_unsigned;
  return ColumnValue(v);
}

Result<ColumnValue> decode_string(ByteReader& in, uint64_t length_bytes, const ColumnInfo& column) {
  const uint64_t len = in.uint_le(length_bytes);
  if (!in.ok()) return corrupt("string length runs past the row image");
  MZL_TRY(auto bytes, read_bytes(in, len, "string"));
  return ColumnValue(StringValue{std::move(bytes), column.charset});
}

// MariaDB sql/field_comp.cc: a stored compressed column value is a header byte (high nibble: method, 0 =
// stored as is, 8 = zlib; bit 3: raw deflate; low 3 bits: bytes of the big-endian original length), the
// original length, then the compressed data.
Result<std::vector<uint8_t>> uncompress_maria_column(const std::vector<uint8_t>& stored) {
  if (stored.empty()) return stored;
  const uint8_t header = stored[0];
  if ((header >> 4) == 0) return std::vector<uint8_t>(stored.begin() + 1, stored.end());
  if ((header >> 4) != 8)
    return Error{ErrorCode::kUnsupported, fmt::format("column compression method {}", header >> 4)};
  const size_t lenlen = header & 0x07;
  if (lenlen < 1 || lenlen > 4 || stored.size() < 1 + lenlen) return corrupt("compressed column header");
  uint64_t length = 0;
  for (size_t i = 0; i < lenlen; ++i) length = (length << 8) | stored[1 + i];
  const size_t data_size = stored.size() - 1 - lenlen;
  if (length > data_size * 1032 + 64) return corrupt("compressed column claims an impossible length");
  std::vector<uint8_t> out(length);
  z_stream z{};
  if (inflateInit2(&z, (header & 0x08) ? -MAX_WBITS : MAX_WBITS) != Z_OK) return corrupt("zlib init");
  z.next_in = const_cast<Bytef*>(stored.data() + 1 + lenlen);
  z.avail_in = static_cast<uInt>(data_size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(length);
  const int rc = inflate(&z, Z_FINISH);
  const size_t produced = length - z.avail_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != length) return corrupt("compressed column does not inflate");
  return out;
}

}  // namespace

size_t decimal_binary_size(uint8_t precision, uint8_t scale) {
  const int intg = precision - scale;
  return (intg / kDigitsPerGroup) * 4 + kDigitBytes[intg % kDigitsPerGroup] + (scale / kDigitsPerGroup) * 4 +
         kDigitBytes[scale % kDigitsPerGroup];
}

Result<std::string> decode_decimal(ByteReader& in, uint8_t precision, uint8_t scale) {
  if (precision == 0 || precision > 65 || scale > 30 || scale > precision)
    return corrupt(fmt::format("DECIMAL({},{}) is not a valid precision and scale", precision, scale));
  const size_t size = decimal_binary_size(precision, scale);
  if (!in.has(size)) return corrupt("DECIMAL value runs past the row image");
  Bytes raw = in.bytes(size);
  uint8_t buf[40];
  std::memcpy(buf, raw.data(), size);
  const bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  if (negative)
    for (size_t i = 0; i < size; ++i) buf[i] ^= 0xFF;
  ByteReader r(Bytes(buf, size));
  const int intg = precision - scale;
  std::string int_digits;
  auto group = [&](size_t bytes, int digits) -> Result<std::string> {
    const uint64_t v = r.uint_be(bytes);
    if (v >= 1000000000 || (digits < 9 && v >= [&] {
          uint64_t p = 1;
          for (int i = 0; i < digits; ++i) p *= 10;
          return p;
        }()))
      return corrupt("DECIMAL digit group out of range");
    return fmt::format("{:0{}}", v, digits);
  };
  if (intg % kDigitsPerGroup) {
    MZL_TRY(int_digits, group(kDigitBytes[intg % kDigitsPerGroup], intg % kDigitsPerGroup));
  }
  for (int i = 0; i < intg / kDigitsPerGroup; ++i) {
    MZL_TRY(std::string g, group(4, kDigitsPerGroup));
    int_digits += g;
  }
  std::string frac_digits;
  for (int i = 0; i < scale / kDigitsPerGroup; ++i) {
    MZL_TRY(std::string g, group(4, kDigitsPerGroup));
    frac_digits += g;
  }
  if (scale % kDigitsPerGroup) {
    MZL_TRY(std::string g, group(kDigitBytes[scale % kDigitsPerGroup], scale % kDigitsPerGroup));
    frac_digits += g;
  }
  const size_t first = int_digits.find_first_not_of('0');
  int_digits = first == std::string::npos ? "0" : int_digits.substr(first);
  std::string text = negative ? "-" : "";
  text += int_digits;
  if (scale > 0) text += "." + frac_digits;
  return text;
}

Result<ColumnValue> decode_column_value(ByteReader& in, const ColumnInfo& column) {
  const uint16_t meta = column.metadata;
  switch (static_cast<ColumnType>(column.real_type)) {
    case ColumnType::kTiny:
      return decode_int(in, 1, column);
    case ColumnType::kShort:
      return decode_int(in, 2, column);
    case ColumnType::kInt24:
      return decode_int(in, 3, column);
    case ColumnType::kLong:
      return decode_int(in, 4, column);
    case ColumnType::kLongLong:
      return decode_int(in, 8, column);
    case ColumnType::kFloat: {
      const uint32_t bits = in.u32le();
      if (!in.ok()) return corrupt("FLOAT runs past the row image");
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return ColumnValue(FloatValue{f, true});
    }
    case ColumnType::kDouble: {
      const uint64_t bits = in.u64le();
      if (!in.ok()) return corrupt("DOUBLE runs past the row image");
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return ColumnValue(FloatValue{d, false});
    }
    case ColumnType::kNewDecimal: {
      const auto precision = static_cast<uint8_t>(meta >> 8), scale = static_cast<uint8_t>(meta & 0xFF);
      MZL_TRY(std::string text, decode_decimal(in, precision, scale));
      return ColumnValue(DecimalValue{std::move(text), precision, scale});
    }
    case ColumnType::kNull:
      return ColumnValue(NullValue{});
    case ColumnType::kYear: {
      const uint8_t y = in.u8();
      if (!in.ok()) return corrupt("YEAR runs past the row image");
      return ColumnValue(YearValue{static_cast<uint16_t>(y == 0 ? 0 : 1900 + y)});
    }
    case ColumnType::kDate:
    case ColumnType::kNewDate: {
      const uint32_t v = in.u24le();
      if (!in.ok()) return corrupt("DATE runs past the row image");
      return ColumnValue(DateValue{static_cast<uint16_t>(v >> 9), static_cast<uint8_t>((v >> 5) & 15),
                                   static_cast<uint8_t>(v & 31)});
    }
    case ColumnType::kTime: {
      const int64_t v = in.int_le(3);
      if (!in.ok()) return corrupt("TIME runs past the row image");
      const uint64_t a = static_cast<uint64_t>(v < 0 ? -v : v);
      return ColumnValue(TimeValue{v < 0, static_cast<uint32_t>(a / 10000),
                                   static_cast<uint8_t>(a / 100 % 100), static_cast<uint8_t>(a % 100), 0, 0});
    }
    case ColumnType::kDateTime: {
      const uint64_t v = in.u64le();
      if (!in.ok()) return corrupt("DATETIME runs past the row image");
      const uint64_t date = v / 1000000, time = v % 1000000;
      return ColumnValue(
          DateTimeValue{static_cast<uint16_t>(date / 10000), static_cast<uint8_t>(date / 100 % 100),
                        static_cast<uint8_t>(date % 100), static_cast<uint8_t>(time / 10000),
                        static_cast<uint8_t>(time / 100 % 100), static_cast<uint8_t>(time % 100), 0, 0});
    }
    case ColumnType::kTimestamp: {
      const uint32_t v = in.u32le();
      if (!in.ok()) return corrupt("TIMESTAMP runs past the row image");
      return ColumnValue(TimestampValue{v, 0, 0});
    }
    case ColumnType::kTimestamp2: {
      const uint8_t fsp = static_cast<uint8_t>(meta);
      if (fsp > 6) return corrupt(fmt::format("TIMESTAMP2 precision {}", fsp));
      const uint32_t secs = static_cast<uint32_t>(in.uint_be(4));
      const int64_t frac = read_fraction(in, fsp, true);
      if (!in.ok()) return corrupt("TIMESTAMP2 runs past the row image");
      return ColumnValue(TimestampValue{secs, static_cast<uint32_t>(frac < 0 ? 0 : frac), fsp});
    }
    case ColumnType::kDateTime2: {
      if (meta > 6) return corrupt(fmt::format("DATETIME2 precision {}", meta));
      return decode_datetime2(in, static_cast<uint8_t>(meta));
    }
    case ColumnType::kTime2: {
      if (meta > 6) return corrupt(fmt::format("TIME2 precision {}", meta));
      return decode_time2(in, static_cast<uint8_t>(meta));
    }
    case ColumnType::kBit: {
      const uint32_t bits = (meta >> 8) * 8 + (meta & 0xFF);
      MZL_TRY(auto bytes, read_bytes(in, (bits + 7) / 8, "BIT"));
      return ColumnValue(BitValue{std::move(bytes), bits});
    }
    case ColumnType::kEnum: {
      const size_t n = meta & 0xFF;
      if (n < 1 || n > 2) return corrupt(fmt::format("ENUM pack length {}", n));
      const auto index = static_cast<uint32_t>(in.uint_le(n));
      if (!in.ok()) return corrupt("ENUM runs past the row image");
      EnumValue v{index, std::nullopt};
      if (column.enum_or_set_names && index >= 1 && index <= column.enum_or_set_names->size())
        v.name = (*column.enum_or_set_names)[index - 1];
      return ColumnValue(v);
    }
    case ColumnType::kSet: {
      const size_t n = meta & 0xFF;
      if (n < 1 || n > 8) return corrupt(fmt::format("SET pack length {}", n));
      SetValue v;
      v.bits = in.uint_le(n);
      if (!in.ok()) return corrupt("SET runs past the row image");
      if (column.enum_or_set_names) {
        v.names.emplace();
        for (size_t i = 0; i < column.enum_or_set_names->size() && i < 64; ++i)
          if ((v.bits >> i) & 1) v.names->push_back((*column.enum_or_set_names)[i]);
      }
      return ColumnValue(v);
    }
    case ColumnType::kString:
      return decode_string(in, string_max_length(meta) > 255 ? 2 : 1, column);
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      return decode_string(in, meta > 255 ? 2 : 1, column);
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
      if (meta < 1 || meta > 4) return corrupt(fmt::format("BLOB length size {}", meta));
      return decode_string(in, meta, column);
    case ColumnType::kMariaVarcharCompressed:
    case ColumnType::kMariaBlobCompressed: {
      const bool is_varchar = column.real_type == code(ColumnType::kMariaVarcharCompressed);
      if (!is_varchar && (meta < 1 || meta > 4)) return corrupt(fmt::format("BLOB length size {}", meta));
      MZL_TRY(ColumnValue stored, decode_string(in, is_varchar ? (meta > 255 ? 2 : 1) : meta, column));
      auto& s = std::get<StringValue>(stored);
      MZL_TRY(s.bytes, uncompress_maria_column(s.bytes));
      return stored;
    }
    case ColumnType::kJson: {
      if (meta < 1 || meta > 4) return corrupt(fmt::format("JSON length size {}", meta));
      const uint64_t len = in.uint_le(meta);
      if (!in.ok() || !in.has(len)) return corrupt("JSON value runs past the row image");
      MZL_TRY(std::string text, json_binary_to_text(in.bytes(len)));
      return ColumnValue(JsonValue{std::move(text)});
    }
    case ColumnType::kGeometry: {
      if (meta < 1 || meta > 4) return corrupt(fmt::format("GEOMETRY length size {}", meta));
      const uint64_t len = in.uint_le(meta);
      if (!in.ok() || len < 4 || !in.has(len)) return corrupt("GEOMETRY value runs past the row image");
      GeometryValue g;
      g.srid = in.u32le();
      MZL_TRY(g.wkb, read_bytes(in, len - 4, "GEOMETRY"));
      return ColumnValue(g);
    }
    case ColumnType::kVector: {
      if (meta < 1 || meta > 4) return corrupt(fmt::format("VECTOR length size {}", meta));
      const uint64_t len = in.uint_le(meta);
      if (!in.ok() || len % 4 != 0 || !in.has(len)) return corrupt("VECTOR value runs past the row image");
      VectorValue v;
      v.values.reserve(len / 4);
      for (uint64_t i = 0; i < len / 4; ++i) {
        const uint32_t bits = in.u32le();
        float f;
        std::memcpy(&f, &bits, sizeof f);
        v.values.push_back(f);
      }
      return ColumnValue(std::move(v));
    }
    default:
      return Error{ErrorCode::kUnsupported,
                   fmt::format("column type {} ({}) cannot be read from a row image", column.real_type,
                               column_type_name(column.real_type))};
  }
}

}  // namespace mzl::codec
