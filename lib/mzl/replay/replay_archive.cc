#include "mzl/replay/replay_archive.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/uuid.h"
#include "mzl/util/parse_number.h"
#include "mzl/util/stop_signal.h"

namespace mzl::restore {
namespace {

using codec::EventType;

std::string file_name_of(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  if (name.ends_with(".lz4")) name.resize(name.size() - 4);
  return name;
}

Result<std::string> normalized_stop_gtid(const std::string& text) {
  if (auto maria = gtid::MariaGtid::parse(text); maria.ok()) return maria->to_string();
  // MySQL: uuid[:tag]:n
  const size_t colon = text.rfind(':');
  const size_t first = text.find(':');
  if (colon != std::string::npos) {
    auto uuid = gtid::Uuid::parse(text.substr(0, first));
    std::string tag;
    if (first != colon) {
      auto normal = gtid::normalize_tag(text.substr(first + 1, colon - first - 1));
      if (!normal) uuid.reset();
      tag = normal.value_or("");
    }
    const std::string number = text.substr(colon + 1);
    auto sequence = parse_uint(number, "a GTID's number", std::numeric_limits<int64_t>::max());
    if (uuid && sequence.ok()) {
      return fmt::format("{}{}:{}", uuid->to_string(), tag.empty() ? "" : ":" + tag, *sequence);
    }
  }
  return Error(
      ErrorCode::kInvalidArgument,
      fmt::format("'{}' is not a GTID (MariaDB domain-server-seq, or MySQL uuid[:tag]:number)", text));
}

class ArchiveReplay {
 public:
  ArchiveReplay(const ReplayOptions& options, EventApplier& applier, std::string stop_gtid)
      : options_(options), translator_(applier), stop_gtid_(std::move(stop_gtid)) {}

  Result<ReplayStats> run() {
    MZL_TRY(std::vector<std::filesystem::path> files,
            archive_files_from(options_.archive_dir, options_.start_file));
    stats_.stop_reached = options_.stop.kind == ReplayStop::Kind::kLatest;
    for (size_t i = 0; i < files.size(); ++i) {
      MZL_TRY(bool stopped, read_file(files[i], i == 0, i + 1 == files.size()));
      if (stopped) break;
    }
    stats_.rolled_back = translator_.in_transaction();
    MZL_CHECK(translator_.finish());
    stats_.skipped_statements = translator_.skipped_statements();
    if (stop_after_transaction_) stats_.stop_reached = true;
    if (options_.stop.kind == ReplayStop::Kind::kGtid && !stats_.stop_reached) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("GTID {} is not in the archive after the start point; everything up to the "
                               "archive's end ({}:{}) was replayed",
                               stop_gtid_, stats_.end_file, stats_.end_position))
          .at_r(options_.archive_dir);
    }
    return stats_;
  }

 private:
  // Whether the transaction starting with `raw` ends the replay (it is not applied then).
  Result<bool> stops_before(const codec::RawEvent& raw, const codec::FormatDescription& format,
                            const std::string& file) {
    if (stop_after_transaction_) return true;
    const ReplayStop& stop = options_.stop;
    switch (stop.kind) {
      case ReplayStop::Kind::kLatest:
        return false;
      case ReplayStop::Kind::kDatetime:
        return static_cast<int64_t>(raw.header.timestamp) >= stop.datetime;
      case ReplayStop::Kind::kPosition: {
        const auto here = archive::binlog_sequence_number(file);
        const auto there = archive::binlog_sequence_number(stop.file);
        if (file == stop.file) return raw.offset >= stop.position;
        return here && there && *here > *there;
      }
      case ReplayStop::Kind::kGtid: {
        MZL_TRY(std::string gtid, transaction_gtid(raw, format, file));
        if (gtid != stop_gtid_) return false;
        if (stop.before_gtid) return true;
        stop_after_transaction_ = true;  // apply this one, stop at the next
        return false;
      }
    }
    return false;
  }

