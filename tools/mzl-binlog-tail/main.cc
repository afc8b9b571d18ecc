// mzl-binlog-tail: archive a server's binary log as a replica, or decode, filter and copy binlog files
// (man/mzl-binlog-tail.1).
#include <fmt/format.h>

#include "cli.h"
#include "common_options.h"
#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/event_filter.h"
#include "mzl/archive/read_binlogs.h"
#include "mzl/archive/tail_session.h"
#include "mzl/net/connection_options.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/serve/serve_run.h"
#include "mzl/util/json_report.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/stop_signal.h"

namespace {

constexpr const char* kProgram = "mzl-binlog-tail";

struct ReadFlags {
  std::vector<std::string> read;
  std::vector<std::string> databases;
  std::vector<std::string> tables;
  std::optional<uint64_t> start_position;
  std::optional<uint64_t> stop_position;
  std::string start_datetime;
  std::string stop_datetime;
  std::string gtid;
  std::string exclude_gtid;
  bool no_verify_checksums = false;
};

struct ArchiveFlags {
  std::string repo;
  std::string source;
  uint32_t server_id = 0;
  bool semi_sync = false;
  bool stop_never = false;
  unsigned fsync_interval_ms = 0;
  unsigned heartbeat_ms = 1000;
  std::string compress = "none";
  std::string start_file;
  uint64_t start_position_archive = 4;
  std::string metrics_file;
  bool allow_new_source = false;
  bool status = false;
  bool json = false;
  std::string schema_history;
  bool no_schema_history = false;
  std::string after_gtid;
};

struct ServeFlags {
  std::string address;
  std::string user = "mzl_replica";
  std::string password_file;
  std::string tls_cert, tls_key;
};

mzl::archive::OutputFormat output_format(const std::string& output) {
  if (output == "raw") return mzl::archive::OutputFormat::kRaw;
  if (output == "maxwell") return mzl::archive::OutputFormat::kMaxwell;
  return mzl::archive::OutputFormat::kJson;
}

mzl::Status read_command(const ReadFlags& flags, const std::string& output) {
  using namespace mzl;
  if (output == "maxwell") {
    return Error(
        ErrorCode::kInvalidArgument,
        "--output maxwell is a change stream's format: use it when streaming a server, not with --read");
  }
  archive::ReadBinlogsOptions options;
  MZL_TRY(options.files, archive::expand_binlog_paths(flags.read));
  options.format = output_format(output);
  options.selection.databases = flags.databases;
  options.selection.tables = flags.tables;
  options.selection.include_gtids = flags.gtid;
  options.selection.exclude_gtids = flags.exclude_gtid;
  if (!flags.start_datetime.empty()) {
    MZL_TRY(options.selection.start_time, archive::parse_datetime(flags.start_datetime));
  }
  if (!flags.stop_datetime.empty()) {
    MZL_TRY(options.selection.stop_time, archive::parse_datetime(flags.stop_datetime));
  }
  options.start_position = flags.start_position;
  options.stop_position = flags.stop_position;
  options.verify_checksums = !flags.no_verify_checksums;
  MZL_TRY(auto out, open_output("-", 1 << 20));
  MZL_TRY(auto stats, archive::read_binlogs(options, *out));
  (void)stats;
  return out->close();
}

// `output`: "" (archive only), json or raw (to stdout, besides the archive or, without --repo, instead).
mzl::Result<mzl::serve::ServeOptions> serve_options(const ServeFlags& flags, const std::string& repo,
                                                    const std::string& source) {
  using namespace mzl;
  if (repo.empty()) return Error(ErrorCode::kInvalidArgument, "--serve needs --repo (the archive it serves)");
  if (flags.password_file.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "--serve needs --serve-password-file: the password replicas log in with as --serve-user");
  }
  serve::ServeOptions options;
  MZL_TRY(options.address, HostPort::parse(flags.address));
  options.repo = repo;
  options.source = source;
  options.user = flags.user;
  MZL_TRY(options.password, net::read_password_file(flags.password_file));
  options.tls_cert = flags.tls_cert;
  options.tls_key = flags.tls_key;
  return options;
}

