#include "mzl/serve/binlog_sender.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/transaction_tracker.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/control_events.h"
#include "mzl/codec/decoder_context.h"
#include "mzl/codec/event_decoder.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_from_events.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/schema/schema_tracker.h"

namespace mzl::serve {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIdleWait = std::chrono::milliseconds(100);
constexpr size_t kLogPosOffset = 13;

// The archive's files by the server's names, in order (plain or .lz4).
Result<std::map<std::string, std::string>> archived_files(const std::string& archive_dir) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  if (!std::filesystem::exists(archive_dir, ec)) return files;
  MZL_TRY(auto paths, archive::expand_binlog_paths({archive_dir}));
  for (const auto& path : paths) files.emplace(archive::server_file_name(path), path.string());
  return files;
}

Error not_found(std::string message) {
  return Error(ErrorCode::kNotFound, std::move(message));
}

// An event made up by the dump (LOG_EVENT_ARTIFICIAL_F, timestamp 0), framed like the archive's own.
std::vector<uint8_t> artificial(codec::EventBody body, codec::EventType type, uint32_t server_id,
                                uint64_t log_pos, const codec::FormatDescription& fd) {
  codec::Event event;
  event.header.type_code = codec::code(type);
  event.header.server_id = server_id;
  event.header.log_pos = static_cast<uint32_t>(log_pos);
  event.header.flags = codec::kFlagArtificial;
  event.body = std::move(body);
  return codec::encode_event(event, fd);
}

// The FORMAT_DESCRIPTION sent when the dump starts past it: log_pos 0 (the replica must not take it as its
// position), the CRC32 computed again.
std::vector<uint8_t> description_without_position(const codec::RawEvent& raw) {
  std::vector<uint8_t> bytes(raw.data.begin(), raw.data.end());
  std::fill_n(bytes.begin() + kLogPosOffset, 4, 0);
  if (raw.checksum && raw.checksum_verified) {
    const uint32_t crc = codec::event_crc32(Bytes(bytes.data(), bytes.size() - 4));
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
  }
  return bytes;
}

// The GTID state a file starts with (its GTID_LIST or PREVIOUS_GTIDS), as text; nullopt when it has none in
// its first events.
Result<std::optional<std::string>> file_start_gtids(const std::string& path) {
  MZL_TRY(auto reader, codec::BinlogFileReader::open(path));
  codec::DecoderContext ctx(path);
  for (int i = 0; i < 4; ++i) {
    MZL_TRY(auto raw, reader.next());
    if (!raw) return std::optional<std::string>();
    MZL_TRY(codec::Event event, codec::decode_event(*raw, ctx));
    if (const auto* list = event.get<codec::MariaGtidListEvent>()) {
      return std::optional<std::string>(codec::maria_position_from(*list).to_string());
    }
    if (const auto* previous = event.get<codec::PreviousGtidsEvent>()) {
      MZL_TRY(auto set, codec::mysql_gtid_set_from(*previous));
      return std::optional<std::string>(set.to_string(","));
    }
  }
  return std::optional<std::string>();
}

// Whether the replica's GTID state holds every transaction before a file that starts at `file_start`.
Result<bool> state_holds(const std::string& flavour, const std::string& state,
                         const std::string& file_start) {
  if (flavour == "mariadb") {
    MZL_TRY(auto replica, gtid::MariaGtidPosition::parse(state));
    MZL_TRY(auto start, gtid::MariaGtidPosition::parse(file_start));
    return replica.contains(start);
  }
  MZL_TRY(auto replica, gtid::MysqlGtidSet::parse(state));
  MZL_TRY(auto start, gtid::MysqlGtidSet::parse(file_start));
  return replica.contains(start);
}

}  // namespace

BinlogSender::BinlogSender(std::string archive_dir, std::string flavour, uint32_t server_id,
                           ArchiveEndSource& end, EventSink& sink, const std::atomic<bool>& stop)
    : archive_dir_(std::move(archive_dir)),
      flavour_(std::move(flavour)),
      server_id_(server_id),
      end_(end),
      sink_(sink),
      stop_(stop) {}

std::string BinlogSender::path_of(const std::string& file) const {
  const std::string plain = (std::filesystem::path(archive_dir_) / file).string();
  std::error_code ec;
  if (std::filesystem::exists(plain, ec)) return plain;
  return plain + ".lz4";
}

