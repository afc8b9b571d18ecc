#include "mzl/watch/watch_events.h"

#include <fmt/format.h>

#include "mzl/repo/failover_record.h"
#include "mzl/util/json.h"
#include "mzl/util/shell_command.h"

namespace mzl::watch {

const char* json_name(EventState state) {
  switch (state) {
    case EventState::kFiring:
      return "firing";
    case EventState::kCleared:
      return "cleared";
    case EventState::kInfo:
      return "info";
  }
  return "?";
}

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string seconds_text(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : std::string();
}

}  // namespace

std::string format_event(const WatchEvent& event, std::chrono::system_clock::time_point at, bool json) {
  const std::string time = repo::utc_time_text(at);
  if (!json) {
    return fmt::format("{} {} {}{}{}: {}\n", time, event.kind, json_name(event.state),
                       event.target.empty() ? "" : " ", event.target, event.message);
  }
  const auto number = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.6f}", *v) : std::string("null");
  };
  return fmt::format(
      "{{\"time\":{},\"kind\":{},\"state\":{},\"target\":{},\"value\":{},\"threshold\":{},\"message\":{}}}\n",
      quoted(time), quoted(event.kind), quoted(json_name(event.state)), quoted(event.target),
      number(event.value), number(event.threshold), quoted(event.message));
}

EventSink::EventSink(bool json, Commands commands, std::function<void(std::string_view)> write,
                     std::function<void(std::string_view)> log)
    : json_(json), commands_(std::move(commands)), write_(std::move(write)), log_(std::move(log)) {}

EventSink::~EventSink() {
  std::vector<Running> running;
  {
    std::lock_guard lock(mutex_);
    running.swap(running_);
  }
  for (Running& r : running) r.thread.join();
}

void EventSink::reap_finished() {
  std::lock_guard lock(mutex_);
  for (auto it = running_.begin(); it != running_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
}

void EventSink::report(const WatchEvent& event, bool command) {
  reap_finished();
  write_(format_event(event, std::chrono::system_clock::now(), json_));
  if (!command) return;
  const bool diagnosis = event.kind == "lag_p99" && event.state == EventState::kFiring;
  const std::string& chosen = diagnosis ? commands_.diagnose : commands_.alert;
  if (!chosen.empty()) run_in_background(chosen, event);
}

void EventSink::run_in_background(std::string command, const WatchEvent& event) {
  Environment env{{"MZL_ALERT_KIND", event.kind},
                  {"MZL_ALERT_STATE", json_name(event.state)},
                  {"MZL_ALERT_TARGET", event.target},
                  {"MZL_ALERT_VALUE", seconds_text(event.value)},
                  {"MZL_ALERT_THRESHOLD", seconds_text(event.threshold)},
                  {"MZL_ALERT_MESSAGE", event.message}};
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::lock_guard lock(mutex_);
  running_.push_back({std::thread([this, done, command = std::move(command), env = std::move(env)] {
                        if (Status s = run_shell_command(command, env, commands_.timeout); !s.ok() && log_) {
                          log_(fmt::format("alert command: {}", s.error().to_string()));
                        }
                        done->store(true);
                      }),
                      done});
}

}  // namespace mzl::watch
