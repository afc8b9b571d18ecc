#include "mzl/failover/promotion_common.h"

#include <thread>

#include <fmt/format.h>

#include "mzl/topology/candidate.h"

namespace mzl::failover::detail {

using topology::Flavour;

std::string executed_text(const topology::ServerState& state) {
  return state.flavour == Flavour::kMariaDb ? state.gtid_binlog_pos.to_string()
                                            : state.gtid_executed.to_string(",");
}

std::vector<repo::ServerSnapshot> snapshot_servers(const topology::Topology& t) {
  std::vector<repo::ServerSnapshot> out;
  for (size_t i = 0; i < t.servers.size(); ++i) {
    repo::ServerSnapshot s;
    s.address = t.servers[i].address.to_string();
    if (const topology::ServerState* state = t.state(i)) {
      s.writable = state->writable();
      s.gtids = executed_text(*state);
      s.role = t.primary && *t.primary == i ? "primary" : t.source_of[i] ? "replica" : "standalone";
      if (t.source_of[i])
        s.source = t.servers[*t.source_of[i]].address.to_string();
      else if (!state->channels.empty())
        s.source = state->channels.front().source.to_string();
    } else {
      s.role = "unreachable";
    }
    out.push_back(std::move(s));
  }
  return out;
}

Environment hook_environment(const repo::FailoverRecord& record, const std::vector<std::string>& replicas) {
  Environment env{{"MZL_PROMOTE_KIND", repo::json_name(record.kind)}};
  const auto add_server = [&](const std::string& prefix, const std::string& address) {
    env.emplace_back(prefix, address);
    auto parsed = topology::ServerAddress::parse(address);
    env.emplace_back(prefix + "_HOST", parsed.ok() ? parsed->host : "");
    env.emplace_back(prefix + "_PORT", parsed.ok() ? std::to_string(parsed->port) : "");
  };
  add_server("MZL_OLD_PRIMARY", record.old_primary.address);
  add_server("MZL_NEW_PRIMARY", record.new_primary.address);
  env.emplace_back("MZL_REPLICAS", fmt::format("{}", fmt::join(replicas, ",")));
  return env;
}

Status run_hook(StepLog& steps, const std::string& what, const std::string& command, const Environment& env,
                std::chrono::milliseconds timeout) {
  if (command.empty()) return ok_status();
  return steps.run(what, "", [&] { return run_shell_command(command, env, timeout); });
}

std::vector<size_t> followers_of(const topology::Topology& t, size_t candidate, StepLog& steps) {
  std::vector<size_t> out;
  for (size_t i : t.replicas) {
    if (i == candidate || t.source_of[i] != t.primary || t.channel(i) == nullptr) continue;
    if (topology::is_broken(*t.channel(i))) {
      steps.note("left alone: broken (its SQL thread stopped with an error)",
                 t.servers[i].address.to_string());
      continue;
    }
    out.push_back(i);
  }
  return out;
}

std::vector<std::string> names_of(const topology::Topology& t, const std::vector<size_t>& servers) {
  std::vector<std::string> out;
  for (size_t i : servers) out.push_back(t.servers[i].address.to_string());
  return out;
}

Result<std::vector<ControlledServer>> connect_all(const topology::Topology& t,
                                                  const std::vector<size_t>& servers,
                                                  const net::ConnectionOptions& connection) {
  std::vector<ControlledServer> out;
  for (size_t i : servers) {
    MZL_TRY(ControlledServer server, ControlledServer::connect(t.servers[i].address, connection));
    out.push_back(std::move(server));
  }
  return out;
}

std::vector<Repointing> repointing_of(const topology::Topology& t, const std::vector<size_t>& followers,
                                      std::vector<ControlledServer>& connected,
                                      const topology::ServerAddress& previous_source) {
  std::vector<Repointing> out;
  for (size_t k = 0; k < followers.size(); ++k) {
    out.push_back({&connected[k], t.channel(followers[k])->name, previous_source, false});
  }
  return out;
}

ReplicationCredentials replication_credentials(const PromoteOptions& options) {
  return {options.replication_user.value_or(options.connection.user),
          options.replication_password.value_or(options.connection.password.value_or(""))};
}

Status repoint(StepLog& steps, std::vector<Repointing>& replicas, const topology::ServerAddress& source) {
  for (Repointing& r : replicas) {
    MZL_CHECK(
        steps.run(fmt::format("replicate from {}", source.to_string()), r.server->name(), [&]() -> Status {
          MZL_CHECK(r.server->stop_replication(r.channel));
          MZL_CHECK(r.server->change_source(r.channel, source));
          r.changed = true;
          return r.server->start_replication(r.channel);
        }));
  }
  return ok_status();
}

Status validate_replicating(StepLog& steps, std::vector<Repointing>& replicas,
                            std::chrono::milliseconds timeout) {
  return steps.run("validate: every repointed replica replicates", "", [&]() -> Status {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (Repointing& r : replicas) {
      while (true) {
        MZL_TRY(const topology::ServerState state, r.server->state());
        const topology::ReplicationChannel* channel = nullptr;
        for (const auto& c : state.channels)
          if (c.name == r.channel) channel = &c;
        if (channel == nullptr) {
          return Error(ErrorCode::kServer, "its replication channel is gone").at_r(r.server->name());
        }
        if (channel->io_thread_running() && channel->sql_running) break;
        if (channel->last_io_errno != 0 || topology::is_broken(*channel)) {
          return Error(ErrorCode::kServer,
                       fmt::format("does not replicate from its new source: {}",
                                   channel->last_io_errno != 0
                                       ? fmt::format("IO error {}: {}", channel->last_io_errno,
                                                     channel->last_io_error)
                                       : fmt::format("SQL error {}: {}", channel->last_sql_errno,
                                                     channel->last_sql_error)))
              .at_r(r.server->name());
        }
        if (std::chrono::steady_clock::now() >= deadline) {
          return Error(ErrorCode::kServer,
                       fmt::format("does not replicate from its new source within {} ms (IO thread: {})",
                                   timeout.count(), channel->io_running))
              .at_r(r.server->name());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    return ok_status();
  });
}

void roll_back_repointing(StepLog& steps, std::vector<Repointing>& replicas) {
  for (Repointing& r : replicas) {
    if (!r.changed) continue;
    (void)steps.run(fmt::format("roll back: replicate from {} again", r.previous_source.to_string()),
                    r.server->name(), [&]() -> Status {
                      (void)r.server->stop_replication(r.channel);
                      MZL_CHECK(r.server->change_source(r.channel, r.previous_source));
                      r.changed = false;
                      return r.server->start_replication(r.channel);
                    });
  }
}

Result<std::optional<repo::DirectoryLock>> lock_repository(const PromoteOptions& options) {
  if (options.repo.empty()) return std::optional<repo::DirectoryLock>();
  MZL_TRY(repo::DirectoryLock lock, repo::lock_failovers(options.repo));
  return std::optional<repo::DirectoryLock>(std::move(lock));
}

Error refusal(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

PromotionResult& finish(PromotionResult& result, const PromoteOptions& options, repo::Outcome outcome,
                        std::optional<Error> error) {
  repo::FailoverRecord& r = result.record;
  r.outcome = outcome;
  r.finished = repo::utc_time_text(std::chrono::system_clock::now());
  if (error) r.message = error->to_string();
  result.error = std::move(error);
  if (!options.repo.empty() && outcome != repo::Outcome::kDryRun) {
    auto path = repo::write_failover_record(options.repo, r);
    if (path.ok()) {
      result.record_path = *path;
    } else if (!result.error) {
      result.error = std::move(path).error();
    }
  }
  return result;
}

}  // namespace mzl::failover::detail
