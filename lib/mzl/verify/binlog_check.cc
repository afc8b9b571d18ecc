#include "mzl/verify/binlog_check.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <map>
#include <set>

#include "mzl/archive/archive_state.h"
#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/transaction_tracker.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/util/crc32.h"
#include "mzl/util/input_stream.h"
#include "mzl/verify/gtid_continuity.h"

namespace mzl::verify {
namespace {

using codec::EventType;

constexpr int kMaxProblemsPerFile = 100;
constexpr std::string_view kFetchAgain = "fetch this file again from the server or another archive copy";

struct FileEntry {
  std::filesystem::path path;
  std::string where;
};

// What state.json says about the archive, for check_binlog_source().
struct ArchiveFacts {
  std::string current_file;
  uint64_t durable_position = 0;
  uint32_t current_crc32 = 0;
  struct Closed {
    uint64_t size = 0;
    uint32_t crc32 = 0;
  };
  std::map<std::string, Closed> closed;
};

// The server's name of an archived file ("x.000002.lz4" is "x.000002").
std::string server_name(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  constexpr std::string_view kLz4 = ".lz4";
  if (name.size() > kLz4.size() && name.ends_with(kLz4)) name.resize(name.size() - kLz4.size());
  return name;
}

// "x.000002" with its number replaced by `number`, keeping the width of the suffix.
std::string with_sequence_number(const std::string& name, uint64_t number) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos) return name;
  const size_t width = name.size() - dot - 1;
  return fmt::format("{}.{:0{}}", name.substr(0, dot), number, width);
}

std::string crc_changed(uint32_t crc, uint32_t recorded) {
  return fmt::format(
      "the file's CRC-32 is {:08x} but state.json recorded {:08x} when it was archived: the copy was changed "
      "(its events carry no checksum, so the damaged event is not known); {}",
      crc, recorded, kFetchAgain);
}

std::string base_name(const std::string& name) {
  return name.substr(0, name.rfind('.'));
}

class SequenceCheck {
 public:
  SequenceCheck(const BinlogCheckOptions& options, const ArchiveFacts* facts, BinlogCheckReport& report)
      : options_(options),
        facts_(facts),
        report_(report),
        gtids_(options.start_gtid),
        problems_before_(report.problems.size()) {}

  Status check_file(const FileEntry& file, const std::string* next_name);
  // The last complete transaction before the first problem found in the files.
  void finish() {
    if (report_.problems.size() == problems_before_) report_.last_before_problem = report_.last;
  }

  void problem(const std::string& where, std::optional<uint64_t> offset, std::string what) {
    finish();
    report_.problems.push_back(Problem{where, offset, std::move(what)});
  }

 private:
  void follow_transaction(const codec::RawEvent& event, const codec::FormatDescription& fd,
                          const std::string& where);
  void drop_transaction();

  const BinlogCheckOptions& options_;
  const ArchiveFacts* facts_;
  BinlogCheckReport& report_;
  GtidContinuity gtids_;
  archive::TransactionTracker tracker_;
  std::optional<uint64_t> pending_offset_;  // the first event of the open transaction, in the current file
  size_t problems_before_;                  // problems of state.json, found before the files are read
};

void SequenceCheck::drop_transaction() {
  pending_offset_.reset();
  auto fresh = archive::TransactionTracker::at_boundary(tracker_.flavour(), tracker_.gtid_position());
  tracker_ = fresh.ok() ? std::move(fresh).value() : archive::TransactionTracker();
}

void SequenceCheck::follow_transaction(const codec::RawEvent& event, const codec::FormatDescription& fd,
                                       const std::string& where) {
  auto step = tracker_.add(event, fd);
  if (!step.ok()) {
    problem(where, event.offset,
            fmt::format("the event body does not decode ({}): the archive copy is damaged; {}",
                        step.error().message, kFetchAgain));
    drop_transaction();
    return;
  }
  if (step->starts) pending_offset_ = event.offset;
  // The window counts groups of several events (a statement of its own on a server without GTID events is
  // not counted, as before).
  if (!step->ends || step->starts || !pending_offset_) return;
  TransactionPoint& last = report_.last ? *report_.last : report_.last.emplace();
  if (last.file != where) last.file = where;
  last.offset = *pending_offset_;
  last.end = event.offset + event.data.size();
  last.timestamp = event.header.timestamp;
  last.gtid = std::move(step->ended_gtid);
  if (!report_.first) report_.first = last;
  pending_offset_.reset();
}

