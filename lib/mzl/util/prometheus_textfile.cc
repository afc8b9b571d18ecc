#include "mzl/util/prometheus_textfile.h"

#include <cstdint>
#include <span>

#include "mzl/util/durable_file.h"

namespace mzl {

void PrometheusTextfile::family(std::string_view name, std::string_view type, std::string_view help) {
  text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

Status PrometheusTextfile::write(const std::string& path) const {
  return atomic_write_file(path, std::span(reinterpret_cast<const uint8_t*>(text_.data()), text_.size()));
}

std::string prometheus_label(std::string_view name, std::string_view value) {
  std::string out = fmt::format("{{{}=\"", name);
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\"}";
  return out;
}

}  // namespace mzl
