#include "mzl/archive/binlog_archive.h"

#include <algorithm>
#include <cassert>
#include <vector>

#include <fmt/format.h>

#include "mzl/archive/compress_binlog.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/net/event_placement.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/crc32.h"

namespace mzl::archive {
namespace {}  // namespace

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
  ResumePoint point;
  update_resume_point(point);
  return point;
}

bool BinlogArchive::update_resume_point(ResumePoint& point) const {
  const uint64_t position =
      current_name_.empty() ? 0 : (boundary_ == 0 ? codec::kBinlogMagicSize : boundary_);
  if (point.file == current_name_ && point.position == position &&
      point.gtid_position == boundary_gtid_position()) {
    return false;
  }
  point.file = current_name_;
  point.position = position;
  point.gtid_position = boundary_gtid_position();
  return true;
}

const std::string& BinlogArchive::boundary_gtid_position() const {
  if (boundary_gtid_stale_) {
    boundary_gtid_position_ = tracker_.gtid_position();
    boundary_gtid_stale_ = false;
  }
  return boundary_gtid_position_;
}

Result<TransactionTracker::Step> BinlogArchive::track(const codec::RawEvent& event) {
  const auto type = static_cast<codec::EventType>(event.header.type_code);
  if (type == codec::EventType::kPreviousGtids || type == codec::EventType::kMariaGtidList) {
    (void)boundary_gtid_position();
  }
  return tracker_.add(event, fd_);
}

ArchiveState BinlogArchive::state_now() const {
  assert(buffer_.empty() && "boundary_crc_ is exact only after flush_buffer()");
  ArchiveState state;
  state.source = options_.source;
  state.server = server_;
  state.current_file = current_name_;
  state.durable_position = boundary_;
  state.gtid_position = boundary_gtid_position();
  state.current_crc32 = boundary_crc_;
  state.current_first_gtid = boundary_first_gtid_;
  state.current_last_gtid = boundary_last_gtid_;
  state.closed_files = closed_files_;
  state.follows = follows_;
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
  size_ += data.size();
  if (buffer_.size() >= kWriteBufferSize) return flush_buffer();
  return ok_status();
}

// The file's CRC follows the buffer here, in one pass over it, and not event by event in write_bytes(): the
// pass is split at the boundary when the boundary lies in the buffer, so boundary_crc_ is exact after every
// flush. A boundary set after the buffer's start was taken with crc_ of the flushed bytes only; it is
// recomputed here before anything reads it (state_now(), cut_to_boundary() run after a flush).
Status BinlogArchive::flush_buffer() {
  if (buffer_.empty()) return ok_status();
  Status written = file_->append(buffer_);
  if (!written.ok()) return fail(std::move(written).error());
  const uint64_t start = size_ - buffer_.size();
  if (boundary_ >= start) {
    const size_t before = static_cast<size_t>(boundary_ - start);
    boundary_crc_ = crc32(Bytes(buffer_).first(before), crc_);
    crc_ = crc32(Bytes(buffer_).subspan(before), boundary_crc_);
  } else {
    crc_ = crc32(buffer_, crc_);
  }
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
  assert(buffer_.empty() && "boundary_crc_ is exact only after flush_buffer()");
  if (file_size > boundary_) {
    Status cut = file_->truncate(boundary_);
    if (cut.ok()) cut = file_->sync();
    if (!cut.ok()) return fail(std::move(cut).error());
  }
  size_ = synced_ = boundary_;
  crc_ = boundary_crc_;
  first_gtid_ = boundary_first_gtid_;
  last_gtid_ = boundary_last_gtid_;
  auto tracker = TransactionTracker::at_boundary(tracker_.flavour(), boundary_gtid_position());
  if (!tracker.ok()) return fail(std::move(tracker).error());
  tracker_ = std::move(*tracker);
  return ok_status();
}

