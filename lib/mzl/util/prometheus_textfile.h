#pragma once
// Prometheus metrics in the text exposition format, for node_exporter's textfile collector
// (https://prometheus.io/docs/instrumenting/exposition_formats/): a cron job or daemon rewrites one *.prom
// file atomically, so the collector never reads half of it.
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "mzl/util/result.h"

namespace mzl {

class PrometheusTextfile {
 public:
  // Adds the HELP and TYPE lines of a metric family; call before its samples.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // One sample: `labels` is "" or `{source="db1"}` (see label()).
  template <typename T>
  void sample(std::string_view name, std::string_view labels, T value) {
    text_ += fmt::format("{}{} {}\n", name, labels, value);
  }
  // A family with one sample.
  template <typename T>
  void metric(std::string_view name, std::string_view type, std::string_view help, std::string_view labels,
              T value) {
    family(name, type, help);
    sample(name, labels, value);
  }
  const std::string& text() const { return text_; }
  // Writes the text to `path` with atomic_write_file (durable_file.h); kIo on failure.
  Status write(const std::string& path) const;

 private:
  std::string text_;
};

// `{name="value"}` with the value escaped as the format requires (\\, \", \n).
std::string prometheus_label(std::string_view name, std::string_view value);

}  // namespace mzl