Status SequenceCheck::check_file(const FileEntry& file, const std::string* next_name) {
  const std::string& where = file.where;
  const std::string name = server_name(file.path);
  const bool is_current = facts_ && name == facts_->current_file;
  MZL_TRY(auto input, open_input(file.path.string()));
  codec::BinlogFileReader reader(std::move(input),
                                 {.verify_checksums = true, .buffer_size = options_.buffer_size});
  ++report_.files;
  if (tracker_.in_transaction()) drop_transaction();  // the previous file ended inside a transaction

  bool chain_known = true;
  int64_t shift = 0;
  bool first_event = true;
  bool damaged = false;    // framing stopped early: the end of the file is unknown
  bool truncated = false;  // the file ends inside an event
  uint64_t end = codec::kBinlogMagicSize;
  std::optional<std::pair<uint64_t, std::string>> last_rotate;  // offset, new file name
  bool ended_by_stop = false;                                   // the last event is a STOP
  int file_problems = 0;
  bool whole_crc = false;
  uint32_t file_crc = 0;
  std::optional<uint32_t> durable_crc;  // of the current file's bytes up to durable_position

  for (;;) {
    auto next = reader.next();
    if (!next.ok()) {
      Error error = std::move(next).error();
      const uint64_t at = error.offset.value_or(reader.offset());
      if (error.code == ErrorCode::kIo || error.code == ErrorCode::kNotFound) return error;
      drop_transaction();
      last_rotate.reset();
      first_event = false;
      if (error.code == ErrorCode::kNeedMoreData) {
        truncated = true;
        end = at;
        const bool torn_tail = is_current && at >= facts_->durable_position;
        if (!torn_tail) {
          problem(
              where, at,
              fmt::format("truncated: {}; the events from here on are missing (the copy was cut short); {}",
                          error.message, kFetchAgain));
        }
        break;
      }
      if (error.code == ErrorCode::kChecksumMismatch) {
        problem(where, at, fmt::format("event CRC32 mismatch: the archive copy is damaged; {}", kFetchAgain));
        chain_known = false;
        if (++file_problems < kMaxProblemsPerFile) continue;
        problem(where, std::nullopt, "too many damaged events: the rest of the file is not checked");
        damaged = true;
        break;
      }
      problem(where, at,
              fmt::format("{}: the events from here on cannot be read; {}", error.message, kFetchAgain));
      damaged = true;
      break;
    }
    if (!*next) {
      end = reader.offset();
      break;
    }
    const codec::RawEvent& event = **next;
    const uint8_t type = event.header.type_code;
    ++report_.events;
    if (whole_crc) file_crc = crc32(event.data, file_crc);
    if (first_event) {
      first_event = false;
      // Without event checksums only the CRC-32 state.json recorded for the whole file shows damage.
      if (facts_ && !reader.format().has_crc32()) {
        whole_crc = true;
        file_crc = crc32(event.data, crc32(std::span<const uint8_t>(codec::kBinlogMagic)));
      }
      if (type != code(EventType::kFormatDescription)) {
        problem(where, event.offset,
                fmt::format("the file starts with a {} event, not a FORMAT_DESCRIPTION: its beginning is "
                            "missing or damaged; {}",
                            codec::event_type_name(type), kFetchAgain));
      }
    }
    if (event.header.log_pos != 0) {
      const int64_t event_end = static_cast<int64_t>(event.offset + event.data.size());
      const int64_t s = static_cast<int64_t>(event.header.log_pos) - event_end;
      if (chain_known && s != shift) {
        const int64_t delta = s - shift;
        const std::string gap = delta > 0
                                    ? fmt::format("{} bytes are missing before it", delta)
                                    : fmt::format("{} bytes before it are not in the server's file", -delta);
        problem(where, event.offset,
                fmt::format("header chain broken: log_pos {} disagrees with the events before it: {} (or its "
                            "header is damaged); {}",
                            event.header.log_pos, gap, kFetchAgain));
      }
      shift = s;
      chain_known = true;
    }
    if (type == code(EventType::kFormatDescription) && report_.flavour.empty()) {
      report_.flavour = reader.format().flavour == codec::Flavour::kMariaDB ? "mariadb" : "mysql";
    }
    last_rotate.reset();
    ended_by_stop = type == code(EventType::kStop);
    if (type == code(EventType::kRotate)) {
      ByteReader body(event.body);
      auto rotate = codec::decode_rotate_event(body, reader.format());
      if (rotate.ok()) last_rotate.emplace(event.offset, rotate->new_log_ident);
    }
    auto hole = gtids_.add(event, reader.format());
    if (!hole.ok()) {
      if (hole.error().code == ErrorCode::kInvalidArgument) return std::move(hole).error();
      problem(where, event.offset,
              fmt::format("the GTID event does not decode ({}): the archive copy is damaged; {}",
                          hole.error().message, kFetchAgain));
      drop_transaction();
    } else {
      if (*hole) problem(where, event.offset, std::move(**hole));
      follow_transaction(event, reader.format(), where);
    }
    if (is_current && event.offset + event.data.size() == facts_->durable_position) durable_crc = file_crc;
  }
  report_.bytes += end;

  // A server that shut down ends its file with STOP and starts the next one when it comes back; one that
  // crashed ends it with nothing, which only state.json (the size mzl-binlog-tail saw the server close it
  // at) tells apart from a copy cut short.
  auto closed_at_server_size = [&] {
    if (!facts_) return false;
    auto closed = facts_->closed.find(name);
    return closed != facts_->closed.end() && closed->second.size == end;
  };
  if (next_name && !damaged && !truncated) {
    if (!last_rotate && !ended_by_stop && !closed_at_server_size()) {
      problem(where, end,
              fmt::format("the file ends without a ROTATE event although {} follows: its last events may be "
                          "missing; {}",
                          *next_name, kFetchAgain));
    } else if (last_rotate && last_rotate->second != *next_name) {
      problem(where, last_rotate->first,
              fmt::format("ROTATE names {} but the next file is {}: the files in between are missing or this "
                          "file belongs to another sequence",
                          last_rotate->second, *next_name));
    }
  }
  if (facts_ && !damaged && !truncated) {
    auto closed = facts_->closed.find(name);
    if (closed != facts_->closed.end() && closed->second.size != end) {
      problem(where, std::nullopt,
              fmt::format("the file holds {} bytes but state.json records {} for it: the copy is damaged; {}",
                          end, closed->second.size, kFetchAgain));
    } else if (closed != facts_->closed.end() && whole_crc && closed->second.crc32 != file_crc) {
      problem(where, std::nullopt, crc_changed(file_crc, closed->second.crc32));
    }
  }
  if (is_current && whole_crc && durable_crc && *durable_crc != facts_->current_crc32) {
    problem(where, std::nullopt, crc_changed(*durable_crc, facts_->current_crc32));
  }
  if (is_current && end < facts_->durable_position && !damaged && !truncated) {
    problem(where, end,
            fmt::format("the file ends at {} but state.json says {} bytes of it were durable: archived "
                        "transactions are lost; {}",
                        end, facts_->durable_position, kFetchAgain));
  }
  return {};
}

