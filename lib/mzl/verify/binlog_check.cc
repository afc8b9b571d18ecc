#include "mzl/verify/binlog_check.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <map>
#include <set>

#include "mzl/archive/archive_reader.h"
#include "mzl/archive/archive_state.h"
#include "mzl/archive/binlog_file_list.h"
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

// Reads the files through archive::ArchiveReader (continue_past_damage: every damaged event is handed out
// and the files after a damaged one are still read) and turns what it finds into problems.
class SequenceCheck {
 public:
  SequenceCheck(const std::vector<FileEntry>& files, const BinlogCheckOptions& options,
                const ArchiveFacts* facts, BinlogCheckReport& report)
      : files_(files),
        options_(options),
        facts_(facts),
        report_(report),
        gtids_(options.start_gtid),
        problems_before_(report.problems.size()) {}

  Status run();

 private:
  // What is known of the file being read.
  struct FileState {
    size_t index = 0;
    std::string name;  // the server's
    bool is_current = false;
    bool chain_known = true;
    int64_t shift = 0;
    bool first_event = true;
    bool damaged = false;    // reading stopped early: the end of the file is unknown
    bool truncated = false;  // the file ends inside an event
    uint64_t end = codec::kBinlogMagicSize;
    std::optional<std::pair<uint64_t, std::string>> last_rotate;  // offset, new file name
    bool ended_by_stop = false;                                   // the last event is a STOP
    int file_problems = 0;
    bool whole_crc = false;
    uint32_t file_crc = 0;
    std::optional<uint32_t> durable_crc;  // of the current file's bytes up to durable_position
  };

  const std::string& where() const { return files_[file_->index].where; }
  void begin_file(size_t index);
  Status on_event(const archive::ArchiveEvent& item, archive::ArchiveReader& reader);
  // Returns false when the rest of the file is not checked.
  bool on_checksum_mismatch(const archive::ArchiveEvent& item);
  void on_file_end(const archive::ArchiveEvent& item);
  void follow_transaction(const archive::ArchiveEvent& item);
  void end_file();
  // The last complete transaction before the first problem found in the files.
  void finish() {
    if (report_.problems.size() == problems_before_) report_.last_before_problem = report_.last;
  }
  void problem(const std::string& where, std::optional<uint64_t> offset, std::string what) {
    finish();
    report_.problems.push_back(Problem{where, offset, std::move(what)});
  }

  const std::vector<FileEntry>& files_;
  const BinlogCheckOptions& options_;
  const ArchiveFacts* facts_;
  BinlogCheckReport& report_;
  GtidContinuity gtids_;
  std::optional<FileState> file_;
  std::optional<uint64_t> pending_offset_;  // the first event of the open transaction, in the current file
  size_t problems_before_;                  // problems of state.json, found before the files are read
};

Status SequenceCheck::run() {
  std::vector<std::filesystem::path> paths;
  for (const FileEntry& file : files_) paths.push_back(file.path);
  archive::ArchiveReader reader(std::move(paths),
                                {.continue_past_damage = true, .buffer_size = options_.buffer_size});
  for (;;) {
    MZL_TRY(const archive::ArchiveEvent* item, reader.next());
    if (!item) break;
    const size_t index = reader.files_opened() - 1;
    if (!file_ || file_->index != index) begin_file(index);
    switch (item->item) {
      case archive::ArchiveItem::kEvent:
        MZL_CHECK(on_event(*item, reader));
        break;
      case archive::ArchiveItem::kUnreadableEvent:
        if (on_checksum_mismatch(*item)) break;
        reader.skip_rest_of_file();
        end_file();
        break;
      case archive::ArchiveItem::kFileEnd:
        on_file_end(*item);
        end_file();
        break;
    }
  }
  finish();
  return {};
}

