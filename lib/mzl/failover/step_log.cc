#include "mzl/failover/step_log.h"

#include <fmt/format.h>

namespace mzl::failover {

int64_t StepLog::elapsed_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_)
      .count();
}

Status StepLog::run(std::string what, std::string server, const std::function<Status()>& action) {
  const auto begin = std::chrono::steady_clock::now();
  repo::FailoverStep step;
  step.at_ms = elapsed_ms();
  Status done = action();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
  step.ms = static_cast<int64_t>(ms);
  step.what = std::move(what);
  step.server = std::move(server);
  step.ok = done.ok();
  if (!done.ok()) step.error = done.error().to_string();
  if (sink_) {
    sink_(fmt::format("{}{}{} ({:.1f} ms){}", step.server, step.server.empty() ? "" : ": ", step.what, ms,
                      step.ok ? "" : ": FAILED: " + step.error));
  }
  record_.steps.push_back(std::move(step));
  return done;
}

void StepLog::note(std::string what, std::string server, const std::string& error) {
  repo::FailoverStep step;
  step.at_ms = elapsed_ms();
  step.what = std::move(what);
  step.server = std::move(server);
  step.ok = error.empty();
  step.error = error;
  if (sink_) {
    sink_(fmt::format("{}{}{}{}", step.server, step.server.empty() ? "" : ": ", step.what,
                      error.empty() ? "" : ": " + error));
  }
  record_.steps.push_back(std::move(step));
}

}  // namespace mzl::failover