Result<BinlogCheckReport> check_sequence(const std::vector<FileEntry>& files,
                                         const BinlogCheckOptions& options, const ArchiveFacts* facts,
                                         BinlogCheckReport report = {}) {
  SequenceCheck check(options, facts, report);
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string name = server_name(files[i].path);
    if (i > 0) {
      const std::string previous = server_name(files[i - 1].path);
      auto a = archive::binlog_sequence_number(previous);
      auto b = archive::binlog_sequence_number(name);
      if (a && b && *b > *a + 1 && base_name(previous) == base_name(name)) {
        const std::string missing = with_sequence_number(previous, *a + 1);
        const auto where = std::filesystem::path(files[i - 1].where).parent_path() / missing;
        check.problem(
            where.string(), std::nullopt,
            *b - *a == 2
                ? fmt::format("missing: the file between {} and {} is not there; the transactions in it "
                              "cannot be restored (fetch it from the server or another archive copy)",
                              previous, name)
                : fmt::format("missing: the {} files {} to {} between {} and {} are not there; the "
                              "transactions in them cannot be restored (fetch them from the server or "
                              "another archive copy)",
                              *b - *a - 1, missing, with_sequence_number(previous, *b - 1), previous, name));
      }
    }
    const std::string next = i + 1 < files.size() ? server_name(files[i + 1].path) : std::string();
    MZL_CHECK(check.check_file(files[i], i + 1 < files.size() ? &next : nullptr));
  }
  check.finish();
  return report;
}

}  // namespace

Result<BinlogCheckReport> check_binlog_files(const std::vector<std::filesystem::path>& files,
                                             const BinlogCheckOptions& options) {
  if (files.empty()) return Error{ErrorCode::kInvalidArgument, "no binlog file to check"};
  std::vector<FileEntry> entries;
  for (const auto& path : files) entries.push_back(FileEntry{path, path.string()});
  return check_sequence(entries, options, nullptr);
}

