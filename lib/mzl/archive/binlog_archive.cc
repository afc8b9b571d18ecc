#include "mzl/archive/binlog_archive.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "mzl/archive/compress_binlog.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/crc32.h"

namespace mzl::archive {
namespace {

bool is_artificial(const codec::EventHeader& header) {
  return header.log_pos == 0 || (header.flags & codec::kFlagArtificial) != 0;
}

uint32_t load_u32le(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// The new file name of a dump's fake ROTATE. Whether it carries a CRC32 depends on the checksum the dump
// negotiated, which comes before any FORMAT_DESCRIPTION: a trailing field that is the CRC32 of the rest is
// taken as the checksum (a file name ending in those four bytes by chance has odds of 2^-32).
Result<codec::RotateEvent> decode_fake_rotate(Bytes event) {
  Bytes body = event.subspan(codec::kEventHeaderSize);
  if (event.size() >= codec::kEventHeaderSize + 8 + 4 &&
      load_u32le(event.data() + event.size() - 4) == codec::event_crc32(event.first(event.size() - 4))) {
    body = body.first(body.size() - 4);
  }
  ByteReader reader(body);
  return codec::decode_rotate_event(
      reader, codec::default_format_description(codec::Flavour::kMySQL, codec::ChecksumAlg::kOff));
}

}  // namespace

std::string default_source_name(const std::string& host, unsigned port) {
  if (host.empty() || port == 0) return "localhost_socket";
  std::string name;
  for (char c : host) {
    bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    name += keep ? c : '_';
  }
  if (name.starts_with('.')) name[0] = '_';
  return fmt::format("{}_{}", name, port);
}

Status validate_source_name(const std::string& source) {
  bool ok = !source.empty() && source.size() <= 128 && source[0] != '.';
  for (char c : source) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                c == '-' || c == '_');
  }
  if (ok) return ok_status();
  return Error{ErrorCode::kInvalidArgument,
               fmt::format("bad source name \"{}\": use 1-128 characters of A-Z a-z 0-9 . _ - (not starting "
                           "with a dot)",
                           source)};
}

BinlogArchive::BinlogArchive(FileSystem& fs, std::string dir, BinlogArchiveOptions options)
    : fs_(fs), dir_(std::move(dir)), options_(std::move(options)) {}

Error BinlogArchive::fail(Error error) {
  broken_ = error;
  return error;
}

ResumePoint BinlogArchive::resume_point() const {
  if (current_name_.empty()) return ResumePoint{"", 0, boundary_gtid_position_};
  return ResumePoint{current_name_, boundary_ == 0 ? codec::kBinlogMagicSize : boundary_,
                     boundary_gtid_position_};
}

ArchiveState BinlogArchive::state_now() const {
  ArchiveState state;
  state.source = options_.source;
  state.server = server_;
  state.current_file = current_name_;
  state.durable_position = boundary_;
  state.gtid_position = boundary_gtid_position_;
  state.current_crc32 = boundary_crc_;
  state.current_first_gtid = boundary_first_gtid_;
  state.current_last_gtid = boundary_last_gtid_;
  state.closed_files = closed_files_;
  return state;
}

Status BinlogArchive::write_state() {
  ArchiveState state = state_now();
  if (state == written_state_) return ok_status();
  std::string json = encode_archive_state(state);
  Status written = fs_.atomic_write_file(
      dir_ + "/state.json", std::span(reinterpret_cast<const uint8_t*>(json.data()), json.size()));
  if (!written.ok()) return fail(std::move(written).error());
  written_state_ = std::move(state);
  return ok_status();
}

void BinlogArchive::reset_file_fields() {
  file_.reset();
  buffer_.clear();
  dir_sync_pending_ = false;
  size_ = synced_ = 0;
  crc_ = boundary_crc_ = 0;
  boundary_ = 0;
  first_gtid_.clear();
  last_gtid_.clear();
  boundary_first_gtid_.clear();
  boundary_last_gtid_.clear();
  fd_ = codec::FormatDescription{};
}

Status BinlogArchive::write_bytes(Bytes data) {
  buffer_.insert(buffer_.end(), data.begin(), data.end());
  crc_ = crc32(data, crc_);
  size_ += data.size();
  if (buffer_.size() >= kWriteBufferSize) return flush_buffer();
  return ok_status();
}

