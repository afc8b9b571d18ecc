#include "mzl/replay/flashback.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/codec/event.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/codec/query_event.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/replay/replay_sql.h"
#include "mzl/util/base64.h"
#include "mzl/util/byte_writer.h"

namespace mzl::replay {
namespace {

using codec::EventType;

constexpr size_t kStatementBytes = 1 << 20;  // BINLOG statements are cut at event pairs past this size

// The inverse rows event type: WRITE <-> DELETE, UPDATE stays; compressed MariaDB types become their plain
// forms (the rows are re-encoded uncompressed).
std::optional<uint8_t> inverse_type(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::kWriteRowsV1:
    case EventType::kMariaWriteRowsCompressedV1:
      return codec::code(EventType::kDeleteRowsV1);
    case EventType::kDeleteRowsV1:
    case EventType::kMariaDeleteRowsCompressedV1:
      return codec::code(EventType::kWriteRowsV1);
    case EventType::kUpdateRowsV1:
    case EventType::kMariaUpdateRowsCompressedV1:
      return codec::code(EventType::kUpdateRowsV1);
    case EventType::kWriteRowsV2:
    case EventType::kMariaWriteRowsCompressed:
      return codec::code(EventType::kDeleteRowsV2);
    case EventType::kDeleteRowsV2:
    case EventType::kMariaDeleteRowsCompressed:
      return codec::code(EventType::kWriteRowsV2);
    case EventType::kUpdateRowsV2:
    case EventType::kMariaUpdateRowsCompressed:
      return codec::code(EventType::kUpdateRowsV2);
    default:
      return std::nullopt;
  }
}

bool has_all_columns(const std::vector<uint8_t>& bitmap, uint64_t columns) {
  for (uint64_t i = 0; i < columns; ++i) {
    if (i / 8 >= bitmap.size() || !((bitmap[i / 8] >> (i % 8)) & 1)) return false;
  }
  return true;
}

// The inverse of one rows event, rows in reverse order, marked as the end of its statement.
Result<codec::RowsEvent> invert(const codec::RowsEvent& rows, const codec::TableMapEvent& table,
                                const EventPlace& at, uint64_t& row_count) {
  auto unsupported = [&](const std::string& why) {
    return Error(ErrorCode::kUnsupported, why).at_r(at.file, at.offset);
  };
  const auto type = inverse_type(rows.type_code);
  if (!type) return unsupported(fmt::format("{} cannot be inverted", codec::event_type_name(rows.type_code)));
  if (!has_all_columns(rows.columns_before, rows.column_count) ||
      (rows.is_update() && !has_all_columns(rows.columns_after, rows.column_count))) {
    return unsupported(
        fmt::format("the row images of `{}`.`{}` lack columns (binlog_row_image is not FULL): "
                    "the rows cannot be restored from them",
                    table.database, table.table));
  }
  std::vector<codec::RowImageSpans> spans;
  auto decoded = codec::decode_row_changes(rows, table, &spans);
  if (!decoded.ok()) return std::move(decoded).error().at_r(at.file, at.offset);
  row_count += spans.size();
  codec::RowsEvent out = rows;
  out.type_code = *type;
  out.compressed = false;
  out.compressed_rows.clear();
  out.flags |= codec::kRowsFlagStmtEnd;
  if (rows.is_update()) std::swap(out.columns_before, out.columns_after);
  out.rows.clear();
  out.rows.reserve(rows.rows.size());
  auto append = [&](std::pair<size_t, size_t> span) {
    out.rows.insert(out.rows.end(), rows.rows.begin() + static_cast<std::ptrdiff_t>(span.first),
                    rows.rows.begin() + static_cast<std::ptrdiff_t>(span.second));
  };
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    if (rows.is_update()) {
      append(it->after);
      append(it->before);
    } else {
      append(it->before.second > it->before.first ? it->before : it->after);
    }
  }
  return out;
}

