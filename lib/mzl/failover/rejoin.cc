// run_rejoin (promotion.h): a returned old primary becomes a replica of the new one.
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "mzl/failover/extra_transactions.h"
#include "mzl/failover/held_transactions.h"
#include "mzl/failover/promotion.h"
#include "mzl/failover/promotion_common.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/topology/server_probe.h"

namespace mzl::failover {

using namespace detail;
using repo::Outcome;

namespace {

// The newest promotion whose old primary is `server` (by address, or by server_id).
std::optional<repo::FailoverRecord> last_promotion_from(const std::vector<repo::FailoverRecord>& records,
                                                        const topology::ServerAddress& address,
                                                        uint32_t server_id) {
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (it->outcome != Outcome::kPromoted || it->kind == repo::RunKind::kRejoin) continue;
    auto old = topology::ServerAddress::parse(it->old_primary.address);
    if ((old.ok() && old->same_as(address)) || (server_id != 0 && it->old_primary.server_id == server_id)) {
      return *it;
    }
  }
  return std::nullopt;
}

// MariaDB without a record: every GTID of the rejoining server's binlog position is in the new primary's
// binlog state (per domain and server), i.e. it has nothing the cluster lacks.
Result<bool> held_by_binlog_state(ControlledServer& new_primary, const topology::ServerState& rejoining) {
  auto state = new_primary.connection().scalar("SELECT @@global.gtid_binlog_state");
  if (!state.ok()) return std::move(state).error().at_r(new_primary.name());
  gtid::MariaGtidState binlog_state;
  const std::string text = state->value_or("");
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    MZL_TRY(gtid::MariaGtid one, gtid::MariaGtid::parse(text.substr(begin, end - begin)));
    binlog_state.add(one);
    begin = end + 1;
  }
  for (const auto& [domain, gtid] : rejoining.gtid_binlog_pos.gtids()) {
    if (!binlog_state.contains(gtid)) return false;
  }
  return true;
}

}  // namespace

