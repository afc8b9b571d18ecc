#pragma once
// What mzl-promote --watch reports (man/mzl-promote.1, WATCHING): one line per event on standard output
// (text, or one JSON object with --json), and the operator's commands: --alert-command for alerts and their
// clearing, --diagnose-command when the p99 lag rule fires. A command runs in the background (a slow pager
// does not delay the next check) with the event in its environment:
//   MZL_ALERT_KIND (primary_lost, lag_average, ...), MZL_ALERT_STATE (firing, cleared, info),
//   MZL_ALERT_TARGET (host:port, or archive:<source>), MZL_ALERT_VALUE and MZL_ALERT_THRESHOLD (seconds,
//   empty when none), MZL_ALERT_MESSAGE.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mzl::watch {

enum class EventState { kFiring, kCleared, kInfo };
const char* json_name(EventState state);

struct WatchEvent {
  std::string kind;  // primary_suspect, primary_lost, primary_unconfirmed, primary_up, failover, ...
  EventState state = EventState::kInfo;
  std::string target;
  std::optional<double> value, threshold;
  std::string message;
};

// The line for standard output (ending in a newline), stamped with the UTC time `at`.
std::string format_event(const WatchEvent& event, std::chrono::system_clock::time_point at, bool json);

class EventSink {
 public:
  struct Commands {
    std::string alert, diagnose;
    std::chrono::milliseconds timeout{60'000};
  };
  // `write` takes each line (standard output in the tool); `log` takes the diagnostics (standard error).
  EventSink(bool json, Commands commands, std::function<void(std::string_view)> write,
            std::function<void(std::string_view)> log);
  ~EventSink();  // waits for the commands still running
  EventSink(const EventSink&) = delete;
  EventSink& operator=(const EventSink&) = delete;

  // Prints the event; with `command`, runs --alert-command (or --diagnose-command for a firing p99 rule).
  void report(const WatchEvent& event, bool command = true);

 private:
  void run_in_background(std::string command, const WatchEvent& event);
  // Joins the commands that have ended (a long-running watcher must not keep every thread it started).
  void reap_finished();

  struct Running {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  bool json_;
  Commands commands_;
  std::function<void(std::string_view)> write_, log_;
  std::mutex mutex_;
  std::vector<Running> running_;
};

}  // namespace mzl::watch