Result<BinlogSender::Start> BinlogSender::start_of(const DumpRequest& request) {
  MZL_TRY(auto files, archived_files(archive_dir_));
  if (files.empty()) return not_found("Binary log is not open (the archive has no file yet)");
  if (!request.gtid_dump) {
    if (request.file.empty()) return Start{files.begin()->first, std::max<uint64_t>(request.position, 4)};
    if (!files.count(request.file)) {
      return not_found(
          fmt::format("Could not find first log file name in binary log index file (the archive "
                      "holds {} to {})",
                      files.begin()->first, files.rbegin()->first));
    }
    return Start{request.file, std::max<uint64_t>(request.position, 4)};
  }
  // The newest file whose start the replica's state holds: everything before it the replica has.
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    MZL_TRY(auto start, file_start_gtids(it->second));
    if (!start) continue;
    auto holds = state_holds(flavour_, request.gtid_position, *start);
    if (!holds.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("the replica's GTID state '{}' does not parse: {}", request.gtid_position,
                               holds.error().message));
    }
    if (*holds) return Start{it->first, 4};
  }
  return not_found(
      flavour_ == "mariadb"
          ? "Could not find GTID state requested by slave in any binlog files. Probably the slave state is "
            "too "
            "old and required binlog files have been purged."
          : "Cannot replicate because the source purged required binary logs. Replicate the missing "
            "transactions from elsewhere, or provision a new replica from backup.");
}

Status BinlogSender::heartbeat(const std::string& file, uint64_t position) {
  codec::HeartbeatEvent body;
  body.log_filename = file;
  ++stats_.heartbeats;
  const auto bytes = artificial(body, codec::EventType::kHeartbeat, server_id_, position,
                                codec::default_format_description(
                                    flavour_ == "mariadb" ? codec::Flavour::kMariaDB : codec::Flavour::kMySQL,
                                    codec::ChecksumAlg::kCrc32));
  MZL_CHECK(sink_.event(bytes));
  return sink_.flush();
}

Status BinlogSender::send_file(const std::string& file, uint64_t position, const DumpRequest& request,
                               bool& done, std::string& next_file) {
  const std::string path = path_of(file);
  MZL_TRY(auto reader, codec::BinlogFileReader::open(path));
  std::optional<schema::GtidPoint> replica_has;
  if (request.gtid_dump) {
    MZL_TRY(replica_has, schema::GtidPoint::parse(flavour_, request.gtid_position));
  }
  archive::TransactionTracker tracker;
  bool skipping_transaction = false;
  auto last_sent = Clock::now();
  next_file.clear();
  // How far this file may be read: to its end when the archive has moved on, to the durable end in the file
  // being written, not at all in a file past it (a state.json checkpoint not yet rewritten after a rotation).
  const auto limit_of = [&](const ArchiveEnd& end) -> uint64_t {
    if (end.file == file) return end.position;
    return !end.file.empty() && file > end.file ? 0 : UINT64_MAX;
  };
  std::optional<ArchiveEnd> cached_end;
  while (!stop_.load()) {
    // Asked again only once the reader reaches what the last answer allowed (a state.json read per event cost
    // the serve most of its CPU).
    if (!cached_end || reader.offset() >= limit_of(*cached_end)) {
      MZL_TRY(cached_end, end_.end());
    }
    const uint64_t limit = limit_of(*cached_end);
    const bool current = limit != UINT64_MAX;
    if (reader.offset() >= std::max<uint64_t>(limit, codec::kBinlogMagicSize) && reader.offset() > 0) {
      if (request.non_blocking) {
        done = true;
        return sink_.flush();
      }
      MZL_CHECK(sink_.flush());
      end_.wait(kIdleWait);
      if (request.heartbeat_period.count() > 0 && Clock::now() - last_sent >= request.heartbeat_period) {
        MZL_CHECK(heartbeat(file, reader.offset()));
        last_sent = Clock::now();
      }
      continue;
    }
    auto next = reader.next();
    if (!next.ok()) {
      if (next.error().code == ErrorCode::kNeedMoreData && !current) {
        return Error(ErrorCode::kCorrupt, "the archived file ends inside an event: " + next.error().message)
            .at_r(path, reader.offset());
      }
      return std::move(next).error().at_r(path, reader.offset());
    }
    if (!*next) {  // a closed file without a ROTATE at its end (the server stopped or crashed)
      if (current) {
        end_.wait(kIdleWait);
        continue;
      }
      break;
    }
    const codec::RawEvent& raw = **next;
    const auto type = static_cast<codec::EventType>(raw.header.type_code);
    MZL_TRY(auto step, tracker.add(raw, reader.format()));
    if (type == codec::EventType::kFormatDescription) {
      // The dump names the file first, then its description.
      codec::RotateEvent rotate;
      rotate.position = position;
      rotate.new_log_ident = file;
      MZL_CHECK(sink_.event(artificial(rotate, codec::EventType::kRotate, server_id_, 0, reader.format())));
      if (position > codec::kBinlogMagicSize) {
        MZL_CHECK(sink_.event(description_without_position(raw)));
      } else {
        MZL_CHECK(sink_.event(raw.data));
      }
      continue;
    }
    if (raw.offset < position) continue;
    if (replica_has) {
      if (step.starts) skipping_transaction = replica_has->contains(step.gtid);
      if (step.starts || tracker.in_transaction() || step.ends) {
        const bool skip = skipping_transaction;
        if (step.ends) skipping_transaction = false;
        if (skip) continue;
      }
    }
    MZL_CHECK(sink_.event(raw.data));
    ++stats_.events;
    stats_.bytes += raw.data.size();
    last_sent = Clock::now();
    if (until_ && step.ends && !step.ended_gtid.empty()) {
      // Reached in a domain once its transaction there is sent; the dump ends when every domain is.
      if (auto ended = gtid::MariaGtid::parse(step.ended_gtid); ended.ok()) {
        if (auto target = until_->find(ended->domain_id); target && ended->seq_no >= target->seq_no) {
          until_->erase(ended->domain_id);
          if (until_->empty()) {
            stats_.until_reached = true;
            done = true;
            return sink_.flush();
          }
        }
      }
    }
    if (type == codec::EventType::kRotate) {
      codec::DecoderContext ctx(path, reader.format());
      MZL_TRY(codec::Event event, codec::decode_event(raw, ctx));
      if (const auto* rotate = event.get<codec::RotateEvent>()) next_file = rotate->new_log_ident;
      break;
    }
  }
  if (stop_.load()) done = true;
  return ok_status();
}