  Result<bool> read_file(const std::filesystem::path& path, bool first, bool last) {
    const std::string file = file_name_of(path);
    MZL_TRY(auto reader, codec::BinlogFileReader::open(path.string()));
    ++stats_.files;
    stats_.end_file = file;
    stats_.end_position = 4;
    while (true) {
      auto next = reader.next();
      if (!next.ok()) {
        Error e = std::move(next).error();
        if (e.code != ErrorCode::kNeedMoreData) return e;
        if (last) return false;  // the file being written: its complete events are all there is
        e.code = ErrorCode::kCorrupt;
        e.message = "truncated: the file ends inside an event, and a later file exists (" + e.message + ")";
        return e;
      }
      if (!next->has_value()) return false;
      const codec::RawEvent& raw = **next;
      const uint8_t type = raw.header.type_code;
      const bool is_format = type == codec::code(EventType::kFormatDescription);
      if (first && raw.offset < options_.start_position && !is_format) continue;
      if (starts_transaction(type)) {
        if (stop_requested()) {
          // Between two transactions: everything before this one is applied, nothing of it.
          MZL_CHECK(translator_.finish());
          return Error(
              ErrorCode::kInterrupted,
              fmt::format("stopped by a signal before the transaction at {}:{}; the target holds every "
                          "transaction before it (last GTID {})",
                          file, raw.offset, stats_.last_gtid.empty() ? "(none)" : stats_.last_gtid));
        }
        MZL_TRY(bool stop, stops_before(raw, reader.format(), file));
        if (stop) {
          stats_.end_position = raw.offset;
          stats_.stop_reached = true;
          return true;
        }
        ++stats_.transactions;
        stats_.last_timestamp = raw.header.timestamp;
        MZL_TRY(stats_.last_gtid, transaction_gtid(raw, reader.format(), file));
      }
      ++stats_.events;
      stats_.bytes += raw.data.size();
      MZL_CHECK(translator_.add(raw, reader.format(), file));
      stats_.end_position = raw.offset + raw.data.size();
      report(file);
    }
  }

  void report(const std::string& file) {
    if (!options_.progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report_ < std::chrono::milliseconds(100)) return;
    last_report_ = now;
    options_.progress(ReplayProgress{stats_.transactions, stats_.bytes, file, stats_.last_timestamp});
  }

  const ReplayOptions& options_;
  EventApplier& translator_;
  std::string stop_gtid_;
  bool stop_after_transaction_ = false;
  ReplayStats stats_;
  std::chrono::steady_clock::time_point last_report_{};
};

}  // namespace

Result<std::vector<std::filesystem::path>> archive_files_from(const std::string& archive_dir,
                                                              const std::string& start_file) {
  MZL_TRY(auto all, archive::expand_binlog_paths({archive_dir}));
  auto first =
      std::find_if(all.begin(), all.end(), [&](const auto& p) { return file_name_of(p) == start_file; });
  if (first == all.end()) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("the archive has no file {} (where the snapshot's data ends); it holds {} to {}",
                             start_file, file_name_of(all.front()), file_name_of(all.back())))
        .at_r(archive_dir);
  }
  std::vector<std::filesystem::path> files(first, all.end());
  for (size_t i = 1; i < files.size(); ++i) {
    const auto previous = archive::binlog_sequence_number(file_name_of(files[i - 1]));
    const auto current = archive::binlog_sequence_number(file_name_of(files[i]));
    if (previous && current && *current != *previous + 1) {
      // The missing name, numbered like its predecessor ("mariadb-bin.000041" -> "mariadb-bin.000042").
      const std::string before = file_name_of(files[i - 1]);
      const size_t dot = before.rfind('.');
      const std::string missing =
          fmt::format("{}.{:0{}}", before.substr(0, dot), *previous + 1, before.size() - dot - 1);
      return Error(ErrorCode::kCorrupt,
                   fmt::format("{} is missing between {} and {}: the archive has a gap, so no point after {} "
                               "can be restored from it",
                               missing, before, file_name_of(files[i]), before))
          .at_r(archive_dir);
    }
  }
  return files;
}

Result<ReplayStats> replay_archive(const ReplayOptions& options, EventApplier& applier) {
  std::string stop_gtid;
  if (options.stop.kind == ReplayStop::Kind::kGtid) {
    MZL_TRY(stop_gtid, normalized_stop_gtid(options.stop.gtid));
  }
  ArchiveReplay replay(options, applier, std::move(stop_gtid));
  return replay.run();
}

Result<ReplayStats> replay_archive(const ReplayOptions& options, StatementSink& sink) {
  ReplayTranslator translator(sink, options.preserve_gtids, options.collations, options.filter);
  return replay_archive(options, translator);
}

}  // namespace mzl::restore
