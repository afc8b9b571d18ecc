// mzl-binlog-tail: decode, filter and copy binary logs (man/mzl-binlog-tail.1).
#include "cli.h"

#include <fmt/format.h>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/read_binlogs.h"
#include "mzl/codec/event_filter.h"
#include "mzl/util/output_stream.h"

namespace {

struct Flags {
  std::vector<std::string> read;
  std::string output = "json";
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

mzl::Status read_command(const Flags& flags) {
  using namespace mzl;
  archive::ReadBinlogsOptions options;
  MZL_TRY(options.files, archive::expand_binlog_paths(flags.read));
  options.format = flags.output == "raw" ? archive::OutputFormat::kRaw : archive::OutputFormat::kJson;
  options.selection.databases = flags.databases;
  options.selection.tables = flags.tables;
  options.selection.include_gtids = flags.gtid;
  options.selection.exclude_gtids = flags.exclude_gtid;
  if (!flags.start_datetime.empty()) {
    MZL_TRY(options.selection.start_time, codec::parse_datetime(flags.start_datetime));
  }
  if (!flags.stop_datetime.empty()) {
    MZL_TRY(options.selection.stop_time, codec::parse_datetime(flags.stop_datetime));
  }
  options.start_position = flags.start_position;
  options.stop_position = flags.stop_position;
  options.verify_checksums = !flags.no_verify_checksums;
  MZL_TRY(auto out, open_output("-", 1 << 20));
  MZL_TRY(auto stats, archive::read_binlogs(options, *out));
  (void)stats;
  return out->close();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Decode, filter and copy MySQL/MariaDB binary logs. Reads binlog files (plain or .lz4) and writes\n"
      "their events to stdout as JSON lines or as a raw binlog stream, checking every CRC32 on the way.",
      "mzl-binlog-tail"};
  mzl::tool::configure_app(app, "mzl-binlog-tail");
  Flags flags;
  app.add_option("--read", flags.read, "Binlog files or directories of binlog files to read, in order")
      ->required()
      ->expected(1, -1);
  app.add_option("--output", flags.output, "json: one JSON object per event (default); raw: a binlog stream")
      ->check(CLI::IsMember({"json", "raw"}));
  app.add_option("--databases", flags.databases, "Keep only these databases (comma-separated)")
      ->delimiter(',');
  app.add_option("--tables", flags.tables, "Keep only these db.table (comma-separated, * and ? allowed)")
      ->delimiter(',');
  app.add_option("--start-position", flags.start_position, "Start at this byte offset of the first file");
  app.add_option("--stop-position", flags.stop_position, "Stop before this byte offset of the last file");
  app.add_option("--start-datetime", flags.start_datetime,
                 "Skip events before 'YYYY-MM-DD HH:MM:SS' (local time) or @epoch");
  app.add_option("--stop-datetime", flags.stop_datetime, "Stop at the first event at or after this time");
  app.add_option("--gtid", flags.gtid,
                 "Keep only transactions in this GTID set (MySQL) or position (MariaDB)");
  app.add_option("--exclude-gtid", flags.exclude_gtid, "Drop transactions in this GTID set or position");
  app.add_flag("--no-verify-checksums", flags.no_verify_checksums,
               "Do not check CRC32 event checksums (to salvage a damaged file)");
  return mzl::tool::run(app, argc, argv, [&] { return read_command(flags); });
}