mzl::Status archive_command(const ArchiveFlags& flags, const std::string& output,
                            const mzl::net::ConnectionOptions& connection, const ServeFlags& serve) {
  using namespace mzl;
  if (flags.repo.empty() && output.empty()) {
    return Error(ErrorCode::kInvalidArgument, "--repo DIR or --output json|raw is required (or use --read)");
  }
  archive::TailOptions options;
  options.connection = connection;
  options.repo = flags.repo;
  options.source = flags.source;
  options.server_id = flags.server_id;
  options.semi_sync = flags.semi_sync;
  options.stop_never = flags.stop_never;
  options.fsync_interval = std::chrono::milliseconds(flags.fsync_interval_ms);
  options.heartbeat_period = std::chrono::milliseconds(flags.heartbeat_ms);
  options.compress_closed_files = flags.compress == "lz4";
  options.start_file = flags.start_file;
  options.start_position = flags.start_position_archive;
  options.metrics_file = flags.metrics_file;
  options.allow_new_source = flags.allow_new_source;
  options.schema_history = !flags.no_schema_history;
  options.schema_history_file = flags.schema_history;
  options.after_gtid = flags.after_gtid;
  std::unique_ptr<OutputStream> out;
  if (!output.empty()) {
    MZL_TRY(out, open_output("-", 1 << 20));
    options.output = out.get();
    options.output_format = output_format(output);
  }
  install_stop_handlers();
  archive::TailStats stats;
  if (!serve.address.empty()) {
    if (flags.source.empty()) return Error(ErrorCode::kInvalidArgument, "--serve needs --source");
    MZL_TRY(auto serving, serve_options(serve, flags.repo, flags.source));
    MZL_TRY(stats, serve::run_tail_and_serve(serving, options));
  } else {
    MZL_TRY(stats, archive::run_tail(options));
  }
  if (out) MZL_CHECK(out->close());
  // With --output, stdout carries the events: the summary goes to stderr.
  FILE* summary = out ? stderr : stdout;
  if (flags.json) {
    fmt::print(summary, "{}", json_line([&](JsonFieldWriter& io) {
                 io.field("events", stats.events);
                 io.field("bytes", stats.bytes);
                 io.field("reconnects", stats.reconnects);
                 io.field("acks", stats.acks);
                 io.field("fsyncs", stats.fsyncs);
                 io.field("transactions", stats.transactions);
                 // Latencies in milliseconds (log-linear buckets: p50/p99 within 6.25 %, max exact).
                 io.field("fsync_p50_ms", stats.fsync_latency.quantile_ms(0.5));
                 io.field("fsync_p99_ms", stats.fsync_latency.quantile_ms(0.99));
                 io.field("fsync_max_ms", stats.fsync_latency.max_ms());
                 io.field("ack_p50_ms", stats.ack_latency.quantile_ms(0.5));
                 io.field("ack_p99_ms", stats.ack_latency.quantile_ms(0.99));
                 io.field("file", stats.last_file);
                 io.field("position", stats.last_position);
                 io.field("gtid_position", stats.last_gtid_position);
               }));
  } else {
    fmt::print(stderr, "{}: archived {} events ({} bytes); resume point {}:{} {}\n", kProgram, stats.events,
               stats.bytes, stats.last_file, stats.last_position, stats.last_gtid_position);
  }
  return ok_status();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Archive a MySQL/MariaDB server's binary log as a replica into a backup repository (fsynced before it\n"
      "is acknowledged; --semi-sync for zero data loss), or decode, filter and copy binlog files (--read).",
      kProgram};
  mzl::tool::configure_app(app, kProgram);

  ReadFlags read;
  auto* read_group = app.add_option_group("Reading files (--read)");
  read_group->add_option("--read", read.read, "Binlog files or directories of binlog files to read, in order")
      ->expected(1, -1);
  read_group->add_option("--databases", read.databases, "Keep only these databases (comma-separated)")
      ->delimiter(',');
  read_group
      ->add_option("--tables", read.tables, "Keep only these db.table (comma-separated, * and ? allowed)")
      ->delimiter(',');
  read_group->add_option("--start-position", read.start_position,
                         "Start at this byte offset of the first file");
  read_group->add_option("--stop-position", read.stop_position,
                         "Stop before this byte offset of the last file");
  read_group->add_option("--start-datetime", read.start_datetime,
                         "Skip events before 'YYYY-MM-DD HH:MM:SS' (local time) or @epoch");
  read_group->add_option("--stop-datetime", read.stop_datetime,
                         "Stop at the first event at or after this time");
  read_group->add_option("--gtid", read.gtid,
                         "Keep only transactions in this GTID set (MySQL) or position (MariaDB)");
  read_group->add_option("--exclude-gtid", read.exclude_gtid,
                         "Drop transactions in this GTID set or position");
  read_group->add_flag("--no-verify-checksums", read.no_verify_checksums,
                       "Do not check CRC32 event checksums (to salvage a damaged file)");

  ArchiveFlags archive;
  auto* archive_group = app.add_option_group("Archiving a server");
  archive_group->add_option("--repo", archive.repo,
                            "Backup repository (binlogs go to DIR/binlogs/<source>/)");
  archive_group->add_option("--source", archive.source,
                            "Name of this server in the repository (default host_port)");
  archive_group->add_option("--server-id", archive.server_id,
                            "Replica server id to register with: distinct from every real server (required)");
  archive_group->add_flag("--semi-sync", archive.semi_sync,
                          "Acknowledge as a semi-synchronous replica, only after the transaction is fsynced");
  archive_group->add_flag("--stop-never", archive.stop_never,
                          "Keep following the server (reconnecting when it goes away) until SIGTERM/SIGINT");
  archive_group->add_option("--fsync-interval", archive.fsync_interval_ms,
                            "0: fsync at every transaction (default); N: at most every N ms");
  archive_group->add_option("--heartbeat", archive.heartbeat_ms,
                            "Ask for a heartbeat after this many idle ms");
  archive_group->add_option("--compress", archive.compress, "none (default) or lz4: compress closed files")
      ->check(CLI::IsMember({"none", "lz4"}));
  archive_group->add_option(
      "--start-file", archive.start_file,
      "With an empty archive: the server's binlog file to start at (default: its oldest)");
  archive_group->add_option("--start-file-position", archive.start_position_archive,
                            "With --start-file: the position in it (default 4)");
  archive_group->add_option("--metrics-file", archive.metrics_file,
                            "Write Prometheus textfile metrics here every few seconds");
  archive_group->add_flag("--allow-new-source", archive.allow_new_source,
                          "Continue an archive although the server's identity changed");
  archive_group->add_flag("--status", archive.status,
                          "Print the archive's state (with --repo, --source) and exit");

  std::string output;
  auto* output_group = app.add_option_group("Output");
  output_group
      ->add_option("--output", output,
                   "json: one JSON object per event (--read's default)\n"
                   "maxwell: one line per changed row in Maxwell's format\n"
                   "raw: a binlog stream. When archiving, stdout gets the\n"
                   "events once durable (without --repo: stdout only)")
      ->check(CLI::IsMember({"json", "raw", "maxwell"}));
  output_group
      ->add_option_function<std::string>(
          "--format", [&](const std::string& format) { output = format == "maxwell" ? "maxwell" : "json"; },
          "json (mzl's lines) or maxwell: the same as --output json|maxwell")
      ->check(CLI::IsMember({"json", "maxwell"}));

  output_group->add_option("--after-gtid", archive.after_gtid,
                           "Write only transactions after this MariaDB GTID position / not in this\n"
                           "MySQL GTID set (a consumer resuming after its last message)");
  output_group->add_option("--schema-history", archive.schema_history,
                           "Column names for servers that do not log them: the definitions by position\n"
                           "(default with --repo: REPO/binlogs/<source>/schema-history.jsonl)");
  output_group->add_flag("--no-schema-history", archive.no_schema_history,
                         "Name columns only from the server's own metadata (binlog_row_metadata=FULL)");
  output_group->add_flag("--json", archive.json,
                         "Machine-readable --status and final summary (on stderr with --output)");

  ServeFlags serve;
  auto* serve_group = app.add_option_group("Serving the archive to replicas");
  serve_group->add_option("--serve", serve.address,
                          "HOST:PORT: replicas replicate from the archive (--repo, --source) as from a\n"
                          "primary; with --server-id while archiving, else alone until SIGTERM");
  serve_group->add_option("--serve-user", serve.user,
                          "The account replicas log in with (default mzl_replica)");
  serve_group->add_option("--serve-password-file", serve.password_file, "Its password (first line of FILE)");
  serve_group->add_option("--serve-ssl-cert", serve.tls_cert, "PEM certificate: TLS offered to replicas");
  serve_group->add_option("--serve-ssl-key", serve.tls_key, "PEM private key of --serve-ssl-cert");

  mzl::tool::CommonOptions common(kProgram);
  mzl::tool::add_common_flags(app, common);

  return mzl::tool::run(app, argc, argv, [&]() -> mzl::Status {
    using namespace mzl;
    if (!read.read.empty()) return read_command(read, output);
    MZL_CHECK(common.apply_option_files(app));
    if (archive.status) {
      if (archive.repo.empty() || archive.source.empty()) {
        return Error(ErrorCode::kInvalidArgument, "--status needs --repo and --source");
      }
      MZL_CHECK(repo::require_repository(archive.repo));
      MZL_TRY(std::string text, archive::describe_archive(archive.repo, archive.source, archive.json));
      fmt::print("{}", text);
      return ok_status();
    }
    if (!serve.address.empty() && archive.server_id == 0) {  // serving alone
      if (archive.source.empty()) return Error(ErrorCode::kInvalidArgument, "--serve needs --source");
      MZL_TRY(auto serving, serve_options(serve, archive.repo, archive.source));
      install_stop_handlers();
      return serve::run_serve(serving);
    }
    MZL_TRY(auto connection, common.connection_options());
    return archive_command(archive, output, connection, serve);
  });
}