// An unlinked temporary file: transactions are appended, then read back by their offsets.
class Spool {
 public:
  static Result<Spool> open(const std::string& dir) {
    std::string path = dir + "/mzl-flashback-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0)
      return Error(ErrorCode::kIo, fmt::format("cannot create a spool file: {}", std::strerror(errno)))
          .at_r(dir);
    ::unlink(path.c_str());
    return Spool(fd, dir);
  }
  Spool(Spool&& o) noexcept : fd_(std::exchange(o.fd_, -1)), dir_(std::move(o.dir_)), size_(o.size_) {}
  ~Spool() {
    if (fd_ >= 0) ::close(fd_);
  }
  Result<uint64_t> append(const std::string& data) {
    const uint64_t at = size_;
    for (size_t done = 0; done < data.size();) {
      const ssize_t n =
          ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(size_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        return Error(ErrorCode::kIo, fmt::format("writing the spool file: {}", std::strerror(errno)))
            .at_r(dir_);
      done += static_cast<size_t>(n);
    }
    size_ += data.size();
    return at;
  }
  Result<std::string> read(uint64_t at, uint64_t size) const {
    std::string data(size, '\0');
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::pread(fd_, data.data() + done, size - done, static_cast<off_t>(at + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        return Error(ErrorCode::kIo, fmt::format("reading the spool file: {}", std::strerror(errno)))
            .at_r(dir_);
      done += static_cast<size_t>(n);
    }
    return data;
  }

 private:
  Spool(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) {}
  int fd_ = -1;
  std::string dir_;
  uint64_t size_ = 0;
};

// Receives the archive's events (as replay does), keeps the inverted row events of the range's selected
// tables per transaction and spools each transaction: its BINLOG statements' base64, one per line.
class Collector : public EventApplier {
 public:
  Collector(const FlashbackOptions& options, Spool& spool, std::string start_gtid)
      : options_(options), spool_(spool), start_gtid_(std::move(start_gtid)) {}

  Status add(const archive::ArchiveEvent& event) override {
    const codec::RawEvent& raw = event.raw;
    const uint8_t type = raw.header.type_code;
    if (type == codec::code(EventType::kFormatDescription)) {
      if (format_event_.empty()) {
        format_event_ = std::string(raw.data.begin(), raw.data.end());
        format_ = event.format();
      }
      return ok_status();
    }
    if (event.starts_transaction) {
      if (!active_) active_ = starts_range(event);
      in_transaction_ = true;
      gtid_ = event.gtid;
    }
    if (!active_) return ok_status();
    MZL_CHECK(collect(event));
    // Where the archive reader's TransactionTracker says the transaction ends (XID, COMMIT, XA_PREPARE...).
    if (event.ends_transaction) return end_transaction();
    return ok_status();
  }

  bool in_transaction() const override { return in_transaction_; }
  Status finish() override {
    pending_.clear();  // a transaction the archive holds only part of was never applied
    return ok_status();
  }

  // Sends the spooled transactions, newest first.
  Status emit(StatementSink& sink) {
    if (transactions_.empty()) return sink.flush();
    MZL_CHECK(sink.statement("BINLOG '" +
                                 base64_encode(Bytes(reinterpret_cast<const uint8_t*>(format_event_.data()),
                                                     format_event_.size())) +
                                 "'",
                             EventPlace{"(flashback)", 0}));
    for (auto it = transactions_.rbegin(); it != transactions_.rend(); ++it) {
      MZL_TRY(std::string text, spool_.read(it->offset, it->size));
      const EventPlace at{"(flashback of " + it->gtid + ")", 0};
      MZL_CHECK(sink.statement("BEGIN", at));
      size_t start = 0;
      while (start < text.size()) {
        const size_t end = text.find('\0', start);
        MZL_CHECK(sink.statement("BINLOG '" + text.substr(start, end - start) + "'", at));
        start = end + 1;
      }
      MZL_CHECK(sink.statement("COMMIT", at));
    }
    return sink.flush();
  }

  FlashbackStats stats() const { return stats_; }
  bool started() const { return active_; }

 private:
  // Keeps the inverse of one event of the range; refuses what cannot be undone.
  Status collect(const archive::ArchiveEvent& event) {
    const codec::RawEvent& raw = event.raw;
    const codec::FormatDescription& format = event.format();
    const std::string& file = event.file;
    const EventPlace at{file, raw.offset};
    const uint8_t type = raw.header.type_code;
    ByteReader body(raw.body);
    switch (static_cast<EventType>(type)) {
      case EventType::kMariaGtid:
      case EventType::kGtid:
      case EventType::kGtidTagged:
      case EventType::kAnonymousGtid:
      case EventType::kXid:
        return ok_status();
      case EventType::kTableMap: {
        MZL_TRY(auto map, decode_at(codec::decode_table_map_event(body, format), at));
        table_maps_[map.table_id] = std::move(map);
        return ok_status();
      }
      case EventType::kQuery:
      case EventType::kMariaQueryCompressed: {
        MZL_TRY(auto q, decode_at(type == codec::code(EventType::kQuery)
                                      ? codec::decode_query_event(body, format)
                                      : codec::decode_query_compressed_event(body, format),
                                  at));
        if (q.query == "BEGIN" || q.query == "COMMIT" || q.query == "ROLLBACK") return ok_status();
        if (!options_.databases.empty() || !options_.tables.empty()) {
          if (!q.db.empty() && !selected_database(q.db)) return ok_status();
        }
        return Error(ErrorCode::kUnsupported,
                     fmt::format("a statement is in the range ('{}'): flashback undoes row changes only; end "
                                 "the range before it or select other databases",
                                 q.query.substr(0, 80)))
            .at_r(file, raw.offset);
      }
      default:
        break;
    }
    if (codec::is_rows_event(type)) {
      MZL_TRY(auto rows, decode_at(codec::decode_rows_event(type, body, format), at));
      auto map = table_maps_.find(rows.table_id);
      if (map == table_maps_.end()) {
        return Error(ErrorCode::kCorrupt, "ROWS event without its TABLE_MAP").at_r(file, raw.offset);
      }
      if (!selected(map->second.database, map->second.table)) return ok_status();
      MZL_TRY(codec::RowsEvent inverse, invert(rows, map->second, at, stats_.rows));
      pending_.push_back(Pair{encode(raw.header, map->second, format), encode(raw.header, inverse, format)});
      ++stats_.row_events;
      return ok_status();
    }
    if (needs_nothing_applied(type)) return ok_status();
    return Error(ErrorCode::kUnsupported,
                 fmt::format("{} events cannot be undone", codec::event_type_name(type)))
        .at_r(file, raw.offset);
  }
  struct Pair {
    std::string table_map, rows;  // base64 of the encoded events
  };
  struct Spooled {
    uint64_t offset = 0, size = 0;
    std::string gtid;
  };

  template <class T>
  static Result<T> decode_at(Result<T> decoded, const EventPlace& at) {
    if (!decoded.ok()) return std::move(decoded).error().at_r(at.file, at.offset);
    return decoded;
  }

  bool starts_range(const archive::ArchiveEvent& event) const {
    const codec::RawEvent& raw = event.raw;
    const std::string& file = event.file;
    const ReplayStop& s = options_.start;
    switch (s.kind) {
      case ReplayStop::Kind::kDatetime:
        return static_cast<int64_t>(raw.header.timestamp) >= s.datetime;
      case ReplayStop::Kind::kGtid:
        return event.gtid == start_gtid_;
      case ReplayStop::Kind::kPosition: {
        if (file == s.file) return raw.offset >= s.position;
        const auto here = archive::binlog_sequence_number(file),
                   there = archive::binlog_sequence_number(s.file);
        return here && there && *here > *there;
      }
      case ReplayStop::Kind::kLatest:
        return true;
    }
    return false;
  }

  // The same selection as replay's (ReplayFilter, replay_sql.h): wildcards as in man/mzl.7.
  bool selected_database(const std::string& db) const {
    return ReplayFilter{options_.databases, options_.tables, {}}.selects_database(db);
  }
  bool selected(const std::string& db, const std::string& table) const {
    return ReplayFilter{options_.databases, options_.tables, {}}.selects_table(db, table);
  }

  std::string encode(const codec::EventHeader& header, codec::EventBody body,
                     const codec::FormatDescription& format) {
    codec::Event event;
    event.header = header;
    event.header.type_code = std::visit(
        [&](const auto& b) -> uint8_t {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, codec::RowsEvent>) return b.type_code;
          return codec::code(EventType::kTableMap);
        },
        body);
    event.header.log_pos = 0;
    event.body = std::move(body);
    // Every event is encoded for the range's first FORMAT_DESCRIPTION, the one sent to the applier.
    std::vector<uint8_t> bytes = codec::encode_event(event, format_ ? *format_ : format);
    return base64_encode(bytes);
  }

  Status end_transaction() {
    in_transaction_ = false;
    if (pending_.empty()) return ok_status();
    // Newest change first; each inverted event after its TABLE_MAP; statements cut at pairs.
    std::string text, statement;
    for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
      if (!statement.empty() && statement.size() >= kStatementBytes) {
        text += statement + '\0';
        statement.clear();
      }
      statement += (statement.empty() ? "" : "\n") + it->table_map + "\n" + it->rows;
    }
    text += statement + '\0';
    pending_.clear();
    MZL_TRY(uint64_t offset, spool_.append(text));
    transactions_.push_back(Spooled{offset, text.size(), gtid_});
    if (stats_.first_gtid.empty()) stats_.first_gtid = gtid_;
    stats_.last_gtid = gtid_;
    ++stats_.transactions;
    return ok_status();
  }

