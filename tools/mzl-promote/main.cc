// mzl-promote: fail over, switch over, and look at a replication topology (man/mzl-promote.1).
#include <fmt/format.h>

#include <cstdio>

#include "cli.h"
#include "common_options.h"
#include "mzl/failover/promotion.h"
#include "mzl/topology/health_check.h"
#include "mzl/topology/topology.h"
#include "mzl/util/stop_signal.h"
#include "watch_flags.h"

namespace {

constexpr const char* kProgram = "mzl-promote";

mzl::Result<std::vector<mzl::topology::ServerAddress>> parse_addresses(const std::vector<std::string>& texts,
                                                                       std::string_view flag) {
  std::vector<mzl::topology::ServerAddress> addresses;
  for (const std::string& text : texts) {
    auto address = mzl::topology::ServerAddress::parse(text);
    if (!address.ok()) {
      return mzl::Error(mzl::ErrorCode::kInvalidArgument,
                        fmt::format("{}: {}", flag, address.error().message));
    }
    addresses.push_back(std::move(*address));
  }
  return addresses;
}

// The exit code of a failover, switchover or rejoin: 0 done (and every hook ran), 1 refused, rolled back, or
// a hook or fence command that failed after the promotion; 3 and 4 when a server or the local disk failed a
// step that could not be put back, or nothing could be reached.
int exit_code_of(const mzl::failover::PromotionResult& result) {
  using mzl::repo::Outcome;
  if (!result.error) return mzl::kExitOk;
  const mzl::ErrorCode code = result.error->code;
  const bool unreachable = code == mzl::ErrorCode::kNetwork || code == mzl::ErrorCode::kAuth;
  switch (result.record.outcome) {
    case Outcome::kRefused:
      return unreachable ? mzl::kExitServer : mzl::kExitProblem;
    case Outcome::kFailed:
      return mzl::exit_code_for(*result.error);
    default:
      return mzl::kExitProblem;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Fail over to the replica with the most complete data when the primary is gone (its gap filled from\n"
      "the binlog archive in --repo), switch over to a replica with the primary alive (--switchover), or\n"
      "look at the topology (--check), or watch it (--watch: heartbeat, lag alerts, and with "
      "--auto-failover\n"
      "an automatic failover, under an etcd --lease when several watchers run). The connection flags apply\n"
      "to every server; the servers come from --servers. --dry-run prints the plan and changes nothing.\n"
      "Every failover, switchover and rejoin is recorded in REPO/failovers/.",
      kProgram};
  mzl::tool::configure_app(app, kProgram);

  std::vector<std::string> servers, prefer, never;
  std::string candidate, replication_password_file, rejoin;
  bool check = false, switchover = false, json = false, flashback = false;
  unsigned relay_timeout = 30, catch_up_timeout = 30, validate_timeout = 10, hook_timeout = 60;
  double confirm_timeout = 3;
  mzl::failover::PromoteOptions promote;
  mzl::topology::CheckOptions check_options;
  // Required, but it may come from the [mzl-promote] group of an option file (read after the parse).
  app.add_option("--servers", servers, "The servers of the topology, host:port, comma-separated (required)")
      ->delimiter(',');
  auto* check_flag =
      app.add_flag("--check", check, "One health look; exit 0 healthy, 1 a problem (each named)");
  app.add_flag("--switchover", switchover, "A planned change: the primary is alive and hands over")
      ->excludes(check_flag);
  auto* rejoin_option =
      app.add_option("--rejoin", rejoin, "Make this returned old primary a replica of the new primary")
          ->excludes(check_flag);
  app.add_flag("--flashback", flashback,
               "--rejoin: undo its transactions the cluster lacks (saved first); without it rejoin refuses")
      ->needs(rejoin_option);
  app.add_flag("--dry-run", promote.dry_run,
               "Print the plan (the candidate, the gap, the steps); change nothing")
      ->excludes(check_flag);
  app.add_option("--candidate", candidate,
                 "--switchover: the replica to promote (default: chosen as for a failover)");
  app.add_option("--prefer", prefer, "Among replicas with equally complete data, promote these first")
      ->delimiter(',');
  app.add_option("--never", never, "Never promote these servers")->delimiter(',');
  app.add_option("--repo", promote.repo, "Backup repository: the gap fill's archive, the records, the lock");
  app.add_option("--source", promote.source, "The archive to fill the gap from (default: the old primary's)");
  app.add_option("--hook-pre", promote.hook_pre, "Command run before anything changes; failing, it aborts");
  app.add_option("--hook-post", promote.hook_post,
                 "Command run after the promotion (move a VIP, tell a proxy)");
  app.add_option("--fence-command", promote.fence_command,
                 "Command that fences the old primary, run after every failover and switchover");
  app.add_option(
      "--replication-user", promote.replication_user,
      "--switchover, --rejoin: the account the old primary replicates with (default: the connection's)");
  app.add_option("--replication-password-file", replication_password_file,
                 "--switchover, --rejoin: the first line is that account's password");
  app.add_option("--relay-timeout", relay_timeout,
                 "Seconds the candidate may take to apply its relay log (30)");
  app.add_option("--catch-up-timeout", catch_up_timeout,
                 "--switchover: seconds the candidate may take to apply what the primary has (30)");
  app.add_option("--validate-timeout", validate_timeout,
                 "Seconds a repointed replica may take to replicate again before all is rolled back (10)");
  app.add_option("--confirm-timeout", confirm_timeout,
                 "Seconds to wait for the replicas to lose a primary mzl-promote cannot reach (3)");
  app.add_option("--hook-timeout", hook_timeout, "Seconds a hook or fence command may run (60)");
  app.add_option("--max-lag", check_options.max_lag_seconds,
                 "--check: seconds a replica may lag before it is a problem (default 60)");
  app.add_flag("--json", json, "One JSON object on stdout instead of the table (--watch: one per event)");
  mzl::tool::WatchFlags watch;
  watch.add_to(app);

  mzl::tool::CommonOptions common(kProgram);
  mzl::tool::add_common_flags(app, common);

  return mzl::tool::run_with_exit_code(app, argc, argv, [&]() -> mzl::Result<int> {
    using namespace mzl;
    // Only the command line is checked: a host in the option files' [client] or [mzl] groups is meant for
    // the other programs.
    if (app.get_option("--host")->count() > 0 || app.get_option("--port")->count() > 0) {
      return Error(ErrorCode::kInvalidArgument,
                   "-h/--host and -P/--port are not used: name the servers with --servers");
    }
    MZL_CHECK(common.apply_option_files(app));
    if (servers.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "--servers is required (on the command line or in an option file's [mzl-promote] group)");
    }
    MZL_CHECK(watch.finish());
    if (!rejoin.empty() && switchover) {
      return Error(ErrorCode::kInvalidArgument, "--rejoin and --switchover are two different runs");
    }
    if (!candidate.empty() && !switchover) {
      return Error(
          ErrorCode::kInvalidArgument,
          "--candidate is for --switchover; a failover promotes the replica with the most complete data "
          "(steer it with --prefer and --never)");
    }
    MZL_TRY(promote.servers, parse_addresses(servers, "--servers"));
    MZL_TRY(promote.rules.prefer, parse_addresses(prefer, "--prefer"));
    MZL_TRY(promote.rules.never, parse_addresses(never, "--never"));
    if (!candidate.empty()) {
      MZL_TRY(auto c, parse_addresses({candidate}, "--candidate"));
      promote.candidate = c.front();
    }
    if (!replication_password_file.empty()) {
      MZL_TRY(promote.replication_password, net::read_password_file(replication_password_file));
    }
    MZL_TRY(promote.connection, common.connection_options());
    promote.relay_timeout = std::chrono::seconds(relay_timeout);
    promote.catch_up_timeout = std::chrono::seconds(catch_up_timeout);
    promote.validate_timeout = std::chrono::seconds(validate_timeout);
    promote.confirm_timeout = std::chrono::milliseconds(static_cast<int64_t>(confirm_timeout * 1000));
    promote.hook_timeout = std::chrono::seconds(hook_timeout);
    promote.log = [](std::string_view line) { fmt::print(stderr, "{}: {}\n", kProgram, line); };

    if (watch.watch) {
      if (check || switchover || !rejoin.empty() || promote.dry_run) {
        return Error(ErrorCode::kInvalidArgument,
                     "--watch runs alone (not with --check, --switchover, --rejoin or --dry-run)");
      }
      watch.options.promote = promote;
      watch.options.log = promote.log;
      watch.options.json = json;
      watch.options.output = [](std::string_view line) {
        fmt::print("{}", line);
        std::fflush(stdout);
      };
      install_stop_handlers();
      MZL_TRY(const auto summary, watch::run_watch(watch.options));
      fmt::print(stderr, "{}: watched {} check(s), {} failover(s)\n", kProgram, summary.checks,
                 summary.failovers);
      return kExitOk;
    }

    if (check) {
      const topology::Topology t = topology::discover_topology(promote.servers, promote.connection);
      if (t.reachable_count() == 0) {
        for (const auto& entry : t.servers) fmt::print(stderr, "{}: error: {}\n", kProgram, entry.error);
        return Error(ErrorCode::kNetwork, "no server could be reached");
      }
      const auto problems = topology::check_health(t, check_options);
      fmt::print("{}", topology::describe_check(t, problems, json));
      for (const auto& p : problems) {
        fmt::print(stderr, "{}: problem: {}{}\n", kProgram, p.server.empty() ? "" : p.server + ": ", p.what);
      }
      return problems.empty() ? kExitOk : kExitProblem;
    }

    failover::PromotionResult result;
    if (!rejoin.empty()) {
      MZL_TRY(auto rejoining, parse_addresses({rejoin}, "--rejoin"));
      result = failover::run_rejoin(promote, rejoining.front(), flashback);
    } else {
      result = switchover ? failover::run_switchover(promote) : failover::run_failover(promote);
    }
    fmt::print("{}",
               json ? repo::encode_failover_record(result.record) : failover::describe_record(result.record));
    std::fflush(stdout);
    if (result.error) {
      fmt::print(stderr, "{}: {}: {}\n", kProgram, repo::json_name(result.record.outcome),
                 result.error->to_string());
    }
    return exit_code_of(result);
  });
}
