#include "mzl/failover/extra_transactions.h"

#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "mzl/archive/tail_session.h"
#include "mzl/replay/replay_archive.h"
#include "mzl/replay/statement_sink.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/topology/server_probe.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/output_stream.h"

namespace mzl::failover {
namespace {

constexpr const char* kSource = "extra";

// The GTIDs of a Gtid_list / Previous_gtids event's Info column: "[0-1-957,0-3-12]" (MariaDB) or a GTID set
// (MySQL).
Result<HeldTransactions> gtids_of_list_event(topology::Flavour flavour, std::string info) {
  if (!info.empty() && info.front() == '[') info = info.substr(1, info.size() - (info.back() == ']' ? 2 : 1));
  HeldTransactions held(flavour);
  if (flavour == topology::Flavour::kMysql) return HeldTransactions::parse(flavour, info);
  size_t begin = 0;
  while (begin < info.size()) {
    size_t end = info.find(',', begin);
    if (end == std::string::npos) end = info.size();
    const std::string one = info.substr(begin, end - begin);
    if (!gtid::MariaGtid::parse(one).ok()) {
      return Error(ErrorCode::kCorrupt, fmt::format("a Gtid_list event lists '{}', which is no GTID", one));
    }
    held.add(one);
    begin = end + 1;
  }
  return held;
}

// The newest binary log of the server whose GTID list (the transactions before it) the fork holds: every
// transaction after the fork is in it or after it.
Result<std::string> file_holding_fork(ControlledServer& server, const HeldTransactions& fork) {
  auto logs = server.connection().query("SHOW BINARY LOGS");
  if (!logs.ok()) return std::move(logs).error().at_r(server.name());
  const char* list_event = server.flavour() == topology::Flavour::kMariaDb ? "Gtid_list" : "Previous_gtids";
  for (auto it = logs->rbegin(); it != logs->rend(); ++it) {
    if (it->empty() || !(*it)[0]) continue;
    const std::string file = *(*it)[0];
    auto events = server.connection().query_named(fmt::format("SHOW BINLOG EVENTS IN '{}' LIMIT 4", file));
    if (!events.ok()) return std::move(events).error().at_r(server.name());
    for (const net::NamedRow& event : *events) {
      auto type = event.find("Event_type");
      auto info = event.find("Info");
      if (type == event.end() || !type->second || *type->second != list_event) continue;
      MZL_TRY(
          HeldTransactions before,
          gtids_of_list_event(server.flavour(), info != event.end() && info->second ? *info->second : ""));
      if (fork.holds(before)) return file;
    }
  }
  return Error(ErrorCode::kNotFound,
               fmt::format("no binary log of the server starts at or before the fork {} (were they purged?)",
                           fork.to_string()))
      .at_r(server.name());
}

// Writes the SQL of the extra transactions to `path` durably (a temporary name, fsync, rename, fsync).
Result<std::vector<std::string>> write_extra_sql(const std::string& archive_dir,
                                                 const std::string& start_file, const HeldTransactions& fork,
                                                 const std::string& path) {
  const std::string temporary = path + ".tmp";
  MZL_TRY(std::unique_ptr<OutputStream> out, open_output(temporary));
  std::vector<std::string> gtids;
  {
    replay::TextStatementSink sink(*out);
    replay::ReplayOptions options;
    options.archive_dir = archive_dir;
    options.start_file = start_file;
    options.preserve_gtids = true;
    options.wants_transaction = [&](const std::string& gtid) {
      if (fork.holds(gtid)) return false;
      gtids.push_back(gtid);
      return true;
    };
    MZL_TRY(replay::ReplayStats stats, replay::replay_archive(options, sink));
    (void)stats;
  }
  MZL_CHECK(out->sync());
  MZL_CHECK(out->close());
  MZL_CHECK(real_file_system().rename(temporary, path));
  MZL_CHECK(fsync_directory(std::string(std::filesystem::path(path).parent_path())));
  return gtids;
}

}  // namespace

Result<ExtraTransactions> save_extra_transactions(ControlledServer& server,
                                                  const net::ConnectionOptions& connection,
                                                  const HeldTransactions& fork, const std::string& dir) {
  ExtraTransactions extra;
  extra.dir = dir;
  extra.archive_dir = repo::source_dir(dir, kSource);
  MZL_CHECK(create_private_directories(dir));
  MZL_TRY(extra.start_file, file_holding_fork(server, fork));

  archive::TailOptions tail;
  tail.connection = topology::options_for(server.address(), connection);
  tail.repo = dir;
  tail.source = kSource;
  // A replica id of its own among the server's replicas (it has none while it is fenced).
  tail.server_id = 4'200'000'000u + static_cast<uint32_t>(::getpid() % 1'000'000);
  tail.start_file = extra.start_file;
  tail.stop_never = false;
  tail.allow_new_source = true;
  tail.max_reconnect_attempts = 1;
  auto copied = archive::run_tail(tail);
  if (!copied.ok()) return std::move(copied).error();
  extra.sql_path = dir + "/extra.sql";
  MZL_TRY(extra.gtids, write_extra_sql(extra.archive_dir, extra.start_file, fork, extra.sql_path));
  return extra;
}

Result<replay::FlashbackStats> undo_extra_transactions(const ExtraTransactions& extra,
                                                       const net::ConnectionOptions& connection) {
  if (extra.gtids.empty()) return replay::FlashbackStats{};
  MZL_TRY(auto session, net::ServerConnection::connect(connection));
  MZL_CHECK(session.execute("SET SESSION sql_log_bin = 0"));
  MZL_TRY(auto sink, replay::ServerStatementSink::create(session));
  replay::FlashbackOptions options;
  options.archive_dir = extra.archive_dir;
  options.start.kind = replay::ReplayStop::Kind::kGtid;
  options.start.gtid = extra.gtids.front();
  options.stop.kind = replay::ReplayStop::Kind::kLatest;
  options.spool_dir = extra.dir;
  return replay::flashback(options, *sink);
}

}  // namespace mzl::failover