  const FlashbackOptions& options_;
  Spool& spool_;
  std::string start_gtid_;
  bool active_ = false;
  bool in_transaction_ = false;
  std::string gtid_;
  std::string format_event_;
  std::optional<codec::FormatDescription> format_;
  std::map<uint64_t, codec::TableMapEvent> table_maps_;
  std::vector<Pair> pending_;
  std::vector<Spooled> transactions_;
  FlashbackStats stats_;
};

}  // namespace

Result<FlashbackStats> flashback(const FlashbackOptions& options, StatementSink& sink) {
  std::string start_gtid;
  if (options.start.kind == ReplayStop::Kind::kGtid) {
    MZL_TRY(auto g, gtid::MariaGtid::parse(options.start.gtid));
    start_gtid = g.to_string();
  }
  MZL_TRY(Spool spool, Spool::open(options.spool_dir));
  Collector collector(options, spool, start_gtid);
  ReplayOptions read;
  read.archive_dir = options.archive_dir;
  read.stop = options.stop;
  if (options.start.kind == ReplayStop::Kind::kPosition) {
    read.start_file = options.start.file;
    read.start_position = 4;
  } else {
    MZL_TRY(auto files, archive::expand_binlog_paths({options.archive_dir}));
    read.start_file = archive::server_file_name(files.front());
  }
  MZL_TRY(ReplayStats read_stats, replay_archive(read, collector));
  if (!collector.started()) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("the start of the range is not in the archive (it ends at {}:{})",
                             read_stats.end_file, read_stats.end_position))
        .at_r(options.archive_dir);
  }
  MZL_CHECK(collector.emit(sink));
  return collector.stats();
}

}  // namespace mzl::replay
