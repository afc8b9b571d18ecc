// mzl-verify: prove that the backups can restore: every snapshot intact, the binlog archive continuous, and
// the point-in-time-recovery window per source (man/mzl-verify.1).
#include <fmt/format.h>

#include "cli.h"
#include "common_options.h"
#include "mzl/net/dsn.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/verify/server_compare.h"
#include "mzl/verify/verify_command.h"
#include "progress.h"

namespace {

constexpr const char* kProgram = "mzl-verify";

struct TablesFlags {
  std::string source, target;
  std::vector<std::string> databases, tables, exclude;
  unsigned threads = 2;
  uint64_t chunk_rows = 100'000;
  unsigned replica_wait = 300;
  bool chunks_only = false;
};

mzl::Result<int> tables_command(const TablesFlags& flags, const mzl::net::ConnectionOptions& connection,
                                bool json) {
  using namespace mzl;
  verify::ServerCompareOptions options;
  MZL_TRY(options.source, net::apply_dsn(connection, flags.source));
  MZL_TRY(options.target, net::apply_dsn(connection, flags.target));
  options.filter.databases = flags.databases;
  options.filter.tables = flags.tables;
  options.filter.exclude = flags.exclude;
  options.threads = flags.threads;
  options.chunk_rows = flags.chunk_rows;
  options.replica_wait = std::chrono::seconds(flags.replica_wait);
  options.checksum_table_first = !flags.chunks_only;
  MZL_TRY(auto report, verify::compare_servers(options));
  fmt::print("{}", verify::describe_server_compare(report, json));
  return report.ok() ? kExitOk : kExitProblem;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Verify backups: every snapshot in the repository (manifest, size and SHA-256 of every file, frames "
      "decode,\n"
      "row counts) and each source's binlog archive (event CRC32s, header chain, ROTATE to the next file, no "
      "file\n"
      "missing, no GTID hole since the oldest snapshot), then print the window each source can be restored "
      "in.\n"
      "--snapshot ID, --binlog FILE... or - (a snapshot stream on stdin) check one piece; 'tables' compares "
      "two\nlive servers' rows.",
      kProgram};
  mzl::tool::configure_app(app, kProgram);

  mzl::verify::VerifyRequest request;
  std::string stdin_marker;
  app.add_option("--repo", request.repo, "Backup repository: verify all of it (or the --snapshot in it)");
  app.add_option("--snapshot", request.snapshot_id, "Only the snapshot DIR/snapshots/<ID>/");
  app.add_option("--binlog", request.binlogs, "Only these binlog files or directories, as one sequence")
      ->expected(1, -1);
  app.add_option("--start-gtid", request.start_gtid,
                 "With --binlog: the GTID state the files must continue without a hole");
  app.add_option("stream", stdin_marker, "'-': verify a snapshot stream (mzl-snapshot --output -) on stdin")
      ->check(CLI::IsMember({"-"}));
  app.add_option("--threads", request.snapshot_options.threads,
                 "Snapshot files checked in parallel (default: one per CPU)")
      ->check(CLI::Range(0, 256));
  app.add_flag("--check-rows", request.snapshot_options.check_rows,
               "Also parse every row's fields (slower; rows are always counted)");
  app.add_flag("--json", request.json, "One JSON object on stdout instead of the report");
  app.add_option("--metrics-file", request.metrics_file,
                 "Write Prometheus textfile metrics (result, problems, window per source) here");

  TablesFlags tables;
  auto* tables_cmd = app.add_subcommand(
      "tables",
      "Compare the rows of two live servers by chunked checksums over primary-key ranges, at one GTID of the "
      "source (a replica target is run up to it)");
  tables_cmd
      ->add_option("--source", tables.source,
                   "The source server: h=host,P=port,u=user,S=socket,F=file "
                   "or host[:port]")
      ->required();
  tables_cmd->fallthrough();  // connection and option-file flags may follow "tables"
  tables_cmd->add_option("--target", tables.target, "The server compared with it (often its replica)")
      ->required();
  tables_cmd->add_option("--databases", tables.databases, "Only these databases (comma-separated)")
      ->delimiter(',');
  tables_cmd->add_option("--tables", tables.tables, "Only these db.table (comma-separated, * and ? allowed)")
      ->delimiter(',');
  tables_cmd->add_option("--exclude", tables.exclude, "Leave out these db or db.table")->delimiter(',');
  tables_cmd->add_option("--threads", tables.threads, "Connections per server (default 2)")
      ->check(CLI::Range(1, 64));
  tables_cmd->add_option("--chunk-rows", tables.chunk_rows, "Rows per checksum chunk (default 100000)")
      ->check(CLI::Range(uint64_t{100}, uint64_t{1} << 40));
  tables_cmd->add_option("--replica-wait", tables.replica_wait,
                         "Seconds a replica target may take to reach the source's GTID (default 300)");
  tables_cmd->add_flag("--chunks-only", tables.chunks_only,
                       "Skip the CHECKSUM TABLE pass: compare every table chunk by chunk");
  tables_cmd->add_flag("--json", request.json, "One JSON object on stdout instead of the report");

  mzl::tool::CommonOptions common(kProgram);
  mzl::tool::add_common_flags(app, common);

  return mzl::tool::run_with_exit_code(app, argc, argv, [&]() -> mzl::Result<int> {
    using namespace mzl;
    MZL_CHECK(common.apply_option_files(app));
    if (tables_cmd->parsed()) {
      MZL_TRY(auto connection, common.connection_options());
      return tables_command(tables, connection, request.json);
    }
    request.stream = stdin_marker == "-";
    if (!request.repo.empty()) MZL_CHECK(repo::require_repository(request.repo));
    ProgressCounter progress;
    tool::ProgressBar bar("verify");
    if (bar.enabled()) request.progress = &progress;
    Result<verify::VerifyOutcome> verified = [&] {
      tool::ProgressFollower follow(bar, progress);
      return verify::run_verify(request);
    }();
    bar.finish();
    MZL_TRY(auto outcome, std::move(verified));
    fmt::print("{}", outcome.report);
    return outcome.problems == 0 ? kExitOk : kExitProblem;
  });
}
