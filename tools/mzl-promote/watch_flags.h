#pragma once
// mzl-promote --watch's flags (man/mzl-promote.1, WATCHING): added to the app, then turned into
// watch::WatchOptions once the failover's own options are known.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "mzl/util/result.h"
#include "mzl/watch/watcher.h"

namespace mzl::tool {

struct WatchFlags {
  bool watch = false;
  std::string interval = "1s", cooldown = "10m", lag_average_window = "1m", lag_p99_window = "5m";
  std::string lease_ttl = "10s";
  watch::WatchOptions options;

  void add_to(CLI::App& app);
  // Parses the durations into `options` (kInvalidArgument naming the flag). Without --watch, a watch flag
  // given (on the command line or in an option file) is a usage error.
  Status finish();

 private:
  std::vector<CLI::Option*> watch_only_;
};

}  // namespace mzl::tool