void SequenceCheck::begin_file(size_t index) {
  const std::string name = archive::server_file_name(files_[index].path);
  if (index > 0) {
    const std::string previous = archive::server_file_name(files_[index - 1].path);
    auto a = archive::binlog_sequence_number(previous);
    auto b = archive::binlog_sequence_number(name);
    if (a && b && *b > *a + 1 && base_name(previous) == base_name(name)) {
      const std::string missing = with_sequence_number(previous, *a + 1);
      const auto missing_where = std::filesystem::path(files_[index - 1].where).parent_path() / missing;
      problem(
          missing_where.string(), std::nullopt,
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
  file_.emplace();
  file_->index = index;
  file_->name = name;
  file_->is_current = facts_ && name == facts_->current_file;
  pending_offset_.reset();  // the reader abandons a transaction the previous file ended inside
  ++report_.files;
}

void SequenceCheck::follow_transaction(const archive::ArchiveEvent& item) {
  if (item.damage) {
    problem(where(), item.raw.offset,
            fmt::format("the event body does not decode ({}): the archive copy is damaged; {}",
                        item.damage->message, kFetchAgain));
    pending_offset_.reset();  // the reader abandoned the transaction
    return;
  }
  if (item.starts_transaction) pending_offset_ = item.raw.offset;
  // The window counts groups of several events (a statement of its own on a server without GTID events is
  // not counted, as before).
  if (!item.ends_transaction || item.starts_transaction || !pending_offset_) return;
  TransactionPoint& last = report_.last ? *report_.last : report_.last.emplace();
  if (last.file != where()) last.file = where();
  last.offset = *pending_offset_;
  last.end = item.raw.offset + item.raw.data.size();
  last.timestamp = item.raw.header.timestamp;
  last.gtid = item.gtid;  // the GTID of the transaction the event ends
  if (!report_.first) report_.first = last;
  pending_offset_.reset();
}

Status SequenceCheck::on_event(const archive::ArchiveEvent& item, archive::ArchiveReader& reader) {
  FileState& f = *file_;
  const codec::RawEvent& event = item.raw;
  const codec::FormatDescription& format = item.format();
  const uint8_t type = event.header.type_code;
  ++report_.events;
  if (f.whole_crc) f.file_crc = crc32(event.data, f.file_crc);
  if (f.first_event) {
    f.first_event = false;
    // Without event checksums only the CRC-32 state.json recorded for the whole file shows damage.
    if (facts_ && !format.has_crc32()) {
      f.whole_crc = true;
      f.file_crc = crc32(event.data, crc32(std::span<const uint8_t>(codec::kBinlogMagic)));
    }
    if (type != code(EventType::kFormatDescription)) {
      problem(where(), event.offset,
              fmt::format("the file starts with a {} event, not a FORMAT_DESCRIPTION: its beginning is "
                          "missing or damaged; {}",
                          codec::event_type_name(type), kFetchAgain));
    }
  }
  if (event.header.log_pos != 0) {
    const int64_t event_end = static_cast<int64_t>(event.offset + event.data.size());
    const int64_t s = static_cast<int64_t>(event.header.log_pos) - event_end;
    if (f.chain_known && s != f.shift) {
      const int64_t delta = s - f.shift;
      const std::string gap = delta > 0
                                  ? fmt::format("{} bytes are missing before it", delta)
                                  : fmt::format("{} bytes before it are not in the server's file", -delta);
      problem(where(), event.offset,
              fmt::format("header chain broken: log_pos {} disagrees with the events before it: {} (or its "
                          "header is damaged); {}",
                          event.header.log_pos, gap, kFetchAgain));
    }
    f.shift = s;
    f.chain_known = true;
  }
  if (type == code(EventType::kFormatDescription) && report_.flavour.empty()) {
    report_.flavour = format.flavour == codec::Flavour::kMariaDB ? "mariadb" : "mysql";
  }
  f.last_rotate.reset();
  f.ended_by_stop = type == code(EventType::kStop);
  if (type == code(EventType::kRotate)) {
    ByteReader body(event.body);
    auto rotate = codec::decode_rotate_event(body, format);
    if (rotate.ok()) f.last_rotate.emplace(event.offset, rotate->new_log_ident);
  }
  auto hole = gtids_.add(event, format);
  if (!hole.ok()) {
    if (hole.error().code == ErrorCode::kInvalidArgument) return std::move(hole).error();
    problem(where(), event.offset,
            fmt::format("the GTID event does not decode ({}): the archive copy is damaged; {}",
                        hole.error().message, kFetchAgain));
    reader.abandon_transaction();
    pending_offset_.reset();
  } else {
    if (*hole) problem(where(), event.offset, std::move(**hole));
    follow_transaction(item);
  }
  if (f.is_current && event.offset + event.data.size() == facts_->durable_position)
    f.durable_crc = f.file_crc;
  return {};
}

bool SequenceCheck::on_checksum_mismatch(const archive::ArchiveEvent& item) {
  FileState& f = *file_;
  pending_offset_.reset();  // the reader abandoned the transaction
  f.last_rotate.reset();
  f.first_event = false;
  problem(where(), item.raw.offset,
          fmt::format("event CRC32 mismatch: the archive copy is damaged; {}", kFetchAgain));
  f.chain_known = false;
  if (++f.file_problems < kMaxProblemsPerFile) return true;
  problem(where(), std::nullopt, "too many damaged events: the rest of the file is not checked");
  f.damaged = true;
  return false;
}

void SequenceCheck::on_file_end(const archive::ArchiveEvent& item) {
  FileState& f = *file_;
  if (!item.damage) {
    f.end = item.stopped_at;
    return;
  }
  const Error& error = *item.damage;
  const uint64_t at = error.offset.value_or(item.stopped_at);
  pending_offset_.reset();  // the reader abandoned the transaction
  f.last_rotate.reset();
  f.first_event = false;
  if (error.code == ErrorCode::kNeedMoreData) {
    f.truncated = true;
    f.end = at;
    const bool torn_tail = f.is_current && at >= facts_->durable_position;
    if (!torn_tail) {
      problem(where(), at,
              fmt::format("truncated: {}; the events from here on are missing (the copy was cut short); {}",
                          error.message, kFetchAgain));
    }
    return;
  }
  problem(where(), at,
          fmt::format("{}: the events from here on cannot be read; {}", error.message, kFetchAgain));
  f.damaged = true;
}

void SequenceCheck::end_file() {
  const FileState& f = *file_;
  const std::string& file = where();
  const std::string* next_name = nullptr;
  std::string next;
  if (f.index + 1 < files_.size()) {
    next = archive::server_file_name(files_[f.index + 1].path);
    next_name = &next;
  }
  report_.bytes += f.end;
  if (options_.progress) options_.progress->add(f.end);

  // A server that shut down ends its file with STOP and starts the next one when it comes back; one that
  // crashed ends it with nothing, which only state.json (the size mzl-binlog-tail saw the server close it
  // at) tells apart from a copy cut short.
  auto closed_at_server_size = [&] {
    if (!facts_) return false;
    auto closed = facts_->closed.find(f.name);
    return closed != facts_->closed.end() && closed->second.size == f.end;
  };
  if (next_name && !f.damaged && !f.truncated) {
    if (!f.last_rotate && !f.ended_by_stop && !closed_at_server_size()) {
      problem(file, f.end,
              fmt::format("the file ends without a ROTATE event although {} follows: its last events may be "
                          "missing; {}",
                          *next_name, kFetchAgain));
    } else if (f.last_rotate && f.last_rotate->second != *next_name) {
      problem(file, f.last_rotate->first,
              fmt::format("ROTATE names {} but the next file is {}: the files in between are missing or this "
                          "file belongs to another sequence",
                          f.last_rotate->second, *next_name));
    }
  }
  if (facts_ && !f.damaged && !f.truncated) {
    auto closed = facts_->closed.find(f.name);
    if (closed != facts_->closed.end() && closed->second.size != f.end) {
      problem(file, std::nullopt,
              fmt::format("the file holds {} bytes but state.json records {} for it: the copy is damaged; {}",
                          f.end, closed->second.size, kFetchAgain));
    } else if (closed != facts_->closed.end() && f.whole_crc && closed->second.crc32 != f.file_crc) {
      problem(file, std::nullopt, crc_changed(f.file_crc, closed->second.crc32));
    }
  }
  if (f.is_current && f.whole_crc && f.durable_crc && *f.durable_crc != facts_->current_crc32) {
    problem(file, std::nullopt, crc_changed(*f.durable_crc, facts_->current_crc32));
  }
  if (f.is_current && f.end < facts_->durable_position && !f.damaged && !f.truncated) {
    problem(file, f.end,
            fmt::format("the file ends at {} but state.json says {} bytes of it were durable: archived "
                        "transactions are lost; {}",
                        f.end, facts_->durable_position, kFetchAgain));
  }
}

Result<BinlogCheckReport> check_sequence(const std::vector<FileEntry>& files,
                                         const BinlogCheckOptions& options, const ArchiveFacts* facts,
                                         BinlogCheckReport report = {}) {
  SequenceCheck check(files, options, facts, report);
  MZL_CHECK(check.run());
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
      present.insert(archive::server_file_name(path));
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
    first_number = archive::binlog_sequence_number(archive::server_file_name(entries.front().path));
    last_number = archive::binlog_sequence_number(archive::server_file_name(entries.back().path));
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