Status BinlogArchive::flush_buffer() {
  if (buffer_.empty()) return ok_status();
  Status written = file_->append(buffer_);
  if (!written.ok()) return fail(std::move(written).error());
  buffer_.clear();
  return ok_status();
}

Result<DurablePoint> BinlogArchive::sync() {
  if (broken_) return *broken_;
  MZL_CHECK(flush_buffer());
  if (file_ && synced_ < size_) {
    Status synced = file_->sync();
    if (!synced.ok()) return fail(std::move(synced).error());
  }
  if (dir_sync_pending_) {
    Status synced = fs_.fsync_directory(dir_);
    if (!synced.ok()) return fail(std::move(synced).error());
    dir_sync_pending_ = false;
  }
  synced_ = size_;
  return DurablePoint{current_name_, size_, resume_point()};
}

Status BinlogArchive::checkpoint() {
  MZL_TRY(auto point, sync());
  (void)point;
  return write_state();
}

Status BinlogArchive::discard_partial_transaction() {
  if (broken_) return *broken_;
  if (size_ == boundary_) return ok_status();
  MZL_CHECK(flush_buffer());
  return cut_to_boundary(size_);
}

Status BinlogArchive::cut_to_boundary(uint64_t file_size) {
  if (file_size > boundary_) {
    Status cut = file_->truncate(boundary_);
    if (cut.ok()) cut = file_->sync();
    if (!cut.ok()) return fail(std::move(cut).error());
  }
  size_ = synced_ = boundary_;
  crc_ = boundary_crc_;
  first_gtid_ = boundary_first_gtid_;
  last_gtid_ = boundary_last_gtid_;
  auto tracker = TransactionTracker::at_boundary(tracker_.flavour(), boundary_gtid_position_);
  if (!tracker.ok()) return fail(std::move(tracker).error());
  tracker_ = std::move(*tracker);
  return ok_status();
}

void BinlogArchive::take_step(const TransactionTracker::Step& step) {
  if (!step.ended_gtid.empty()) {
    if (first_gtid_.empty()) first_gtid_ = step.ended_gtid;
    last_gtid_ = step.ended_gtid;
  }
  if (step.boundary) {
    boundary_ = size_;
    boundary_crc_ = crc_;
    boundary_gtid_position_ = tracker_.gtid_position();
    boundary_first_gtid_ = first_gtid_;
    boundary_last_gtid_ = last_gtid_;
  }
}

// Names the new file in state.json before the file exists (so that every binlog file in the directory is
// known to the state), then creates it.
Status BinlogArchive::start_file() {
  MZL_CHECK(write_state());
  std::string path = path_of(current_name_);
  auto file = fs_.open_append(path);
  if (!file.ok()) return fail(std::move(file).error());
  if ((*file)->size() != 0) {
    return fail(Error{ErrorCode::kCorrupt,
                      "a file of this name exists already but the archive has not written it; move it away"}
                    .at_r(path));
  }
  file_ = std::move(*file);
  dir_sync_pending_ = true;
  return ok_status();
}

Status BinlogArchive::close_current_file(const std::string& next_file) {
  MZL_TRY(auto point, sync());
  (void)point;
  ClosedFileInfo info{current_name_, size_, crc_, first_gtid_, last_gtid_};
  closed_files_.push_back(info);
  reset_file_fields();
  current_name_ = next_file;
  MZL_CHECK(write_state());
  if (options_.compress_closed_files) {
    Status compressed = compress_closed_binlog(fs_, path_of(info.name), info.size, info.crc32);
    if (!compressed.ok()) return fail(std::move(compressed).error());
  }
  return ok_status();
}