PromotionResult run_rejoin(const PromoteOptions& options, const topology::ServerAddress& rejoining_address,
                           bool flashback) {
  PromotionResult result;
  repo::FailoverRecord& r = result.record;
  r.kind = repo::RunKind::kRejoin;
  r.started = repo::utc_time_text(std::chrono::system_clock::now());
  StepLog steps(r, options.log);

  std::vector<topology::ServerAddress> addresses = options.servers;
  if (std::none_of(addresses.begin(), addresses.end(),
                   [&](const auto& a) { return a.same_as(rejoining_address); })) {
    addresses.push_back(rejoining_address);
  }
  const topology::Topology t = topology::discover_topology(addresses, options.connection);
  r.before = snapshot_servers(t);
  r.old_primary.address = rejoining_address.to_string();
  size_t rejoining = 0;
  for (size_t i = 0; i < t.servers.size(); ++i)
    if (t.servers[i].address.same_as(rejoining_address)) rejoining = i;
  const topology::ServerState* old_state = t.state(rejoining);
  if (!old_state) {
    return finish(result, options, Outcome::kRefused,
                  Error(ErrorCode::kNetwork, fmt::format("--rejoin {} does not answer: {}",
                                                         r.old_primary.address, t.servers[rejoining].error)));
  }
  r.old_primary.server_id = old_state->server_id;

  std::vector<repo::FailoverRecord> records;
  if (!options.repo.empty()) {
    auto read = repo::read_failover_records(options.repo);
    if (!read.ok()) return finish(result, options, Outcome::kRefused, std::move(read).error());
    records = std::move(*read);
  }
  const auto promotion = last_promotion_from(records, rejoining_address, old_state->server_id);

  // The new primary: the topology's (the server the replicas follow), else the record's.
  std::optional<size_t> new_index;
  if (t.primary && *t.primary != rejoining) new_index = t.primary;
  if (!new_index && promotion) {
    for (size_t i = 0; i < t.servers.size(); ++i) {
      auto address = topology::ServerAddress::parse(promotion->new_primary.address);
      if (address.ok() && t.servers[i].address.same_as(*address)) new_index = i;
    }
  }
  if (!new_index || !t.state(*new_index)) {
    return finish(
        result, options, Outcome::kRefused,
        refusal(fmt::format("cannot tell the new primary to rejoin {} to{}{}", r.old_primary.address,
                            t.notes.empty() ? "" : ": ", fmt::format("{}", fmt::join(t.notes, "; ")))));
  }
  const topology::ServerAddress new_address = t.servers[*new_index].address;
  const topology::ServerState& new_state = *t.state(*new_index);
  r.new_primary = {new_address.to_string(), new_state.server_id};
  if (!new_state.writable()) {
    return finish(result, options, Outcome::kRefused,
                  refusal(fmt::format("the new primary {} is read-only", r.new_primary.address)));
  }
  for (const auto& channel : old_state->channels) {
    if (channel.source.same_as(new_address)) {
      return finish(result, options, Outcome::kRefused,
                    refusal(fmt::format("{} already replicates from {}", r.old_primary.address,
                                        r.new_primary.address)));
    }
  }
  if (promotion) {
    r.fork_position = promotion->fork_position;
    steps.note(fmt::format("the failover record {} forks the history at {}", promotion->id, r.fork_position),
               r.new_primary.address);
  }
  if (options.dry_run) {
    steps.note("would be made read-only, its transactions after the fork listed and saved" +
                   std::string(flashback ? " and undone" : ""),
               r.old_primary.address);
    steps.note(fmt::format("would replicate from {}", r.new_primary.address), r.old_primary.address);
    return finish(result, options, Outcome::kDryRun, std::nullopt);
  }

  auto lock = lock_repository(options);
  if (!lock.ok()) return finish(result, options, Outcome::kRefused, std::move(lock).error());
  auto old_connected = ControlledServer::connect(rejoining_address, options.connection);
  if (!old_connected.ok())
    return finish(result, options, Outcome::kRefused, std::move(old_connected).error());
  ControlledServer& old_primary = *old_connected;
  auto new_connected = ControlledServer::connect(new_address, options.connection);
  if (!new_connected.ok())
    return finish(result, options, Outcome::kRefused, std::move(new_connected).error());
  ControlledServer& new_primary = *new_connected;

  // Fenced first: from here on it takes no writes, whatever follows.
  if (Status s =
          steps.run("make it read-only", old_primary.name(), [&] { return old_primary.set_read_only(); });
      !s.ok()) {
    return finish(result, options, Outcome::kFailed, std::move(s).error());
  }
  (void)steps.run("end its client sessions", old_primary.name(), [&]() -> Status {
    MZL_TRY(unsigned killed, old_primary.kill_client_sessions());
    steps.note(fmt::format("{} client session(s) ended", killed), old_primary.name());
    return ok_status();
  });
  auto fenced_state = old_primary.state();
  if (!fenced_state.ok()) return finish(result, options, Outcome::kFailed, std::move(fenced_state).error());

  // Its transactions after the fork.
  bool has_extra = false;
  std::optional<HeldTransactions> fork;
  if (promotion) {
    auto parsed = HeldTransactions::parse(fenced_state->flavour, promotion->fork_position);
    if (!parsed.ok()) return finish(result, options, Outcome::kFailed, std::move(parsed).error());
    fork = std::move(*parsed);
    has_extra = !fork->holds(HeldTransactions::of_server(*fenced_state));
  } else {
    // Without a record: MySQL, its gtid_executed within the new primary's; MariaDB, its binlog position
    // within the new primary's binlog state.
    auto held = fenced_state->flavour == topology::Flavour::kMysql
                    ? Result<bool>(new_state.gtid_executed.contains(fenced_state->gtid_executed))
                    : held_by_binlog_state(new_primary, *fenced_state);
    if (!held.ok()) return finish(result, options, Outcome::kFailed, std::move(held).error());
    if (!*held) {
      return finish(
          result, options, Outcome::kRefused,
          refusal(fmt::format("{} has transactions the new primary lacks, and no failover record in "
                              "--repo says where its history forked: give --repo",
                              r.old_primary.address)));
    }
  }

  std::string rejoin_message;
  if (has_extra) {
    // rejoin-<time>, or rejoin-<time>-2, ... when an earlier run of the same second saved there.
    const std::string base = fmt::format("{}/rejoin-{}", repo::failovers_dir(options.repo),
                                         repo::snapshot_id_for(std::chrono::system_clock::now()));
    std::string dir = base;
    std::error_code ec;
    for (int n = 2; std::filesystem::exists(dir, ec); ++n) dir = fmt::format("{}-{}", base, n);
    ExtraTransactions extra;
    Status saved = steps.run("save its transactions after the fork", old_primary.name(), [&]() -> Status {
      MZL_TRY(extra, save_extra_transactions(old_primary, options.connection, *fork, dir));
      return ok_status();
    });
    if (!saved.ok()) return finish(result, options, Outcome::kFailed, std::move(saved).error());
    rejoin_message = fmt::format("{} transaction(s) the cluster lacks ({}) saved to {}", extra.gtids.size(),
                                 fmt::join(extra.gtids, ","), extra.sql_path);
    steps.note(rejoin_message, old_primary.name());
    if (!flashback) {
      return finish(
          result, options, Outcome::kRefused,
          refusal(fmt::format("{} has {}; it stays read-only. Undo them with --rejoin --flashback, or "
                              "apply them on the new primary by hand first",
                              r.old_primary.address, rejoin_message)));
    }
    Status undone = steps.run("undo them (flashback)", old_primary.name(), [&]() -> Status {
      MZL_TRY(replay::FlashbackStats stats,
              undo_extra_transactions(extra, topology::options_for(rejoining_address, options.connection)));
      steps.note(fmt::format("{} transaction(s), {} row(s) undone", stats.transactions, stats.rows),
                 old_primary.name());
      return ok_status();
    });
    if (!undone.ok()) return finish(result, options, Outcome::kFailed, std::move(undone).error());
    if (Status s = steps.run(fmt::format("drop its binary logs, GTID state {}", promotion->fork_position),
                             old_primary.name(),
                             [&] { return old_primary.reset_to_gtid_state(promotion->fork_position); });
        !s.ok()) {
      return finish(result, options, Outcome::kFailed, std::move(s).error());
    }
  } else if (Status s = steps.run("replicate from what its binary log holds", old_primary.name(),
                                  [&] { return old_primary.slave_pos_from_binlog(); });
             !s.ok()) {
    return finish(result, options, Outcome::kFailed, std::move(s).error());
  }

  const ReplicationCredentials credentials = replication_credentials(options);
  std::vector<Repointing> rejoined{{&old_primary, "", new_address, false}};
  Status replicating =
      steps.run(fmt::format("replicate from {}", r.new_primary.address), old_primary.name(), [&]() -> Status {
        MZL_CHECK(old_primary.change_source("", new_address, &credentials));
        return old_primary.start_replication("");
      });
  if (replicating.ok()) replicating = validate_replicating(steps, rejoined, options.validate_timeout);
  if (!replicating.ok()) {
    (void)steps.run("stop replication again", old_primary.name(), [&]() -> Status {
      (void)old_primary.stop_replication("");
      return old_primary.reset_replication("");
    });
    return finish(result, options, Outcome::kFailed, std::move(replicating).error());
  }
  r.after = snapshot_servers(topology::discover_topology(addresses, options.connection));
  r.message = rejoin_message;
  return finish(result, options, Outcome::kRejoined, std::nullopt);
}

}  // namespace mzl::failover
