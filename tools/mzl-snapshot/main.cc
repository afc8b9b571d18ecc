// mzl-snapshot: take a consistent, parallel, compressed, checksummed snapshot into the backup repository (or
// as a tar stream), list the snapshots, and prune them by a retention policy (man/mzl-snapshot.1).
#include <fmt/format.h>

#include "cli.h"
#include "common_options.h"
#include "mzl/snapshot/prune.h"
#include "mzl/snapshot/snapshot_list.h"
#include "mzl/snapshot/snapshot_metrics.h"
#include "mzl/snapshot/take_snapshot.h"
#include "mzl/util/stop_signal.h"
#include "progress.h"

namespace {

constexpr const char* kProgram = "mzl-snapshot";

struct TakeFlags {
  std::string repo;
  std::string output;
  std::string source;
  unsigned threads = 2;
  std::string compress = "lz4";
  int compress_level = 0;
  uint64_t chunk_rows = 1'000'000;
  uint64_t file_size_mb = 64;
  std::vector<std::string> databases, tables, exclude;
  bool users = false;
  bool json = false;
  std::string metrics_file;
};

struct PruneFlags {
  mzl::snapshot::RetentionPolicy policy;
  bool dry_run = false;
};

mzl::Status take_command(const TakeFlags& flags, const mzl::net::ConnectionOptions& connection) {
  using namespace mzl;
  snapshot::SnapshotOptions options;
  options.connection = connection;
  if (flags.output == "-") {
    options.to_stdout = true;
  } else if (!flags.output.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "--output takes only '-' (a tar stream on stdout); use --repo DIR");
  } else if (flags.repo.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--repo DIR or --output - is required");
  }
  options.repo = flags.repo;
  options.source = flags.source;
  options.threads = flags.threads;
  MZL_TRY(options.compression, snapshot::parse_compression(flags.compress));
  options.compression_level = flags.compress_level;
  options.chunk_rows = flags.chunk_rows;
  options.file_size = flags.file_size_mb << 20;
  options.filter.databases = flags.databases;
  options.filter.tables = flags.tables;
  options.filter.exclude = flags.exclude;
  options.users = flags.users;
  tool::ProgressBar bar("snapshot");
  if (bar.enabled()) {
    options.progress = [&bar](const snapshot::SnapshotProgress& p) {
      bar.update(p.raw_bytes, p.estimated_bytes,
                 fmt::format("{}/{} tables  {} rows", p.tables_done, p.tables_total, p.rows));
    };
  }
  install_stop_handlers();
  MZL_TRY(auto manifest, snapshot::take_snapshot_recorded(options, flags.metrics_file));
  bar.finish();
  std::string summary = snapshot::describe_snapshot(manifest, flags.json);
  // With --output - stdout carries the stream: the summary goes to stderr.
  fmt::print(options.to_stdout ? stderr : stdout, "{}", summary);
  return ok_status();
}

mzl::Status prune_command(const std::string& repo, const PruneFlags& flags, bool json) {
  using namespace mzl;
  MZL_CHECK(tool::require_repo_flag(repo, "prune needs --repo DIR"));
  MZL_TRY(auto plan, snapshot::plan_prune(repo, flags.policy));
  fmt::print("{}", snapshot::describe_prune_plan(plan, json));
  if (flags.dry_run) return ok_status();
  return snapshot::apply_prune(repo, plan);
}