Status BinlogSender::start_until(const DumpRequest& request) {
  until_.reset();
  if (request.until_gtid.empty()) return ok_status();
  auto parsed = gtid::MariaGtidPosition::parse(request.until_gtid);
  if (!parsed.ok()) return Error(ErrorCode::kInvalidArgument, "@slave_until_gtid: " + parsed.error().message);
  until_ = std::move(*parsed);
  // A domain the replica already holds up to its UNTIL GTID is reached before anything is sent (as the
  // server's dump thread checks the replica's state against the UNTIL position first).
  if (request.gtid_dump && flavour_ == "mariadb") {
    auto has = gtid::MariaGtidPosition::parse(request.gtid_position);
    if (has.ok()) {
      for (const auto& [domain, gtid] : has->gtids()) {
        if (auto target = until_->find(domain); target && gtid.seq_no >= target->seq_no)
          until_->erase(domain);
      }
    }
  }
  return ok_status();
}

Status BinlogSender::run(const DumpRequest& request) {
  MZL_CHECK(start_until(request));
  if (until_ && until_->empty()) {
    stats_.until_reached = true;
    return sink_.flush();
  }
  MZL_TRY(Start start, start_of(request));
  std::string file = start.file;
  uint64_t position = start.position;
  while (!stop_.load()) {
    bool done = false;
    std::string next_file;
    MZL_CHECK(send_file(file, position, request, done, next_file));
    if (done) break;
    // The next file: named by the ROTATE, or (a file that ended without one) the next the archive lists; wait
    // until the archive has it.
    while (!stop_.load()) {
      MZL_TRY(auto files, archived_files(archive_dir_));
      if (next_file.empty()) {
        auto it = files.upper_bound(file);
        if (it != files.end()) next_file = it->first;
      }
      if (!next_file.empty() && files.count(next_file)) break;
      if (request.non_blocking) return sink_.flush();  // everything the archive has was sent
      MZL_CHECK(sink_.flush());
      end_.wait(kIdleWait);
    }
    if (stop_.load()) break;
    file = next_file;
    position = codec::kBinlogMagicSize;
  }
  return sink_.flush();
}

}  // namespace mzl::serve
