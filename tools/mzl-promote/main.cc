// mzl-promote: the replication topology of a set of servers, its health (--check) and the replica that a
// failover would promote (--dry-run) (man/mzl-promote.1). Failover itself is planned.
#include <fmt/format.h>

#include <cstdio>

#include "cli.h"
#include "common_options.h"
#include "mzl/topology/candidate.h"
#include "mzl/topology/health_check.h"
#include "mzl/topology/topology.h"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Look at a replication topology: which server is the primary, which replicate from it, their threads,\n"
      "lag and errant transactions (--check), and which replica a failover would promote (--dry-run).\n"
      "The connection flags apply to every server; the servers come from --servers. Failover, switchover\n"
      "and rejoin are planned.",
      kProgram};
  mzl::tool::configure_app(app, kProgram);

  std::vector<std::string> servers, prefer, never;
  bool check = false, dry_run = false, json = false;
  mzl::topology::CheckOptions check_options;
  app.add_option("--servers", servers, "The servers of the topology, host:port, comma-separated")
      ->delimiter(',')
      ->required();
  auto* check_flag =
      app.add_flag("--check", check, "One health look; exit 0 healthy, 1 a problem (each named)");
  app.add_flag("--dry-run", dry_run, "Print the replica a failover would promote, and why; change nothing")
      ->excludes(check_flag);
  app.add_option("--prefer", prefer, "Among replicas with equally complete data, promote these first")
      ->delimiter(',');
  app.add_option("--never", never, "Never promote these servers")->delimiter(',');
  app.add_option("--max-lag", check_options.max_lag_seconds,
                 "--check: seconds a replica may lag before it is a problem (default 60)");
  app.add_flag("--json", json, "One JSON object on stdout instead of the table");

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
    if (!check && !dry_run) {
      return Error(ErrorCode::kInvalidArgument, "say what to do: --check or --dry-run (failover is planned)");
    }
    MZL_TRY(auto addresses, parse_addresses(servers, "--servers"));
    topology::CandidateRules rules;
    MZL_TRY(rules.prefer, parse_addresses(prefer, "--prefer"));
    MZL_TRY(rules.never, parse_addresses(never, "--never"));
    MZL_TRY(auto connection, common.connection_options());

    const topology::Topology t = topology::discover_topology(addresses, connection);
    if (t.reachable_count() == 0) {
      for (const auto& entry : t.servers) fmt::print(stderr, "{}: error: {}\n", kProgram, entry.error);
      return Error(ErrorCode::kNetwork, "no server could be reached");
    }
    if (check) {
      const auto problems = topology::check_health(t, check_options);
      fmt::print("{}", topology::describe_check(t, problems, json));
      for (const auto& p : problems) {
        fmt::print(stderr, "{}: problem: {}{}\n", kProgram, p.server.empty() ? "" : p.server + ": ", p.what);
      }
      return problems.empty() ? kExitOk : kExitProblem;
    }
    const auto choice = topology::choose_candidate(t, rules);
    fmt::print("{}", topology::describe_dry_run(t, choice, json));
    if (!choice.chosen) {
      fmt::print(stderr, "{}: problem: {}\n", kProgram, choice.reason);
      return kExitProblem;
    }
    return kExitOk;
  });
}