Result<BinlogCheckReport> check_binlog_source(const std::filesystem::path& repo, const std::string& source,
                                              const BinlogCheckOptions& options) {
  const std::filesystem::path relative_dir = std::filesystem::path(repo::kBinlogsDirName) / source;
  const std::filesystem::path dir = repo / relative_dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error{ErrorCode::kNotFound, "no binlog archive for this source"}.at_r(dir.string());
  }
  BinlogCheckReport report;
  ArchiveFacts facts;
  const std::string state_where = (relative_dir / repo::kStateFileName).string();
  const std::string state_path = repo::archive_state_path(repo.string(), source);
  if (std::filesystem::exists(state_path, ec)) {
    MZL_TRY(auto in, repo::local_storage().open_read(state_path));
    MZL_TRY(std::vector<uint8_t> bytes, read_all(*in));
    auto state = archive::decode_archive_state(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), state_where);
    if (state.ok()) {
      facts.current_file = state->current_file;
      facts.durable_position = state->durable_position;
      facts.current_crc32 = state->current_crc32;
      for (const auto& closed : state->closed_files) facts.closed[closed.name] = {closed.size, closed.crc32};
    } else {
      report.problems.push_back(Problem{
          state_where, std::nullopt,
          fmt::format("state.json cannot be read ({}): the archive cannot resume; the files are checked "
                      "without it",
                      state.error().message)});
    }
  } else {
    report.problems.push_back(Problem{state_where, std::nullopt,
                                      "state.json is missing: the archive cannot resume; the files are "
                                      "checked without it"});
  }

  std::vector<FileEntry> entries;
  auto paths = archive::expand_binlog_paths({dir.string()});
  if (!paths.ok() && paths.error().code != ErrorCode::kNotFound) return std::move(paths).error();
  std::set<std::string> present;
  if (paths.ok()) {
    for (const auto& path : *paths) {
      entries.push_back(FileEntry{path, (relative_dir / path.filename()).string()});
      present.insert(server_name(path));
    }
  }
  // Files mzl-snapshot prune removed on purpose: state.json still lists them (the archiver owns that file).
  std::optional<uint64_t> pruned_through;
  const std::string pruned_path = repo::pruned_through_path(repo.string(), source);
  if (std::filesystem::exists(pruned_path, ec)) {
    MZL_TRY(auto in, repo::local_storage().open_read(pruned_path));
    MZL_TRY(std::vector<uint8_t> bytes, read_all(*in));
    std::string name(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
    pruned_through = archive::binlog_sequence_number(name);
    if (!pruned_through) {
      report.problems.push_back(
          Problem{(relative_dir / repo::kPrunedThroughFileName).string(), std::nullopt,
                  fmt::format("cannot be read: '{}' is not a binlog file name (it names the "
                              "newest file mzl-snapshot prune removed)",
                              name.substr(0, 80))});
    }
  }
  auto pruned = [&](const std::string& name) {
    auto n = archive::binlog_sequence_number(name);
    return n && pruned_through && *n <= *pruned_through;
  };
  // Files state.json names that the sequence check cannot see missing (before the first or after the last).
  std::optional<uint64_t> first_number, last_number;
  if (!entries.empty()) {
    first_number = archive::binlog_sequence_number(server_name(entries.front().path));
    last_number = archive::binlog_sequence_number(server_name(entries.back().path));
  }
  auto inside = [&](const std::string& name) {
    auto n = archive::binlog_sequence_number(name);
    return n && first_number && last_number && *n > *first_number && *n < *last_number;
  };
  for (const auto& [name, closed] : facts.closed) {
    if (present.count(name) || inside(name) || pruned(name)) continue;
    report.problems.push_back(
        Problem{(relative_dir / name).string(), std::nullopt,
                "missing: state.json lists this closed file but it is not in the "
                "archive; its transactions cannot be restored (fetch it from the server "
                "or another archive copy)"});
  }
  if (!facts.current_file.empty() && facts.durable_position > codec::kBinlogMagicSize &&
      !present.count(facts.current_file) && !inside(facts.current_file)) {
    report.problems.push_back(Problem{
        (relative_dir / facts.current_file).string(), std::nullopt,
        fmt::format("missing: state.json says {} bytes of this current file are durable but it is not in "
                    "the archive; its transactions cannot be restored",
                    facts.durable_position)});
  }
  if (entries.empty()) return report;
  return check_sequence(entries, options, &facts, std::move(report));
}

std::string format_window(const BinlogCheckReport& report) {
  const auto& end = report.last_before_problem;
  if (!report.first) return "nothing restorable: no complete transaction";
  if (!end) return "nothing restorable: a problem comes before the first complete transaction";
  auto point = [](const TransactionPoint& p) {
    const std::string time =
        fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(static_cast<std::time_t>(p.timestamp)));
    return p.gtid.empty() ? time : fmt::format("{} ({})", time, p.gtid);
  };
  return fmt::format("restorable from {} to {}", point(*report.first), point(*end));
}

}  // namespace mzl::verify
