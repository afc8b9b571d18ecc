#include "mzl/watch/watcher.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "mzl/archive/archive_state.h"
#include "mzl/failover/gap_fill.h"
#include "mzl/failover/held_transactions.h"
#include "mzl/lease/etcd_lease.h"
#include "mzl/repo/failover_record.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/topology/server_probe.h"
#include "mzl/util/stop_signal.h"
#include "mzl/watch/heartbeat.h"
#include "mzl/watch/primary_watch.h"
#include "mzl/watch/watch_events.h"
#include "mzl/watch/watch_metrics.h"

namespace mzl::watch {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string default_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}", host[0] ? host : "localhost", ::getpid());
}

void sleep_until(Clock::time_point until) {
  while (!stop_requested()) {
    const auto now = Clock::now();
    if (now >= until) return;
    std::this_thread::sleep_for(std::min<Clock::duration>(until - now, 50ms));
  }
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// The heartbeats kept for the archive's lag: a bound whatever the archive does (an hour at one a second).
constexpr size_t kMaxBeats = 3600;

// One heartbeat written to the primary: its GTID state after the write, and when.
struct Beat {
  std::string position;
  Clock::time_point at;
};

// Renews a lease every third of its TTL from a thread of its own for as long as it lives (none: does
// nothing).
class LeaseKeeper {
 public:
  LeaseKeeper(EtcdLease* lease, std::mutex& mutex, std::chrono::seconds ttl) {
    if (!lease) return;
    thread_ =
        std::thread([this, lease, &mutex, period = std::chrono::duration_cast<Clock::duration>(ttl) / 3] {
          std::unique_lock wait_lock(stop_mutex_);
          while (!stop_cv_.wait_for(wait_lock, period, [this] { return stop_; })) {
            std::lock_guard lock(mutex);
            (void)lease->keep_alive(Clock::now());
          }
        });
  }
  ~LeaseKeeper() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(stop_mutex_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
  }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

class Watcher {
 public:
  Watcher(const WatchOptions& options, std::optional<Heartbeat> heartbeat, EtcdLease* lease,
          EventSink& events)
      : options_(options),
        heartbeat_(std::move(heartbeat)),
        lease_(lease),
        events_(events),
        primary_watch_(options.failcount),
        remembered_(options.promote.servers.size()) {
    // A check must not hang on a server that does not answer: short timeouts for the watch's own
    // connections (the failover keeps the configured ones).
    probe_ = options.promote.connection;
    const auto wanted = std::max<std::chrono::seconds>(
        1s, std::chrono::duration_cast<std::chrono::seconds>(options.interval * 2));
    probe_.connect_timeout = std::min(probe_.connect_timeout, wanted);
    probe_.read_timeout = std::max<std::chrono::seconds>(wanted, 2s);
  }

  void check() {
    ++summary_.checks;
    const auto now = Clock::now();
    check_lease(now);
    const topology::Topology t = topology::discover_topology(options_.promote.servers, probe_, remembered_);
    for (size_t i = 0; i < t.servers.size(); ++i) {
      if (const topology::ServerState* s = t.state(i)) remembered_[i] = s->server_id;
    }
    const PrimaryVerdict verdict = primary_watch_.observe(t);
    report_primary(verdict);
    measure_lag(t, verdict, now);
    if (verdict.health == PrimaryHealth::kLost) consider_failover(verdict, now);
    if (!options_.metrics_file.empty()) {
      WatchFigures figures{&t, &lag_, Clock::now(), summary_.checks, summary_.failovers, std::nullopt, 0};
      if (lease_) {
        figures.lease_held = lease_->held(Clock::now());
        figures.term = lease_->term();
      }
      if (Status s = write_watch_metrics(options_.metrics_file, figures); !s.ok())
        log_once(s.error().to_string());
    }
  }

  const WatchSummary& summary() const { return summary_; }

 private:
  void log_once(const std::string& line) {
    if (line == last_log_) return;
    last_log_ = line;
    if (options_.log) options_.log(line);
  }

  void check_lease(Clock::time_point now) {
    if (!lease_) return;
    const bool was_held = lease_held_;
    // etcd's recipe (lease/etcd_lease.h): renew, then campaign when not the holder (a lost lease is granted
    // anew by the campaign).
    if (Status s = lease_->keep_alive(now); !s.ok() && s.error().code != ErrorCode::kNotFound) {
      log_once(s.error().to_string());
    }
    if (!lease_->held(now)) {
      auto won = lease_->campaign(now);
      if (!won.ok()) log_once(won.error().to_string());
    }
    lease_held_ = lease_->held(Clock::now());
    if (lease_held_ && !was_held) {
      events_.report(
          {"lease", EventState::kInfo, options_.lease, std::nullopt, std::nullopt,
           fmt::format("this watcher ({}) holds the lease: term {}; it fails over", name_(), lease_->term())},
          false);
    } else if (!lease_held_ && was_held) {
      events_.report({"lease_lost", EventState::kFiring, options_.lease, std::nullopt, std::nullopt,
                      fmt::format("this watcher ({}) lost the lease of term {}; it no longer fails over",
                                  name_(), lease_->term())});
    }
  }

  std::string name_() const { return options_.name; }

  // Events of the primary's health. A firing alert (lost, unconfirmed, unknown) is cleared once, under the
  // target it fired for, when a primary answers again (the same one, or the new one after a failover).
  void report_primary(const PrimaryVerdict& v) {
    if (seen_primary_ && v.health == last_health_ && v.primary == last_primary_) return;
    const bool changed_primary = v.primary != last_primary_;
    seen_primary_ = true;
    last_health_ = v.health;
    last_primary_ = v.primary;
    if (v.health == PrimaryHealth::kUp) {
      last_once_kind_.clear();
      if (firing_primary_) {
        events_.report({"primary", EventState::kCleared, firing_primary_->second, std::nullopt, std::nullopt,
                        fmt::format("{} answers ({} cleared)", v.primary, firing_primary_->first)});
        firing_primary_.reset();
      } else if (changed_primary) {
        events_.report(
            {"primary", EventState::kInfo, v.primary, std::nullopt, std::nullopt, "the primary answers"},
            false);
      }
      return;
    }
    std::string kind;
    switch (v.health) {
      case PrimaryHealth::kSuspect:
        events_.report(
            {"primary_suspect", EventState::kInfo, v.primary, std::nullopt, std::nullopt, v.detail}, false);
        return;
      case PrimaryHealth::kLost:
        kind = "primary_lost";
        break;
      case PrimaryHealth::kUnconfirmed:
        kind = "primary_unconfirmed";
        break;
      default:
        kind = "primary_unknown";
        break;
    }
    const std::string message = kind == "primary_lost" && !options_.auto_failover
                                    ? v.detail + " (no --auto-failover: not failing over)"
                                    : v.detail;
    events_.report({kind, EventState::kFiring, v.primary, std::nullopt, std::nullopt, message});
    firing_primary_ = {kind, v.primary};
  }

  // The lag of every replica of the primary (heartbeat age, else Seconds_Behind_Master) and of the archive.
  void measure_lag(const topology::Topology& t, const PrimaryVerdict& v, Clock::time_point now) {
    if (v.health != PrimaryHealth::kUp) return;  // no primary to measure from
    const topology::ServerState& primary = *t.state(*t.primary);
    // Without a heartbeat written this check (none configured, a read-only primary, no privilege), the lag
    // is the replicas' Seconds_Behind_Master: an old row would only show a lag that is not there.
    bool beaten = false;
    if (heartbeat_ && primary.writable()) {
      auto position = beat(t.servers[*t.primary].address, primary);
      if (position.ok()) {
        beaten = true;
        if (!options_.promote.repo.empty()) beats_.push_back({*position, Clock::now()});
        while (beats_.size() > kMaxBeats) beats_.pop_front();
      } else {
        log_once(position.error().to_string());
      }
    }
    for (size_t r : t.replicas) {
      if (t.source_of[r] != t.primary) continue;
      const std::string target = t.servers[r].address.to_string();
      std::optional<double> lag;
      if (beaten) {
        auto measured = replica_lag(t.servers[r].address, primary.server_id);
        if (measured.ok()) {
          lag = *measured;
        } else {
          log_once(measured.error().to_string());
        }
      } else if (const topology::ReplicationChannel* c = t.channel(r); c && c->seconds_behind) {
        lag = static_cast<double>(*c->seconds_behind);
      }
      record_lag(target, now, lag);
    }
    measure_archive_lag(primary, now);
  }

  Result<std::string> beat(const topology::ServerAddress& address, const topology::ServerState& primary) {
    MZL_TRY(auto connection, net::ServerConnection::connect(topology::options_for(address, probe_)));
    return heartbeat_->beat(connection, primary.server_id, primary.flavour == topology::Flavour::kMariaDb);
  }

  Result<std::optional<double>> replica_lag(const topology::ServerAddress& address, uint32_t primary_id) {
    MZL_TRY(auto connection, net::ServerConnection::connect(topology::options_for(address, probe_)));
    return heartbeat_->lag(connection, primary_id);
  }

  // The archive's lag: how long ago the newest heartbeat it holds was written (its state's GTID position
  // reaches that beat's); without a beat held yet, the age of the oldest beat written.
  void measure_archive_lag(const topology::ServerState& primary, Clock::time_point now) {
    if (options_.promote.repo.empty() || beats_.empty()) return;
    auto source =
        failover::choose_archive_source(options_.promote.repo, options_.promote.source, primary.server_id);
    if (!source.ok()) {
      log_once(source.error().to_string());
      return;
    }
    auto state = archive::read_archive_state(repo::archive_state_path(options_.promote.repo, *source));
    if (!state.ok()) {
      log_once(state.error().to_string());
      return;
    }
    auto held = failover::HeldTransactions::parse(primary.flavour, state->gtid_position);
    if (!held.ok()) return;
    std::optional<size_t> newest;
    for (size_t i = 0; i < beats_.size(); ++i) {
      auto beat_position = failover::HeldTransactions::parse(primary.flavour, beats_[i].position);
      if (beat_position.ok() && held->holds(*beat_position)) newest = i;
    }
    const double lag = seconds_between(newest ? beats_[*newest].at : beats_.front().at, Clock::now());
    // Beats before the newest held one are not needed any more; bound the rest by the slow window.
    if (newest) beats_.erase(beats_.begin(), beats_.begin() + static_cast<std::ptrdiff_t>(*newest));
    while (beats_.size() > 1 && seconds_between(beats_.front().at, now) >
                                    static_cast<double>(options_.lag.p99_window.count()) * 2) {
      beats_.pop_front();
    }
    record_lag("archive:" + *source, now, lag);
  }

  void record_lag(const std::string& target, Clock::time_point now, std::optional<double> lag) {
    auto it = lag_.find(target);
    if (it == lag_.end()) it = lag_.emplace(target, LagTracker(options_.lag)).first;
    for (const LagChange& c : it->second.record(now, lag)) {
      const bool average = c.rule == LagRule::kAverage;
      std::string message =
          c.firing ? fmt::format("{} {:.3f} s is above {:.3f} s{}", average ? "average lag" : "p99 lag",
                                 c.value, c.threshold,
                                 average ? fmt::format(" for {} periods", options_.lag.average_periods) : "")
                   : fmt::format("{} {:.3f} s is back at or below {:.3f} s",
                                 average ? "average lag" : "p99 lag", c.value, c.threshold);
      events_.report({json_name(c.rule), c.firing ? EventState::kFiring : EventState::kCleared, target,
                      c.value, c.threshold, std::move(message)});
    }
  }

  void consider_failover(const PrimaryVerdict& v, Clock::time_point now) {
    if (!options_.auto_failover) return;
    // The cooldown counts from the newest promotion recorded in the repository too: one done by this watcher
    // before a restart, by another watcher sharing the repository, or by hand.
    if (!options_.promote.repo.empty()) {
      if (const auto recorded = repo::last_promotion_time(options_.promote.repo)) {
        const auto age = std::chrono::system_clock::now() - *recorded;
        const auto at =
            now - std::chrono::duration_cast<Clock::duration>(std::max(age, decltype(age)::zero()));
        if (!last_failover_ || at > *last_failover_) last_failover_ = at;
      }
    }
    if (last_failover_ && now - *last_failover_ < options_.cooldown) {
      const auto since = std::chrono::duration_cast<std::chrono::seconds>(now - *last_failover_);
      report_once("failover_suppressed",
                  fmt::format("a failover was done {} s ago and --cooldown is {} s: not failing over again",
                              since.count(),
                              std::chrono::duration_cast<std::chrono::seconds>(options_.cooldown).count()),
                  v.primary, true);
      return;
    }
    if (lease_ && !lease_->held(Clock::now())) {
      report_once("failover_deferred",
                  fmt::format("the lease is held by {} (term {}): that watcher fails over", lease_->holder(),
                              lease_->term()),
                  v.primary, false);
      return;
    }
    if (now < next_attempt_) return;
    failover::PromoteOptions promote = options_.promote;
    if (lease_) {
      promote.term = lease_->term();
      promote.term_holder = options_.name;
      promote.authority = [this]() -> Status {
        std::lock_guard lock(lease_mutex_);
        MZL_TRY(const bool held, lease_->confirm());
        if (!held || !lease_->held(Clock::now())) {
          return Error(ErrorCode::kInvalidArgument,
                       fmt::format("the lease of term {} is no longer this watcher's: it does not fail over",
                                   lease_->term()));
        }
        return ok_status();
      };
    }
    events_.report({"failover", EventState::kInfo, v.primary, std::nullopt, std::nullopt,
                    fmt::format("failing over: the primary {} is lost", v.primary)},
                   false);
    promote.remembered_server_ids = remembered_;
    failover::PromotionResult result;
    {
      // The lease is renewed while the failover runs (it may take longer than the TTL: the relay log, the
      // gap fill); the failover asks it again before it repoints anything.
      LeaseKeeper keeper(lease_, lease_mutex_, options_.lease_ttl);
      result = failover::run_failover(promote);
    }
    const repo::FailoverRecord& r = result.record;
    const bool promoted = r.outcome == repo::Outcome::kPromoted;
    std::string message = promoted ? fmt::format("promoted {} (record {}){}", r.new_primary.address, r.id,
                                                 r.nothing_acknowledged_lost == std::optional<bool>(true)
                                                     ? ": nothing acknowledged lost"
                                                     : "")
                                   : fmt::format("{}: {}", repo::json_name(r.outcome),
                                                 result.error ? result.error->to_string() : r.message);
    if (promoted && result.error)
      message += fmt::format(" (after the promotion: {})", result.error->to_string());
    events_.report({"failover", promoted ? EventState::kInfo : EventState::kFiring, r.new_primary.address,
                    std::nullopt, std::nullopt, std::move(message)});
    if (promoted) {
      retry_delay_ = {};
      last_once_kind_.clear();
      ++summary_.failovers;
      last_failover_ = Clock::now();
      if (lease_) {
        const std::string published = fmt::format(R"({{"address":"{}","term":{},"record":"{}"}})",
                                                  r.new_primary.address, lease_->term(), r.id);
        if (Status s = lease_->publish("primary", published); !s.ok()) log_once(s.error().to_string());
      }
    } else {
      // Not again at the next check: a refusal (a replica still catching up, an archive missing) is retried
      // after failcount checks, then twice as long each time, up to 5 minutes.
      retry_delay_ =
          retry_delay_.count() == 0
              ? std::chrono::duration_cast<std::chrono::milliseconds>(options_.interval * options_.failcount)
              : std::min<std::chrono::milliseconds>(retry_delay_ * 2, 5min);
      next_attempt_ = Clock::now() + retry_delay_;
    }
  }

  // Once per kind until the primary answers again or a failover promotes (the message's figures change
  // every check).
  void report_once(const std::string& kind, const std::string& message, const std::string& target,
                   bool command) {
    if (kind == last_once_kind_) return;
    last_once_kind_ = kind;
    events_.report({kind, EventState::kFiring, target, std::nullopt, std::nullopt, message}, command);
  }

  const WatchOptions& options_;
  std::optional<Heartbeat> heartbeat_;
  EtcdLease* lease_;
  std::mutex lease_mutex_;  // the lease is renewed from a second thread during a failover
  EventSink& events_;
  net::ConnectionOptions probe_;
  PrimaryWatch primary_watch_;
  std::vector<std::optional<uint32_t>> remembered_;
  PrimaryHealth last_health_ = PrimaryHealth::kUp;
  std::string last_primary_;
  std::map<std::string, LagTracker> lag_;
  std::deque<Beat> beats_;
  std::optional<Clock::time_point> last_failover_;
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds retry_delay_{0};
  bool lease_held_ = false;
  std::string last_log_, last_once_kind_;
  bool seen_primary_ = false;
  std::optional<std::pair<std::string, std::string>> firing_primary_;  // kind, target
  WatchSummary summary_;
};

}  // namespace

Result<WatchSummary> run_watch(const WatchOptions& given) {
  WatchOptions options = given;
  if (options.name.empty()) options.name = default_name();
  if (options.interval < 10ms) return Error(ErrorCode::kInvalidArgument, "--interval must be at least 10 ms");
  std::optional<Heartbeat> heartbeat;
  if (!options.heartbeat_table.empty()) {
    MZL_TRY(heartbeat, Heartbeat::for_table(options.heartbeat_table));
  }
  std::optional<EtcdLease> lease;
  if (!options.lease.empty()) {
    if (options.interval * 3 > options.lease_ttl) {
      return Error(ErrorCode::kInvalidArgument,
                   "--interval must be at most a third of --lease-ttl (the lease is renewed once per check)");
    }
    MZL_TRY(const EtcdLocation location, EtcdLocation::parse(options.lease));
    MZL_TRY(lease, EtcdLease::grant(location, options.lease_ttl, options.name));
  }
  EventSink events(options.json,
                   {options.alert_command, options.diagnose_command, options.promote.hook_timeout},
                   options.output, options.log);
  Watcher watcher(options, std::move(heartbeat), lease ? &*lease : nullptr, events);
  while (!stop_requested()) {
    const auto started = Clock::now();
    watcher.check();
    if (options.max_checks != 0 && watcher.summary().checks >= options.max_checks) break;
    sleep_until(started + options.interval);
  }
  if (lease) lease->resign();
  return watcher.summary();
}

}  // namespace mzl::watch
