// run_switchover (promotion.h): a planned change of primary with the primary alive; nothing is lost because
// the old primary takes no writes from the moment it is read-only until the candidate has applied all of it.
#include <fmt/format.h>

#include "mzl/failover/promotion.h"
#include "mzl/failover/promotion_common.h"
#include "mzl/topology/candidate.h"

namespace mzl::failover {

using namespace detail;
using repo::Outcome;

namespace {

// The candidate: --candidate (it must be a reachable replica of the primary, neither errant nor broken nor
// --never), else the choice of choose_candidate().
Result<size_t> switchover_candidate(const PromoteOptions& options, const topology::Topology& t,
                                    repo::FailoverRecord& r) {
  const topology::CandidateChoice choice = topology::choose_candidate(t, options.rules);
  r.excluded = choice.excluded;
  if (!options.candidate) {
    r.candidate = choice.reason;
    if (!choice.chosen) return refusal(choice.reason);
    return *choice.chosen;
  }
  const std::string wanted = options.candidate->to_string();
  for (const std::string& excluded : choice.excluded) {
    if (excluded.starts_with(wanted + ":")) return refusal(fmt::format("--candidate {}", excluded));
  }
  for (size_t i : t.replicas) {
    if (!t.servers[i].address.same_as(*options.candidate)) continue;
    if (t.source_of[i] != t.primary) {
      return refusal(fmt::format("--candidate {} does not replicate from the primary", wanted));
    }
    r.candidate = fmt::format("{}: --candidate", wanted);
    return i;
  }
  return refusal(fmt::format("--candidate {} is not a reachable replica among --servers", wanted));
}

}  // namespace

PromotionResult run_switchover(const PromoteOptions& options) {
  PromotionResult result;
  repo::FailoverRecord& r = result.record;
  r.kind = repo::RunKind::kSwitchover;
  r.started = repo::utc_time_text(std::chrono::system_clock::now());
  StepLog steps(r, options.log);

  const topology::Topology t = topology::discover_topology(options.servers, options.connection);
  r.before = snapshot_servers(t);
  if (!t.primary) {
    return finish(
        result, options, Outcome::kRefused,
        refusal(fmt::format("cannot tell which server is the primary{}{}", t.notes.empty() ? "" : ": ",
                            fmt::format("{}", fmt::join(t.notes, "; ")))));
  }
  const topology::ServerAddress old_address = t.servers[*t.primary].address;
  r.old_primary.address = old_address.to_string();
  const topology::ServerState* old_state = t.state(*t.primary);
  if (!old_state) {
    return finish(
        result, options, Outcome::kRefused,
        refusal(fmt::format("the primary {} does not answer: a switchover needs it alive (fail over "
                            "without --switchover)",
                            r.old_primary.address)));
  }
  r.old_primary.server_id = old_state->server_id;
  if (!old_state->writable()) {
    return finish(
        result, options, Outcome::kRefused,
        refusal(fmt::format("the primary {} is read-only: an unfinished switchover? Check the topology "
                            "(--check) and make one server writable first",
                            r.old_primary.address)));
  }
  auto chosen = switchover_candidate(options, t, r);
  if (!chosen.ok()) return finish(result, options, Outcome::kRefused, std::move(chosen).error());
  const topology::ServerAddress candidate_address = t.servers[*chosen].address;
  const std::string candidate_channel = t.channel(*chosen)->name;
  r.new_primary = {candidate_address.to_string(), t.state(*chosen)->server_id};

  const std::vector<size_t> followers = followers_of(t, *chosen, steps);
  std::vector<std::string> follower_names = names_of(t, followers);
  follower_names.insert(follower_names.begin(), r.old_primary.address);
  if (options.dry_run) {
    steps.note("would be made read-only, its client sessions ended", r.old_primary.address);
    steps.note("would apply everything the primary has, then be made writable", r.new_primary.address);
    for (const auto& name : follower_names)
      steps.note(fmt::format("would replicate from {}", r.new_primary.address), name);
    return finish(result, options, Outcome::kDryRun, std::nullopt);
  }

  auto lock = lock_repository(options);
  if (!lock.ok()) return finish(result, options, Outcome::kRefused, std::move(lock).error());
  const Environment env = hook_environment(r, follower_names);
  if (Status hook = run_hook(steps, "--hook-pre", options.hook_pre, env, options.hook_timeout); !hook.ok()) {
    return finish(result, options, Outcome::kRefused, std::move(hook).error());
  }
  auto old_connected = ControlledServer::connect(old_address, options.connection);
  if (!old_connected.ok())
    return finish(result, options, Outcome::kRefused, std::move(old_connected).error());
  ControlledServer& old_primary = *old_connected;
  auto candidate_connected = ControlledServer::connect(candidate_address, options.connection);
  if (!candidate_connected.ok()) {
    return finish(result, options, Outcome::kRefused, std::move(candidate_connected).error());
  }
  ControlledServer& candidate = *candidate_connected;
  auto follower_servers = connect_all(t, followers, options.connection);
  if (!follower_servers.ok())
    return finish(result, options, Outcome::kRefused, std::move(follower_servers).error());
  std::vector<Repointing> repointing = repointing_of(t, followers, *follower_servers, old_address);
  const ReplicationCredentials credentials = replication_credentials(options);

  bool old_primary_replicates = false;
  const auto roll_back = [&](Error error) -> PromotionResult& {
    roll_back_repointing(steps, repointing);
    if (old_primary_replicates) {
      (void)steps.run("roll back: forget the new source", old_primary.name(), [&]() -> Status {
        (void)old_primary.stop_replication("");
        return old_primary.reset_replication("");
      });
    }
    (void)steps.run("roll back: replicate again", candidate.name(),
                    [&] { return candidate.start_replication(candidate_channel); });
    (void)steps.run("roll back: make it writable again", old_primary.name(),
                    [&] { return old_primary.set_writable(); });
    return finish(result, options, Outcome::kRolledBack, std::move(error));
  };

  // The write downtime starts here.
  const auto read_only_at = std::chrono::steady_clock::now();
  if (Status s =
          steps.run("make it read-only", old_primary.name(), [&] { return old_primary.set_read_only(); });
      !s.ok()) {
    return roll_back(std::move(s).error());
  }
  (void)steps.run("end its client sessions", old_primary.name(), [&]() -> Status {
    MZL_TRY(unsigned killed, old_primary.kill_client_sessions());
    steps.note(fmt::format("{} client session(s) ended", killed), old_primary.name());
    return ok_status();
  });
  auto final_state = old_primary.state();
  if (!final_state.ok()) return roll_back(std::move(final_state).error());
  const std::string target = executed_text(*final_state);
  bool caught_up = false;
  Status waited = steps.run(fmt::format("apply everything the primary has ({})", target), candidate.name(),
                            [&]() -> Status {
                              MZL_TRY(caught_up, candidate.wait_for_gtids(target, options.catch_up_timeout));
                              return ok_status();
                            });
  if (!waited.ok()) return roll_back(std::move(waited).error());
  if (!caught_up) {
    return roll_back(
        Error(ErrorCode::kServer, fmt::format("did not apply {} within {} ms (raise --catch-up-timeout)",
                                              target, options.catch_up_timeout.count()))
            .at_r(candidate.name()));
  }
  if (Status s = steps.run("stop replication", candidate.name(),
                           [&] { return candidate.stop_replication(candidate_channel); });
      !s.ok()) {
    return roll_back(std::move(s).error());
  }
  Status demoted =
      steps.run(fmt::format("replicate from {}", candidate.name()), old_primary.name(), [&]() -> Status {
        MZL_CHECK(old_primary.slave_pos_from_binlog());
        MZL_CHECK(old_primary.change_source("", candidate_address, &credentials));
        old_primary_replicates = true;
        return old_primary.start_replication("");
      });
  if (!demoted.ok()) return roll_back(std::move(demoted).error());
  if (Status s = repoint(steps, repointing, candidate_address); !s.ok())
    return roll_back(std::move(s).error());
  std::vector<Repointing> validated = repointing;
  validated.push_back({&old_primary, "", old_address, false});
  if (Status s = validate_replicating(steps, validated, options.validate_timeout); !s.ok()) {
    return roll_back(std::move(s).error());
  }
  if (Status s = steps.run("forget the old primary", candidate.name(),
                           [&] { return candidate.reset_replication(candidate_channel); });
      !s.ok()) {
    return roll_back(std::move(s).error());
  }
  if (auto state = candidate.state(); state.ok()) r.fork_position = executed_text(*state);
  if (Status s = steps.run("make it writable", candidate.name(), [&] { return candidate.set_writable(); });
      !s.ok()) {
    return finish(result, options, Outcome::kFailed, std::move(s).error());
  }
  r.write_downtime_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - read_only_at).count();
  steps.note(
      fmt::format("promoted: takes writes after {:.1f} ms without a writable primary", *r.write_downtime_ms),
      candidate.name());
  r.nothing_acknowledged_lost = true;  // the candidate applied all the old primary committed

  std::optional<Error> after_error;
  if (Status s = run_hook(steps, "--fence-command", options.fence_command, env, options.hook_timeout);
      !s.ok()) {
    after_error = std::move(s).error();
  }
  if (Status s = run_hook(steps, "--hook-post", options.hook_post, env, options.hook_timeout); !s.ok()) {
    if (!after_error) after_error = std::move(s).error();
  }
  r.after = snapshot_servers(topology::discover_topology(options.servers, options.connection));
  return finish(result, options, Outcome::kPromoted, std::move(after_error));
}

}  // namespace mzl::failover
