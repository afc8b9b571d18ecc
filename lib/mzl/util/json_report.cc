#include "mzl/util/json_report.h"

#include <span>

#include "mzl/util/base64.h"

namespace mzl {
namespace {

std::string base64_of(std::string_view bytes) {
  std::string encoded;
  append_base64(encoded,
                std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  return encoded;
}

std::string base64_key(std::string_view key) {
  std::string k(key);
  k += "_base64";
  return k;
}

}  // namespace

void JsonFieldWriter::text(std::string_view key, std::string_view value, bool /*required*/) {
  if (is_valid_utf8(value)) {
    w_.plain_key(key);
    w_.value(value);
    return;
  }
  w_.plain_key(base64_key(key));
  w_.value(base64_of(value));
}

void JsonFieldWriter::text(std::string_view key, const std::vector<std::string>& values) {
  bool utf8 = true;
  for (const auto& v : values) utf8 = utf8 && is_valid_utf8(v);
  w_.plain_key(utf8 ? std::string(key) : base64_key(key));
  w_.begin_array();
  for (const auto& v : values) w_.value(utf8 ? std::string(v) : base64_of(v));
  w_.end_array();
}

std::string commas_before_line_breaks(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '\n') {
      size_t j = i + 1;
      while (j < json.size() && json[j] == ' ') ++j;
      if (j < json.size() && json[j] == ',') {
        out += ',';
        out.append(json, i, j - i);
        i = j;
        continue;
      }
    }
    out += json[i];
  }
  return out;
}

}  // namespace mzl
