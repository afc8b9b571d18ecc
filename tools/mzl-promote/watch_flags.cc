#include "watch_flags.h"

#include <fmt/format.h>

#include "mzl/util/parse_number.h"

namespace mzl::tool {

void WatchFlags::add_to(CLI::App& app) {
  auto* w =
      app.add_flag("--watch", watch,
                   "Watch the topology every --interval: alerts, lag, and with --auto-failover a failover");
  w->group("Watching (--watch)");
  // Not CLI11's needs(): --watch may come from an option file, read after the command line is parsed.
  const auto watch_only = [&](CLI::Option* o) {
    o->group("Watching (--watch)");
    watch_only_.push_back(o);
  };
  watch_only(app.add_option("--interval", interval, "Time between checks (1s; units ms, s, m, h)"));
  watch_only(
      app.add_option("--failcount", options.failcount,
                     "Failed checks in a row, confirmed by the replicas, before the primary is lost (5)"));
  watch_only(app.add_flag("--auto-failover", options.auto_failover,
                          "Fail over when the primary is lost (without it: alert only)"));
  watch_only(app.add_option("--cooldown", cooldown, "Never fail over twice within this time (10m)"));
  watch_only(app.add_option("--heartbeat-table", options.heartbeat_table,
                            "Table the heartbeat is written to on the primary (mzl.heartbeat; \"\": none)"));
  watch_only(app.add_option("--lag-average-threshold", options.lag.average_threshold,
                            "Seconds the average lag may reach before the alert (5)"));
  watch_only(app.add_option("--lag-average-window", lag_average_window, "Window of the average (1m)"));
  watch_only(app.add_option("--lag-average-periods", options.lag.average_periods,
                            "Checks in a row the average must be above before the alert (3)"));
  watch_only(app.add_option("--lag-p99-threshold", options.lag.p99_threshold,
                            "Seconds the p99 lag may reach before --diagnose-command runs (15)"));
  watch_only(app.add_option("--lag-p99-window", lag_p99_window, "Window of the p99 (5m)"));
  watch_only(app.add_option("--alert-command", options.alert_command,
                            "Command run for every alert and its clearing (MZL_ALERT_* in its environment)"));
  watch_only(app.add_option("--diagnose-command", options.diagnose_command,
                            "Command run when the p99 lag rule fires"));
  watch_only(app.add_option("--metrics-file", options.metrics_file,
                            "Prometheus textfile rewritten after every check"));
  watch_only(app.add_option("--lease", options.lease,
                            "etcd://HOST:PORT/KEY: watchers elect one actor; only it fails over"));
  watch_only(app.add_option("--lease-ttl", lease_ttl, "The lease's time to live (10s)"));
  watch_only(app.add_option("--watcher-name", options.name, "This watcher's name in the lease (host:pid)"));
  watch_only(app.add_option("--max-checks", options.max_checks, "Stop after this many checks (0: never)"));
}

Status WatchFlags::finish() {
  if (!watch) {
    for (const CLI::Option* o : watch_only_) {
      if (o->count() > 0) {
        return Error(ErrorCode::kInvalidArgument, fmt::format("{} is for --watch", o->get_name()));
      }
    }
    return ok_status();
  }
  const auto duration = [](const std::string& text, const char* flag) -> Result<std::chrono::milliseconds> {
    auto d = parse_duration(text, flag);
    if (!d.ok()) return Error(ErrorCode::kInvalidArgument, d.error().message);
    return *d;
  };
  MZL_TRY(options.interval, duration(interval, "--interval"));
  MZL_TRY(options.cooldown, duration(cooldown, "--cooldown"));
  MZL_TRY(const auto average_window, duration(lag_average_window, "--lag-average-window"));
  MZL_TRY(const auto p99_window, duration(lag_p99_window, "--lag-p99-window"));
  MZL_TRY(const auto ttl, duration(lease_ttl, "--lease-ttl"));
  options.lag.average_window = std::chrono::duration_cast<std::chrono::seconds>(average_window);
  options.lag.p99_window = std::chrono::duration_cast<std::chrono::seconds>(p99_window);
  options.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
  if (options.lease_ttl.count() < 1) {
    return Error(ErrorCode::kInvalidArgument, "--lease-ttl must be at least 1s (etcd counts whole seconds)");
  }
  return ok_status();
}

}  // namespace mzl::tool
