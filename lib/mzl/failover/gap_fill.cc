#include "mzl/failover/gap_fill.h"

#include <charconv>

#include <fmt/format.h>

#include "mzl/archive/archive_state.h"
#include "mzl/replay/replay_archive.h"
#include "mzl/replay/statement_sink.h"
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"

namespace mzl::failover {
namespace {

// The first archive file holding a transaction that `held` lacks: the oldest closed file whose last GTID is
// not held, else the current file.
std::string first_file_needed(const archive::ArchiveState& state, const HeldTransactions& held) {
  for (const archive::ClosedFileInfo& file : state.closed_files) {
    if (!file.last_gtid.empty() && !held.holds(file.last_gtid)) return file.name;
  }
  return state.current_file.empty() && !state.closed_files.empty() ? state.closed_files.back().name
                                                                   : state.current_file;
}

// The dry run's sink: every transaction is declined, so only the events outside transactions come here.
class DiscardingSink : public replay::StatementSink {
 public:
  Status statement(std::string_view, const replay::EventPlace&) override { return ok_status(); }
  Status flush() override { return ok_status(); }
};

}  // namespace

Result<std::string> choose_archive_source(const std::string& repo, const std::string& source,
                                          uint32_t old_primary_server_id) {
  MZL_TRY(std::vector<std::string> sources, repo::list_sources(repo::local_storage(), repo));
  if (!source.empty()) {
    for (const auto& s : sources)
      if (s == source) return s;
    return Error(ErrorCode::kNotFound,
                 fmt::format("the repository has no archive of source '{}' (it has: {})", source,
                             sources.empty() ? "none" : fmt::format("{}", fmt::join(sources, ", "))))
        .at_r(repo);
  }
  std::vector<std::string> matching;
  for (const auto& s : sources) {
    auto state = archive::read_archive_state(repo::archive_state_path(repo, s));
    if (state.ok() && state->server.server_id == old_primary_server_id) matching.push_back(s);
  }
  if (matching.size() == 1) return matching.front();
  return Error(ErrorCode::kNotFound,
               fmt::format(
                   "{} archive{} of the old primary (server_id {}) among the sources ({}): name the one "
                   "to fill the gap from with --source",
                   matching.empty() ? "no" : "more than one", matching.empty() ? "" : "s",
                   old_primary_server_id,
                   sources.empty() ? "none" : fmt::format("{}", fmt::join(sources, ", "))))
      .at_r(repo);
}

Result<GapFill> fill_gap_from_archive(const std::string& repo, const std::string& source,
                                      ControlledServer* candidate,
                                      const topology::ServerState& candidate_state, bool dry_run) {
  GapFill fill;
  fill.source = source;
  fill.archive_dir = repo::source_dir(repo, source);
  MZL_TRY(const archive::ArchiveState state,
          archive::read_archive_state(repo::archive_state_path(repo, source)));
  const HeldTransactions held = HeldTransactions::of_server(candidate_state);
  MZL_TRY(HeldTransactions acknowledged,
          HeldTransactions::parse(candidate_state.flavour, state.gtid_position));
  fill.start_file = first_file_needed(state, held);
  if (fill.start_file.empty()) {
    fill.acknowledged = acknowledged.to_string();
    return fill;  // nothing archived yet
  }

  replay::ReplayOptions options;
  options.archive_dir = fill.archive_dir;
  options.start_file = fill.start_file;
  options.preserve_gtids = true;
  // A transaction is acknowledged once the next one starts, or at the archive's end unless the archive ends
  // inside it.
  std::string pending;
  options.wants_transaction = [&](const std::string& gtid) {
    if (!pending.empty()) acknowledged.add(pending);
    pending = gtid;
    if (held.holds(gtid)) {
      ++fill.already_held;
      return false;
    }
    if (fill.first_applied_gtid.empty()) fill.first_applied_gtid = gtid;
    if (dry_run) {
      ++fill.applied;
      fill.last_applied_gtid = gtid;
      return false;
    }
    return true;
  };

  replay::ReplayStats stats;
  if (dry_run || candidate == nullptr) {
    DiscardingSink discard;
    MZL_TRY(stats, replay::replay_archive(options, discard));
  } else {
    options.collations = replay::read_collations(candidate->connection());
    MZL_TRY(auto sink, replay::ServerStatementSink::create(candidate->connection()));
    auto replayed = replay::replay_archive(options, *sink);
    if (!replayed.ok()) return std::move(replayed).error().at_r(candidate->name());
    stats = *replayed;
    fill.applied = stats.transactions - (stats.rolled_back ? 1 : 0);
    fill.last_applied_gtid = stats.last_gtid;
  }
  if (!pending.empty() && !stats.ended_inside_transaction) acknowledged.add(pending);
  fill.acknowledged = acknowledged.to_string();
  fill.bytes = stats.bytes;
  return fill;
}

}  // namespace mzl::failover
