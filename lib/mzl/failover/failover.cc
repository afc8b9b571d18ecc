// run_failover (promotion.h): the primary is gone; promote the replica with the most complete data after
// filling its gap from the archive.
#include <thread>

#include <fmt/format.h>

#include "mzl/failover/gap_fill.h"
#include "mzl/failover/held_transactions.h"
#include "mzl/failover/promotion.h"
#include "mzl/failover/promotion_common.h"
#include "mzl/failover/promotion_term.h"
#include "mzl/topology/candidate.h"

namespace mzl::failover {

using namespace detail;
using repo::Outcome;

namespace {

// The old primary's server_id as its replicas saw it (it cannot be asked).
uint32_t primary_server_id(const topology::Topology& t) {
  if (const topology::ServerState* state = t.state(*t.primary)) return state->server_id;
  for (size_t i : t.replicas_of_primary()) {
    const topology::ReplicationChannel* channel = t.channel(i);
    if (channel && channel->source_server_id) return *channel->source_server_id;
  }
  return 0;
}

// The state of the topology that a failover needs, or why there is none: a primary that replicas name, that
// does not answer, and that no reachable replica still receives from (waited for up to confirm_timeout: a
// replica's IO thread notices a dead primary within its reconnect interval).
Result<topology::Topology> confirm_primary_lost(const PromoteOptions& options, topology::Topology t) {
  const auto deadline = std::chrono::steady_clock::now() + options.confirm_timeout;
  while (true) {
    if (t.reachable_count() == 0) {
      return Error(ErrorCode::kNetwork, "no server could be reached: there is nothing to promote");
    }
    if (!t.primary) {
      return refusal(fmt::format("cannot tell which server is the primary{}{}", t.notes.empty() ? "" : ": ",
                                 fmt::format("{}", fmt::join(t.notes, "; "))));
    }
    const std::string primary = t.servers[*t.primary].address.to_string();
    if (t.servers[*t.primary].reachable() && options.dry_run) return t;  // the plan for when it is lost
    if (t.servers[*t.primary].reachable()) {
      return refusal(
          fmt::format("the primary {} is alive (it answered): a failover would leave two primaries; "
                      "for a planned change use --switchover",
                      primary));
    }
    if (t.replicas_of_primary().empty()) {
      return Error(
          ErrorCode::kNetwork,
          fmt::format("no replica of the primary {} could be reached: there is nothing to promote", primary));
    }
    const std::string connected = t.replica_still_receiving();
    if (connected.empty()) return t;
    if (std::chrono::steady_clock::now() >= deadline) {
      return refusal(fmt::format(
          "the primary {} does not answer mzl-promote, but the replica {} still receives from it (its IO "
          "thread is connected): the primary is alive behind a partition; fence it, or fail over when the "
          "replicas have lost it too",
          primary, connected));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    t = topology::discover_topology(options.servers, options.connection, options.remembered_server_ids);
  }
}

}  // namespace

PromotionResult run_failover(const PromoteOptions& options) {
  PromotionResult result;
  repo::FailoverRecord& r = result.record;
  r.kind = repo::RunKind::kFailover;
  r.started = repo::utc_time_text(std::chrono::system_clock::now());
  StepLog steps(r, options.log);

  topology::Topology discovered =
      topology::discover_topology(options.servers, options.connection, options.remembered_server_ids);
  r.before = snapshot_servers(discovered);
  auto confirmed = confirm_primary_lost(options, std::move(discovered));
  if (!confirmed.ok()) return finish(result, options, Outcome::kRefused, std::move(confirmed).error());
  const topology::Topology t = std::move(*confirmed);
  r.before = snapshot_servers(t);
  const topology::ServerAddress old_primary = t.servers[*t.primary].address;
  r.old_primary = {old_primary.to_string(), primary_server_id(t)};
  if (t.servers[*t.primary].reachable()) {
    steps.note("the primary is alive: a failover is refused now; this plan is for when it is lost",
               r.old_primary.address);
  } else {
    steps.note("the primary is lost: it does not answer and no replica receives from it",
               r.old_primary.address);
  }

  const topology::CandidateChoice choice = topology::choose_candidate(t, options.rules);
  r.candidate = choice.reason;
  r.excluded = choice.excluded;
  if (!choice.chosen) return finish(result, options, Outcome::kRefused, refusal(choice.reason));
  const size_t chosen = *choice.chosen;
  if (t.source_of[chosen] != t.primary || t.channel(chosen) == nullptr) {
    return finish(
        result, options, Outcome::kRefused,
        refusal(fmt::format("the most complete replica {} does not replicate from the primary {} (a "
                            "chain, or a server replicating from none): promote it by hand",
                            t.servers[chosen].address.to_string(), r.old_primary.address)));
  }
  const topology::ServerState& candidate_state = *t.state(chosen);
  if (!candidate_state.log_bin) {
    return finish(
        result, options, Outcome::kRefused,
        refusal(fmt::format("the most complete replica {} has no binary log (log_bin is off): the other "
                            "replicas could not replicate from it",
                            t.servers[chosen].address.to_string())));
  }
  const topology::ServerAddress candidate_address = t.servers[chosen].address;
  const std::string candidate_channel = t.channel(chosen)->name;
  r.new_primary = {candidate_address.to_string(), candidate_state.server_id};

  // The other replicas of the old primary follow the candidate; broken ones are left alone.
  const std::vector<size_t> followers = followers_of(t, chosen, steps);
  const std::vector<std::string> follower_names = names_of(t, followers);

  std::string source;
  if (!options.repo.empty()) {
    auto chosen_source = choose_archive_source(options.repo, options.source, r.old_primary.server_id);
    if (!chosen_source.ok())
      return finish(result, options, Outcome::kRefused, std::move(chosen_source).error());
    source = *chosen_source;
  }

  if (options.dry_run) {
    if (!source.empty()) {
      auto gap = fill_gap_from_archive(options.repo, source, nullptr, candidate_state, true);
      if (!gap.ok()) return finish(result, options, Outcome::kRefused, std::move(gap).error());
      steps.note(fmt::format("would apply {} transaction(s) from the archive {} ({} .. {})", gap->applied,
                             source, gap->first_applied_gtid.empty() ? "-" : gap->first_applied_gtid,
                             gap->last_applied_gtid.empty() ? "-" : gap->last_applied_gtid),
                 r.new_primary.address);
      r.archive = repo::ArchiveVerdict{source, gap->acknowledged, false};
    }
    for (const auto& name : follower_names)
      steps.note(fmt::format("would replicate from {}", r.new_primary.address), name);
    steps.note("would be made writable", r.new_primary.address);
    return finish(result, options, Outcome::kDryRun, std::nullopt);
  }

  auto lock = lock_repository(options);
  if (!lock.ok()) return finish(result, options, Outcome::kRefused, std::move(lock).error());
  const Environment env = hook_environment(r, follower_names);
  if (Status hook = run_hook(steps, "--hook-pre", options.hook_pre, env, options.hook_timeout); !hook.ok()) {
    return finish(result, options, Outcome::kRefused, std::move(hook).error());
  }

  // Connections first: a server that cannot be reached now is a refusal, before anything changed.
  auto candidate_connected = ControlledServer::connect(candidate_address, options.connection);
  if (!candidate_connected.ok()) {
    return finish(result, options, Outcome::kRefused, std::move(candidate_connected).error());
  }
  ControlledServer& candidate = *candidate_connected;
  auto follower_servers = connect_all(t, followers, options.connection);
  if (!follower_servers.ok())
    return finish(result, options, Outcome::kRefused, std::move(follower_servers).error());
  std::vector<Repointing> repointing = repointing_of(t, followers, *follower_servers, old_primary);
  r.term = options.term;
  if (options.term) {
    Status term_ok =
        steps.run(fmt::format("check term {}", *options.term), candidate.name(), [&]() -> Status {
          std::vector<ControlledServer*> asked{&candidate};
          for (Repointing& f : repointing) asked.push_back(f.server);
          for (ControlledServer* server : asked) {
            MZL_TRY(const uint64_t recorded, recorded_term(server->connection()));
            if (recorded > *options.term) {
              return refusal(
                  fmt::format("{} records term {}, newer than this watcher's term {}: another watcher "
                              "acted since; this one lost its lease",
                              server->name(), recorded, *options.term));
            }
          }
          return options.authority ? options.authority() : ok_status();
        });
    if (!term_ok.ok()) return finish(result, options, Outcome::kRefused, std::move(term_ok).error());
  }

  // From here on the servers change. Until the candidate is writable, anything that fails is put back: the
  // replicas replicate from the old primary again (it may come back).
  const auto restart_replication = [&] {
    (void)steps.run("roll back: start replication again", candidate.name(),
                    [&] { return candidate.start_replication(candidate_channel); });
    for (Repointing& f : repointing) {
      (void)steps.run("roll back: start replication again", f.server->name(),
                      [&] { return f.server->start_replication(f.channel); });
    }
  };
  const auto roll_back = [&](Error error) -> PromotionResult& {
    roll_back_repointing(steps, repointing);
    restart_replication();
    return finish(result, options, Outcome::kRolledBack, std::move(error));
  };

  Status stopped = steps.run("stop the IO thread", candidate.name(),
                             [&] { return candidate.stop_io_thread(candidate_channel); });
  for (Repointing& f : repointing) {
    if (!stopped.ok()) break;
    stopped = steps.run("stop the IO thread", f.server->name(),
                        [&] { return f.server->stop_io_thread(f.channel); });
  }
  if (!stopped.ok()) return roll_back(std::move(stopped).error());

  bool applied = false;
  Status relay = steps.run("apply the relay log", candidate.name(), [&]() -> Status {
    MZL_TRY(applied, candidate.wait_relay_log_applied(candidate_channel, options.relay_timeout));
    return ok_status();
  });
  if (!relay.ok()) return roll_back(std::move(relay).error());
  if (!applied) {
    return roll_back(Error(ErrorCode::kServer,
                           fmt::format("did not apply its relay log within {} ms (raise --relay-timeout)",
                                       options.relay_timeout.count()))
                         .at_r(candidate.name()));
  }
  if (Status s = steps.run("stop replication", candidate.name(),
                           [&] { return candidate.stop_replication(candidate_channel); });
      !s.ok()) {
    return roll_back(std::move(s).error());
  }

  if (!source.empty()) {
    auto before_fill = candidate.state();
    if (!before_fill.ok()) return roll_back(std::move(before_fill).error());
    GapFill gap;
    Status filled =
        steps.run(fmt::format("fill the gap from the archive {}", source), candidate.name(), [&]() -> Status {
          MZL_CHECK(candidate.allow_privileged_writes());
          MZL_TRY(gap, fill_gap_from_archive(options.repo, source, &candidate, *before_fill, false));
          return ok_status();
        });
    if (!filled.ok()) {
      // What was applied stays applied (it is the old primary's own history); replication resumes.
      restart_replication();
      return finish(result, options, Outcome::kFailed, std::move(filled).error());
    }
    // The gap was applied by a client session: gtid_slave_pos follows the binlog again, so that the new
    // primary's positions agree (and a rerun after a failure does not see its own gap fill as errant).
    if (Status s = steps.run("gtid_slave_pos from the binlog", candidate.name(),
                             [&] { return candidate.slave_pos_from_binlog(); });
        !s.ok()) {
      return roll_back(std::move(s).error());
    }
    steps.note(
        fmt::format("applied {} transaction(s) from the archive ({} .. {}), {} already held; {}", gap.applied,
                    gap.first_applied_gtid.empty() ? "-" : gap.first_applied_gtid,
                    gap.last_applied_gtid.empty() ? "-" : gap.last_applied_gtid, gap.already_held, gap.path),
        candidate.name());
    auto after_fill = candidate.state();
    if (!after_fill.ok()) return roll_back(std::move(after_fill).error());
    auto acknowledged = HeldTransactions::parse(after_fill->flavour, gap.acknowledged);
    const bool holds = acknowledged.ok() && HeldTransactions::of_server(*after_fill).holds(*acknowledged);
    r.archive = repo::ArchiveVerdict{source, gap.acknowledged, holds};
    r.nothing_acknowledged_lost = holds;
    if (!holds) {
      return roll_back(
          Error(ErrorCode::kServer,
                fmt::format("after the gap fill it still lacks transactions the archive acknowledged "
                            "({}; it has {}): it is not promoted",
                            gap.acknowledged, executed_text(*after_fill)))
              .at_r(candidate.name()));
    }
  }

  // An automatic failover acts only while its watcher still holds the lease: the gap fill may have taken
  // long. Until here everything is put back.
  if (options.term && options.authority) {
    if (Status s = steps.run("the lease is still this watcher's", candidate.name(), options.authority);
        !s.ok())
      return roll_back(std::move(s).error());
  }
  if (Status s = repoint(steps, repointing, candidate_address); !s.ok())
    return roll_back(std::move(s).error());
  if (Status s = validate_replicating(steps, repointing, options.validate_timeout); !s.ok()) {
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
  steps.note(fmt::format("promoted: takes writes, {} replica(s) follow it", repointing.size()),
             candidate.name());

  // After the promotion: failures are reported, the promotion stands.
  std::optional<Error> after_error;
  if (options.term) {
    if (Status s = steps.run(
            fmt::format("record term {}", *options.term), candidate.name(),
            [&] { return record_term(candidate.connection(), *options.term, options.term_holder); });
        !s.ok()) {
      after_error = std::move(s).error();
    }
  }
  if (Status s = run_hook(steps, "--fence-command", options.fence_command, env, options.hook_timeout);
      !s.ok()) {
    after_error = std::move(s).error();
  }
  if (Status s = run_hook(steps, "--hook-post", options.hook_post, env, options.hook_timeout); !s.ok()) {
    if (!after_error) after_error = std::move(s).error();
  }
  r.after = snapshot_servers(
      topology::discover_topology(options.servers, options.connection, options.remembered_server_ids));
  return finish(result, options, Outcome::kPromoted, std::move(after_error));
}

}  // namespace mzl::failover