Result<BinlogArchive::Appended> BinlogArchive::switch_file(Bytes event) {
  MZL_TRY(codec::RotateEvent rotate, decode_fake_rotate(event));
  const std::string& name = rotate.new_log_ident;
  if (name == current_name_) return Appended::kSkipped;
  if (name.empty() || name.find('/') != std::string::npos || name.starts_with('.')) {
    return Error{ErrorCode::kCorrupt, fmt::format("the server names an impossible binlog file \"{}\"", name)};
  }
  bool closed = std::any_of(closed_files_.begin(), closed_files_.end(),
                            [&](const ClosedFileInfo& f) { return f.name == name; });
  if (closed) {
    return Error{
        ErrorCode::kInvalidArgument,
        fmt::format("the dump restarts in {}, which the archive has closed already; restart it at {}", name,
                    current_name_)}
        .at_r(dir_);
  }
  if (rotate.position > codec::kBinlogMagicSize) {
    return Error{
        ErrorCode::kInvalidArgument,
        fmt::format("the dump starts {} at position {}, but the archive keeps whole files: start a new "
                    "file at position 4",
                    name, rotate.position)}
        .at_r(dir_);
  }
  if (size_ > 0) {
    MZL_CHECK(close_current_file(name));
  } else {
    current_name_ = name;
  }
  return Appended::kSkipped;
}

Result<BinlogArchive::Appended> BinlogArchive::append_format_description(Bytes event) {
  if (size_ > 0) return Appended::kSkipped;
  auto closed = codec::closed_file_format_description(event);
  if (!closed.ok()) return std::move(closed).error().at_r(path_of(current_name_), codec::kBinlogMagicSize);
  MZL_TRY(codec::RawEvent stored, codec::frame_event(closed->event, codec::kBinlogMagicSize, fd_, true));
  MZL_TRY(TransactionTracker::Step step, tracker_.add(stored, fd_));
  if (server_.version.empty()) server_.version = closed->fd.server_version;
  if (server_.flavour.empty()) server_.flavour = tracker_.flavour();
  MZL_CHECK(start_file());
  MZL_CHECK(write_bytes(Bytes(codec::kBinlogMagic, codec::kBinlogMagicSize)));
  MZL_CHECK(write_bytes(closed->event));
  fd_ = std::move(closed->fd);
  if (step.boundary) {
    boundary_ = size_;
    boundary_crc_ = crc_;
    boundary_gtid_position_ = tracker_.gtid_position();
  }
  return Appended::kWritten;
}

Result<BinlogArchive::Appended> BinlogArchive::append_event(Bytes event, const codec::EventHeader& header) {
  if (broken_) return *broken_;
  if (event.size() != header.event_size || event.size() < codec::kEventHeaderSize) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("event of {} bytes with event_size {}", event.size(), header.event_size)};
  }
  auto type = static_cast<codec::EventType>(header.type_code);
  if (type == codec::EventType::kHeartbeat || type == codec::EventType::kHeartbeatV2)
    return Appended::kSkipped;
  if (type == codec::EventType::kRotate && is_artificial(header)) return switch_file(event);
  if (current_name_.empty()) {
    return Error{ErrorCode::kInvalidArgument,
                 "an event arrived before any file name: a dump starts with a ROTATE naming the file"};
  }
  if (type == codec::EventType::kFormatDescription) return append_format_description(event);
  if (is_artificial(header)) return Appended::kSkipped;
  if (size_ == 0) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("{} has no FORMAT_DESCRIPTION yet, but an event of type {} arrived",
                             current_name_, header.type_code)}
        .at_r(path_of(current_name_));
  }
  uint64_t end = header.log_pos;
  if (end <= size_) return Appended::kSkipped;
  if (end != size_ + event.size()) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("the archive's copy of {} ends at {}, but the next event received spans {}..{}: "
                             "events are missing or overlap; restart the dump at the resume point",
                             current_name_, size_, int64_t(end) - int64_t(event.size()), end)}
        .at_r(path_of(current_name_), size_);
  }
  MZL_TRY(codec::RawEvent raw, codec::frame_event(event, size_, fd_, false));
  auto step = tracker_.add(raw, fd_);
  if (!step.ok()) return std::move(step).error().at_r(path_of(current_name_), size_);
  MZL_CHECK(write_bytes(event));
  take_step(*step);
  if (type == codec::EventType::kRotate) {
    ByteReader body(raw.body);
    MZL_TRY(codec::RotateEvent rotate, codec::decode_rotate_event(body, fd_));
    MZL_CHECK(close_current_file(rotate.new_log_ident));
    return Appended::kRotated;
  }
  return Appended::kWritten;
}

}  // namespace mzl::archive