mzl::Status list_command(const std::string& repo, bool json) {
  using namespace mzl;
  MZL_CHECK(tool::require_repo_flag(repo, "list needs --repo DIR"));
  MZL_TRY(std::string text, snapshot::list_snapshots(repo, json));
  fmt::print("{}", text);
  return ok_status();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Take a consistent logical snapshot of a MySQL/MariaDB server: every table at one binlog position "
      "(recorded\n"
      "with its GTID set), dumped in parallel, compressed and SHA-256-checksummed into DIR/snapshots/<id>/, "
      "or as\n"
      "a tar stream with --output -. 'list' shows the snapshots; 'prune' applies a retention policy.",
      kProgram};
  mzl::tool::configure_app(app, kProgram);
  app.require_subcommand(0, 1);

  TakeFlags take;
  app.add_option("--repo", take.repo, "Backup repository (snapshots go to DIR/snapshots/<id>/)");
  app.add_flag("--json", take.json, "Machine-readable summary / listing / plan on stdout");
  auto* dump = app.add_option_group("Taking a snapshot");
  dump->add_option("--output", take.output, "'-': write the snapshot as one tar stream to stdout instead");
  dump->add_option("--source", take.source,
                   "The server's name in the repository, as mzl-binlog-tail --source (default host_port)");
  dump->add_option("--threads", take.threads, "Parallel connections (default 2)")->check(CLI::Range(1, 256));
  dump->add_option("--compress", take.compress, "lz4 (default), zstd or none")
      ->check(CLI::IsMember({"lz4", "zstd", "none"}));
  dump->add_option("--compress-level", take.compress_level, "zstd level 1-19 (default 1); lz4 ignores it")
      ->check(CLI::Range(0, 19));
  dump->add_option("--chunk-rows", take.chunk_rows,
                   "Split tables estimated larger than this by primary-key ranges (default 1000000)")
      ->check(CLI::Range(uint64_t{1000}, uint64_t{1} << 40));
  dump->add_option("--file-size", take.file_size_mb,
                   "Start a new data file after this many MiB of uncompressed rows (default 64)")
      ->check(CLI::Range(1, 4096));
  dump->add_option("--databases", take.databases, "Only these databases (comma-separated)")->delimiter(',');
  dump->add_option("--tables", take.tables, "Only these db.table (comma-separated, * and ? allowed)")
      ->delimiter(',');
  dump->add_option("--exclude", take.exclude, "Leave out these db or db.table (comma-separated, * and ?)")
      ->delimiter(',');
  dump->add_flag("--users", take.users, "Also dump user accounts and their grants");
  dump->add_option("--metrics-file", take.metrics_file,
                   "Prometheus textfile written after the run (success, time, size; also when it fails)");

  auto* list = app.add_subcommand("list", "List the repository's snapshots (id, time, size, GTID, tables)");
  PruneFlags prune;
  auto* prune_cmd = app.add_subcommand(
      "prune",
      "Remove the snapshots outside the retention policy, and the archived binlogs no remaining "
      "snapshot needs");
  prune_cmd->add_option("--keep-last", prune.policy.keep_last, "Keep the N newest snapshots");
  prune_cmd->add_option("--keep-hourly", prune.policy.keep_hourly,
                        "Keep the newest of each of the last N hours");
  prune_cmd->add_option("--keep-daily", prune.policy.keep_daily, "... of the last N days (UTC)");
  prune_cmd->add_option("--keep-weekly", prune.policy.keep_weekly, "... of the last N ISO weeks");
  prune_cmd->add_option("--keep-monthly", prune.policy.keep_monthly, "... of the last N months");
  prune_cmd->add_flag("--dry-run", prune.dry_run, "Print the plan, remove nothing");
  for (auto* sub : {list, prune_cmd}) {
    sub->add_option("--repo", take.repo, "Backup repository");
    sub->add_flag("--json", take.json, "Machine-readable output");
  }

  mzl::tool::CommonOptions common(kProgram);
  mzl::tool::add_common_flags(app, common);

  return mzl::tool::run(app, argc, argv, [&]() -> mzl::Status {
    using namespace mzl;
    MZL_CHECK(common.apply_option_files(app));
    if (list->parsed()) return list_command(take.repo, take.json);
    if (prune_cmd->parsed()) return prune_command(take.repo, prune, take.json);
    MZL_TRY(auto connection, common.connection_options());
    return take_command(take, connection);
  });
}
