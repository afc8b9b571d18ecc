// mzl-verify: prove that the backups can restore: every snapshot intact, the binlog archive continuous, and
// the point-in-time-recovery window per source (man/mzl-verify.1).
#include <fmt/format.h>

#include "cli.h"
#include "connection_flags.h"
#include "mzl/verify/verify_command.h"

namespace {

constexpr const char* kProgram = "mzl-verify";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Verify backups: every snapshot in the repository (manifest, size and SHA-256 of every file, frames "
      "decode,\n"
      "row counts) and each source's binlog archive (event CRC32s, header chain, ROTATE to the next file, no "
      "file\n"
      "missing, no GTID hole since the oldest snapshot), then print the window each source can be restored "
      "in.\n"
      "--snapshot ID, --binlog FILE... or - (a snapshot stream on stdin) check one piece.",
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

  mzl::tool::OptionFileFlags option_files;
  mzl::tool::add_option_file_flags(app, option_files);

  return mzl::tool::run_with_exit_code(app, argc, argv, [&]() -> mzl::Result<int> {
    using namespace mzl;
    MZL_TRY(auto files, tool::load_option_files(option_files));
    MZL_CHECK(tool::apply_option_files(app, files, kProgram, option_files.defaults_group_suffix));
    request.stream = stdin_marker == "-";
    MZL_TRY(auto outcome, verify::run_verify(request));
    fmt::print("{}", outcome.report);
    return outcome.problems == 0 ? kExitOk : kExitProblem;
  });
}
