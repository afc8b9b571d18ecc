#include "mzl/replay/replay_archive.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "mzl/archive/archive_reader.h"
#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/history_chain.h"
#include "mzl/codec/event_header.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/uuid.h"
#include "mzl/util/parse_number.h"
#include "mzl/util/stop_signal.h"

namespace mzl::replay {
namespace {

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
    stats_.stop_reached = options_.stop.kind == ReplayStop::Kind::kLatest;
    const size_t segments = options_.continuations.size() + 1;
    for (size_t i = 0; i < segments && !stopped_; ++i) {
      Segment segment;
      segment.archive_dir = i == 0 ? options_.archive_dir : options_.continuations[i - 1].archive_dir;
      segment.start_position = i == 0 ? options_.start_position : codec::kBinlogMagicSize;
      std::string start_file = options_.start_file;
      if (i > 0) {
        // A successor is read from its first file.
        MZL_TRY(auto all, archive::expand_binlog_paths({segment.archive_dir}));
        start_file = archive::server_file_name(all.front());
        MZL_TRY(segment.after, archive::GtidBound::parse(options_.continuations[i - 1].from_gtid_position));
      }
      if (i + 1 < segments) {
        MZL_TRY(segment.until, archive::GtidBound::parse(options_.continuations[i].from_gtid_position));
      }
      MZL_TRY(std::vector<std::filesystem::path> files,
              archive::archive_files_from(segment.archive_dir, start_file));
      // The last file may be the one mzl-binlog-tail is writing: its complete events are all there is.
      archive::ArchiveReader reader(
          std::move(files), {.start_position = segment.start_position, .last_file_may_be_partial = true});
      MZL_CHECK(read(reader, segment));
      stats_.files += reader.files_opened();
      if (!stopped_ && i + 1 < segments && translator_.in_transaction()) {
        return Error(ErrorCode::kCorrupt,
                     fmt::format("the archive ends inside transaction {} before the failover's fork ({}): "
                                 "the history cannot continue in {}",
                                 stats_.last_gtid, segment.until->text(),
                                 options_.continuations[i].archive_dir))
            .at_r(segment.archive_dir);
      }
    }
    stats_.rolled_back = translator_.in_transaction();
    stats_.ended_inside_transaction = stats_.rolled_back || declining_;
    MZL_CHECK(translator_.finish());
    stats_.skipped_statements = translator_.skipped_statements();
    if (stop_after_transaction_) stats_.stop_reached = true;
    if (options_.stop.kind == ReplayStop::Kind::kGtid && !stats_.stop_reached) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("GTID {} is not in the archive after the start point (its transactions end at "
                               "{}:{}): name a GTID the archive holds, or restore to its end (--to-latest)",
                               stop_gtid_, stats_.end_file, stats_.end_position))
          .at_r(options_.archive_dir);
    }
    return stats_;
  }

 private:
  // Whether the transaction starting with `event` ends the replay (it is not applied then).
  bool stops_before(const archive::ArchiveEvent& event) {
    if (stop_after_transaction_) return true;
    const ReplayStop& stop = options_.stop;
    switch (stop.kind) {
      case ReplayStop::Kind::kLatest:
        return false;
      case ReplayStop::Kind::kDatetime:
        return static_cast<int64_t>(event.raw.header.timestamp) >= stop.datetime;
      case ReplayStop::Kind::kPosition: {
        const auto here = archive::binlog_sequence_number(event.file);
        const auto there = archive::binlog_sequence_number(stop.file);
        if (event.file == stop.file) return event.raw.offset >= stop.position;
        return here && there && *here > *there;
      }
      case ReplayStop::Kind::kGtid: {
        if (event.gtid != stop_gtid_) return false;
        if (stop.before_gtid) return true;
        stop_after_transaction_ = true;  // apply this one, stop at the next
        return false;
      }
    }
    return false;
  }

  // One archive of the history: its files from start_position on, its transactions after `after` (the
  // predecessor has those) and up to `until` (past it they are not the history's: the old primary's after the
  // fork).
  struct Segment {
    std::string archive_dir;
    uint64_t start_position = codec::kBinlogMagicSize;
    std::optional<archive::GtidBound> after, until;
  };

  // Reads until the stop point, the segment's end (`until`) or the archive's end.
  Status read(archive::ArchiveReader& reader, const Segment& segment) {
    bool skipping = false;  // the transaction being read is not replayed
    while (true) {
      MZL_TRY(const archive::ArchiveEvent* next, reader.next());
      if (next == nullptr) break;
      const archive::ArchiveEvent& event = *next;
      const codec::RawEvent& raw = event.raw;
      if (event.file != stats_.end_file) {
        stats_.end_file = event.file;
        stats_.end_position = codec::kBinlogMagicSize;
      }
      if (event.starts_transaction) {
        if (segment.until && !segment.until->contains(event.gtid)) return ok_status();
        skipping = segment.after && segment.after->contains(event.gtid);
        if (skipping) ++stats_.skipped_across_failovers;
      }
      if (skipping && event.in_transaction) continue;
      if (event.starts_transaction) {
        if (stop_requested()) {
          // Between two transactions: everything before this one is applied, nothing of it.
          MZL_CHECK(translator_.finish());
          return Error(
              ErrorCode::kInterrupted,
              fmt::format("stopped by a signal before the transaction at {}:{}; the target holds every "
                          "transaction before it (last GTID {})",
                          event.file, raw.offset, stats_.last_gtid.empty() ? "(none)" : stats_.last_gtid));
        }
        if (stops_before(event)) {
          stats_.end_position = raw.offset;
          stats_.stop_reached = true;
          stopped_ = true;
          return ok_status();
        }
        declining_ = options_.wants_transaction && !options_.wants_transaction(event.gtid);
        if (declining_) ++stats_.declined;
      }
      if (declining_ && event.in_transaction) {
        if (event.ends_transaction) declining_ = false;
        stats_.end_position = raw.offset + raw.data.size();
        continue;
      }
      if (event.starts_transaction) {
        ++stats_.transactions;
        stats_.last_timestamp = raw.header.timestamp;
        stats_.last_gtid = event.gtid;
      }
      ++stats_.events;
      stats_.bytes += raw.data.size();
      MZL_CHECK(translator_.add(event));
      stats_.end_position = raw.offset + raw.data.size();
      report(event.file);
    }
    // A file opened after the last event handed out (one holding only its magic so far).
    if (reader.file() != stats_.end_file) {
      stats_.end_file = reader.file();
      stats_.end_position = codec::kBinlogMagicSize;
    }
    return ok_status();
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
  bool declining_ = false;  // the events of a declined transaction are being read past
  bool stopped_ = false;    // the stop point was reached: no later segment is read
  ReplayStats stats_;
  std::chrono::steady_clock::time_point last_report_{};
};

}  // namespace

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

}  // namespace mzl::replay