void BinlogArchive::take_step(const TransactionTracker::Step& step) {
  if (!step.ended_gtid.empty()) {
    if (first_gtid_.empty()) first_gtid_ = step.ended_gtid;
    last_gtid_ = step.ended_gtid;
  }
  if (step.ends) ++transactions_ended_;
  if (step.boundary) {
    ++boundary_sequence_;
    boundary_ = size_;
    boundary_crc_ = crc_;
    boundary_gtid_stale_ = true;
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
  ++boundary_sequence_;
  MZL_CHECK(write_state());
  if (options_.compress_closed_files) {
    Status compressed = compress_closed_binlog(fs_, path_of(info.name), info.size, info.crc32);
    if (!compressed.ok()) return fail(std::move(compressed).error());
  }
  return ok_status();
}

Result<BinlogArchive::Appended> BinlogArchive::switch_file(const net::StreamEvent& rotate) {
  const std::string_view name = rotate.rotate_file;
  if (name.empty() || name.find('/') != std::string_view::npos || name.starts_with('.')) {
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
  if (rotate.rotate_position > codec::kBinlogMagicSize) {
    return Error{
        ErrorCode::kInvalidArgument,
        fmt::format("the dump starts {} at position {}, but the archive keeps whole files: start a new "
                    "file at position 4",
                    name, rotate.rotate_position)}
        .at_r(dir_);
  }
  if (size_ > 0) {
    MZL_CHECK(close_current_file(std::string(name)));
  } else {
    current_name_ = name;
    ++boundary_sequence_;
  }
  return Appended::kSkipped;
}

Result<BinlogArchive::Appended> BinlogArchive::append_format_description(const net::StreamEvent& event) {
  auto closed = codec::closed_file_format_description(event.data);
  if (!closed.ok()) return std::move(closed).error().at_r(path_of(current_name_), codec::kBinlogMagicSize);
  MZL_TRY(codec::RawEvent stored, codec::frame_event(closed->event, codec::kBinlogMagicSize, fd_, true));
  MZL_TRY(TransactionTracker::Step step, track(stored));
  if (server_.version.empty()) server_.version = closed->fd.server_version;
  if (server_.flavour.empty()) server_.flavour = tracker_.flavour();
  MZL_CHECK(start_file());
  MZL_CHECK(write_bytes(Bytes(codec::kBinlogMagic, codec::kBinlogMagicSize)));
  MZL_CHECK(write_bytes(closed->event));
  fd_ = std::move(closed->fd);
  if (step.boundary) {
    ++boundary_sequence_;
    boundary_ = size_;
    boundary_crc_ = crc_;
    boundary_gtid_stale_ = true;
  }
  return Appended::kWritten;
}

Result<BinlogArchive::Appended> BinlogArchive::append_event(const net::StreamEvent& event) {
  if (broken_) return *broken_;
  auto placement = net::place_event(event, net::CopyEnd{current_name_, size_});
  if (!placement.ok()) {
    return std::move(placement).error().at_r(current_name_.empty() ? dir_ : path_of(current_name_), size_);
  }
  switch (*placement) {
    case net::Placement::kNotStored:
    case net::Placement::kRepeatedFormatDescription:
      return Appended::kSkipped;
    case net::Placement::kNewFile:
      return switch_file(event);
    case net::Placement::kFormatDescription:
      return append_format_description(event);
    case net::Placement::kAppend:
    case net::Placement::kAppendLast:
      break;
  }
  // The cursor framed the event with the FORMAT_DESCRIPTION of this file (the one in fd_): its body is
  // what the tracker reads.
  const codec::RawEvent raw{event.header, event.data, event.body, std::nullopt, false, size_};
  auto step = track(raw);
  if (!step.ok()) return std::move(step).error().at_r(path_of(current_name_), size_);
  MZL_CHECK(write_bytes(event.data));
  take_step(*step);
  if (*placement == net::Placement::kAppendLast) {
    MZL_CHECK(close_current_file(std::string(event.rotate_file)));
    return Appended::kRotated;
  }
  return Appended::kWritten;
}

}  // namespace mzl::archive
