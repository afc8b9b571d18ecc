#include "mzl/failover/gap_fill.h"

#include <charconv>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "mzl/archive/archive_state.h"
#include "mzl/replay/replay_archive.h"
#include "mzl/replay/statement_sink.h"
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/serve/catch_up.h"

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

constexpr const char* kGapFillConnection = "mzl_gap_fill";
constexpr unsigned kGapFillThreads = 8;

// Why the served path cannot fill this candidate's gap ("" when it can).
std::string served_unsuitable(ControlledServer& candidate) {
  if (const char* forced = std::getenv("MZL_GAP_FILL_STATEMENTS"); forced && *forced && *forced != '0')
    return "MZL_GAP_FILL_STATEMENTS is set";
  if (candidate.flavour() != topology::Flavour::kMariaDb) return "a MySQL candidate";
  auto logs = candidate.connection().scalar("SELECT @@global.log_slave_updates");
  if (!logs.ok() || !logs->has_value() || **logs != "1")
    return "log_slave_updates is off (its applier would not log the gap for the other replicas)";
  return "";
}

// The gap through the candidate's own applier, from the archive as it is now (the files to their present
// end; `acknowledged` is what the dry run found complete in them).
Status fill_served(const std::string& repo, const std::string& source, ControlledServer& candidate,
                   const HeldTransactions& held, const std::string& acknowledged) {
  serve::CatchUpOptions options;
  options.repo = repo;
  options.source = source;
  options.until = acknowledged;
  options.start = held.to_string();
  options.connection = kGapFillConnection;
  options.parallel_threads = kGapFillThreads;
  options.stall_timeout = std::chrono::seconds(30);
  auto end = serve::files_as_they_are(repo::source_dir(repo, source));
  return serve::catch_up_from_archive(candidate.connection(), options, end.get());
}

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
  // A server that was primary more than once (1, failed over to 2, back to 1) has an archive per term: the
  // live one is the one no later source follows (archive_state.h "follows"); the others are closed history.
  std::vector<std::string> matching;
  std::set<std::string> followed;
  for (const auto& s : sources) {
    auto state = archive::read_archive_state(repo::archive_state_path(repo, s));
    if (!state.ok()) continue;
    if (state->follows) followed.insert(state->follows->source);
    if (state->server.server_id == old_primary_server_id) matching.push_back(s);
  }
  if (matching.size() > 1) {
    std::erase_if(matching, [&](const std::string& s) { return followed.count(s) != 0; });
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

namespace {

// The statements path (and the dry run, which only counts).
Result<GapFill> fill_by_statements(const std::string& repo, const std::string& source,
                                   ControlledServer* candidate, const topology::ServerState& candidate_state,
                                   bool dry_run) {
  GapFill fill;
  fill.path = "statements";
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

}  // namespace

Result<GapFill> fill_gap_from_archive(const std::string& repo, const std::string& source,
                                      ControlledServer* candidate,
                                      const topology::ServerState& candidate_state, bool dry_run) {
  if (dry_run || candidate == nullptr)
    return fill_by_statements(repo, source, candidate, candidate_state, true);
  if (std::string why = served_unsuitable(*candidate); !why.empty()) {
    MZL_TRY(GapFill fill, fill_by_statements(repo, source, candidate, candidate_state, false));
    fill.path = "statements: " + why;
    return fill;
  }
  // Counted first (a dry run), then replicated up to what the dry run found complete in the files.
  MZL_TRY(GapFill counted, fill_by_statements(repo, source, nullptr, candidate_state, true));
  counted.path = "served";
  if (counted.applied == 0) return counted;
  const HeldTransactions held = HeldTransactions::of_server(candidate_state);
  Status served = fill_served(repo, source, *candidate, held, counted.acknowledged);
  if (served.ok()) return counted;
  // What it applied stays (the old primary's own history); the statements apply the rest.
  MZL_TRY(auto now, candidate->state());
  MZL_TRY(GapFill rest, fill_by_statements(repo, source, candidate, now, false));
  rest.path = "served, then statements (" + served.error().message + ")";
  rest.applied = counted.applied;
  rest.first_applied_gtid = counted.first_applied_gtid;
  rest.already_held = counted.already_held;
  return rest;
}

}  // namespace mzl::failover
