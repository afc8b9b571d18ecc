// BinlogArchive::open(): loading the state, checking the server, and repairing the directory after a crash.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "mzl/archive/binlog_archive.h"
#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/compress_binlog.h"
#include "mzl/codec/event_header.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/raw_event.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/repo/repository_layout.h"
#include "mzl/util/crc32.h"
#include "mzl/util/input_stream.h"

namespace mzl::archive {
namespace {

// Reads a file at given offsets (the current file is scanned from the state's position, not from 0).
class FileAt {
 public:
  ~FileAt() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return io_error("open for reading", path, errno);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return io_error("stat", path, errno);
    size_ = static_cast<uint64_t>(st.st_size);
    return ok_status();
  }
  // Reads exactly `n` bytes at `offset` (the caller checked offset + n <= size()).
  Result<std::vector<uint8_t>> read(uint64_t offset, size_t n) const {
    std::vector<uint8_t> out(n);
    size_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return io_error("read", path_, errno).at_r(path_, offset + done);
      if (got == 0)
        return Error{ErrorCode::kIo, "the file shrank while it was read"}.at_r(path_, offset + done);
      done += static_cast<size_t>(got);
    }
    return out;
  }
  uint64_t size() const { return size_; }

 private:
  int fd_ = -1;
  std::string path_;
  uint64_t size_ = 0;
};

// The size field of the event header at the start of `header` (kEventHeaderSize bytes).
uint32_t event_size_of(std::span<const uint8_t> header) {
  ByteReader in(header);
  return codec::read_event_header(in).event_size;
}

// The stored identity and the server's disagree on something both know.
bool different_server(const ServerIdentity& stored, const ServerIdentity& now) {
  if (!stored.server_uuid.empty() && !now.server_uuid.empty() && stored.server_uuid != now.server_uuid)
    return true;
  return stored.server_id != 0 && now.server_id != 0 && stored.server_id != now.server_id;
}

std::string describe(const ServerIdentity& server) {
  std::string text = fmt::format("server_id {}", server.server_id);
  if (!server.server_uuid.empty()) text += fmt::format(", server_uuid {}", server.server_uuid);
  return text;
}

}  // namespace

Result<std::unique_ptr<BinlogArchive>> BinlogArchive::open(const BinlogArchiveOptions& options) {
  MZL_CHECK(validate_source_name(options.source));
  if (options.repo.empty()) return Error{ErrorCode::kInvalidArgument, "no repository directory given"};
  std::string dir = repo::source_dir(options.repo, options.source);
  MZL_CHECK(create_private_directories(dir));
  // Before anything is read or repaired: a second archiver of the same source would append the events the
  // first one appends, or cut the tail that the first one is writing as if it were torn.
  MZL_TRY(
      repo::DirectoryLock lock,
      repo::lock_directory(dir, fmt::format("another mzl-binlog-tail archiving source {}", options.source)));
  FileSystem& fs = options.fs ? *options.fs : real_file_system();
  std::unique_ptr<BinlogArchive> archive(new BinlogArchive(fs, dir, options));
  archive->lock_ = std::move(lock);
  MZL_CHECK(archive->load_state());
  MZL_CHECK(archive->tidy_directory());
  MZL_CHECK(archive->recover_current_file());
  MZL_CHECK(archive->write_state());
  return archive;
}

Status BinlogArchive::load_state() {
  std::string path = fmt::format("{}/{}", dir_, repo::kStateFileName);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    MZL_TRY(auto in, open_plain_input(path));
    MZL_TRY(std::vector<uint8_t> bytes, read_all(*in));
    MZL_TRY(written_state_,
            decode_archive_state(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                 path));
  } else {
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      std::string name = entry.path().filename().string();
      if (binlog_sequence_number(name) && entry.file_size(ec) > 0) {
        return Error{
            ErrorCode::kCorrupt,
            fmt::format("{} holds binlog files (such as {}) but no state.json: it was not written by "
                        "mzl or its state was lost; move the files away or use another source name",
                        dir_, name)}
            .at_r(dir_);
      }
    }
    if (ec) return io_error("list directory", dir_, ec.value());
  }
  const ServerIdentity& stored = written_state_.server;
  const ServerIdentity& now = options_.server;
  server_ = stored;
  if (different_server(stored, now)) {
    if (!options_.allow_new_source) {
      return Error{
          ErrorCode::kInvalidArgument,
          fmt::format("this archive was taken from {}, but the server now has {}: a different server. "
                      "Archive it under another source name, or allow a new source to continue this "
                      "archive from it",
                      describe(stored), describe(now))}
          .at_r(dir_);
    }
    server_ = ServerIdentity{};
  }
  if (!now.server_uuid.empty()) server_.server_uuid = now.server_uuid;
  if (now.server_id != 0) server_.server_id = now.server_id;
  if (!now.flavour.empty()) server_.flavour = now.flavour;
  if (!now.version.empty()) server_.version = now.version;
  if (server_.flavour.empty()) server_.flavour = stored.flavour;

  closed_files_ = written_state_.closed_files;
  follows_ = written_state_.follows ? written_state_.follows : options_.follows;
  current_name_ = written_state_.current_file;
  boundary_gtid_position_ = written_state_.gtid_position;
  boundary_gtid_stale_ = false;
  auto tracker = TransactionTracker::at_boundary(stored.flavour, written_state_.gtid_position);
  if (!tracker.ok()) return std::move(tracker).error().at_r(path);
  tracker_ = std::move(*tracker);
  return ok_status();
}

Status BinlogArchive::tidy_directory() {
  std::error_code ec;
  bool removed = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".tmp")) {
      MZL_CHECK(fs_.remove(entry.path().string()));
      removed = true;
    }
  }
  if (ec) return io_error("list directory", dir_, ec.value());
  for (const ClosedFileInfo& info : closed_files_) {
    std::string plain = path_of(info.name);
    bool has_plain = std::filesystem::exists(plain, ec);
    bool has_lz4 = std::filesystem::exists(plain + ".lz4", ec);
    if (has_plain && has_lz4) {
      // The .lz4 is installed only after it was synced and checked: the plain file's removal was interrupted.
      MZL_CHECK(fs_.remove(plain));
      removed = true;
    } else if (has_plain && options_.compress_closed_files) {
      MZL_CHECK(compress_closed_binlog(fs_, plain, info.size, info.crc32));
    }
  }
  if (removed) MZL_CHECK(fs_.fsync_directory(dir_));
  return ok_status();
}

Status BinlogArchive::recover_current_file() {
  if (current_name_.empty()) return ok_status();
  std::string path = path_of(current_name_);
  const uint64_t state_position = written_state_.durable_position;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (state_position == 0) return ok_status();
    return Error{ErrorCode::kCorrupt,
                 fmt::format("the current file is missing, but state.json says {} bytes of it are durable; "
                             "restore it or move the archive away",
                             state_position)}
        .at_r(path);
  }
  FileAt in;
  MZL_CHECK(in.open(path));
  const uint64_t file_size = in.size();
  auto corrupt = [&](std::string what, uint64_t offset) {
    return Error{ErrorCode::kCorrupt, std::move(what)}.at_r(path, offset);
  };
  if (file_size < state_position) {
    return corrupt(
        fmt::format("the file has {} bytes, but state.json says {} bytes of it are durable: the disk "
                    "lost synced data or the file was replaced",
                    file_size, state_position),
        file_size);
  }

  // The FORMAT_DESCRIPTION (always needed to frame what follows). A file without a complete one is a torn
  // first write: the file is removed and started again from the dump.
  bool torn_start = file_size < codec::kBinlogMagicSize + codec::kEventHeaderSize;
  std::vector<uint8_t> head;
  if (!torn_start) {
    MZL_TRY(head, in.read(0, codec::kBinlogMagicSize + codec::kEventHeaderSize));
    if (!std::equal(head.begin(), head.begin() + codec::kBinlogMagicSize, codec::kBinlogMagic)) {
      return corrupt("not a binlog file (bad magic)", 0);
    }
    uint32_t fd_size = event_size_of(std::span(head).subspan(codec::kBinlogMagicSize));
    torn_start = fd_size < codec::kEventHeaderSize || codec::kBinlogMagicSize + fd_size > file_size;
    if (!torn_start) {
      MZL_TRY(std::vector<uint8_t> fd_bytes, in.read(codec::kBinlogMagicSize, fd_size));
      auto raw = codec::frame_event(fd_bytes, codec::kBinlogMagicSize, fd_, true);
      if (!raw.ok() || raw->header.type_code != static_cast<uint8_t>(codec::EventType::kFormatDescription)) {
        torn_start = true;
      } else {
        ByteReader body(raw->body);
        auto fd = codec::decode_format_description(body, fd_);
        if (!fd.ok()) return std::move(fd).error().at_r(path, codec::kBinlogMagicSize);
        fd_ = std::move(*fd);
        if (state_position == 0) {
          MZL_TRY(auto step, track(*raw));
          crc_ = crc32(Bytes(codec::kBinlogMagic, codec::kBinlogMagicSize));
          crc_ = crc32(fd_bytes, crc_);
          size_ = boundary_ = codec::kBinlogMagicSize + fd_size;
          boundary_crc_ = crc_;
          (void)step;
          boundary_gtid_stale_ = true;
          if (server_.flavour.empty()) server_.flavour = tracker_.flavour();
          if (server_.version.empty()) server_.version = fd_.server_version;
        }
      }
    }
  }
  if (torn_start) {
    if (state_position > 0) return corrupt("the FORMAT_DESCRIPTION is damaged", codec::kBinlogMagicSize);
    MZL_CHECK(fs_.remove(path));
    MZL_CHECK(fs_.fsync_directory(dir_));
    reset_file_fields();
    return ok_status();
  }
  if (state_position > 0) {
    size_ = boundary_ = state_position;
    crc_ = boundary_crc_ = written_state_.current_crc32;
    first_gtid_ = boundary_first_gtid_ = written_state_.current_first_gtid;
    last_gtid_ = boundary_last_gtid_ = written_state_.current_last_gtid;
  }

  // Every complete, checksum-valid event after the state's position. An incomplete or bad event at the
  // very end is a torn write; a bad event with more bytes after it is damage to data that may have been
  // reported durable, and is never truncated away.
  std::optional<std::string> rotated_to;
  while (size_ < file_size && !rotated_to) {
    uint64_t offset = size_;
    if (file_size - offset < codec::kEventHeaderSize) break;
    MZL_TRY(std::vector<uint8_t> header, in.read(offset, codec::kEventHeaderSize));
    uint32_t event_size = event_size_of(header);
    if (event_size < codec::kEventHeaderSize || event_size > file_size - offset) break;
    MZL_TRY(std::vector<uint8_t> bytes, in.read(offset, event_size));
    auto raw = codec::frame_event(bytes, offset, fd_, true);
    if (!raw.ok()) {
      if (offset + event_size == file_size) break;
      return std::move(raw).error().at_r(path, offset);
    }
    auto step = track(*raw);
    if (!step.ok()) {
      if (offset + event_size == file_size) break;
      return std::move(step).error().at_r(path, offset);
    }
    crc_ = crc32(bytes, crc_);
    size_ += event_size;
    take_step(*step);
    if (raw->header.type_code == static_cast<uint8_t>(codec::EventType::kRotate)) {
      ByteReader body(raw->body);
      MZL_TRY(codec::RotateEvent rotate, codec::decode_rotate_event(body, fd_));
      rotated_to = rotate.new_log_ident;
    }
  }

  auto file = fs_.open_append(path);
  if (!file.ok()) return fail(std::move(file).error());
  file_ = std::move(*file);
  MZL_CHECK(cut_to_boundary(file_size));
  if (rotated_to) return close_current_file(*rotated_to);
  return ok_status();
}

}  // namespace mzl::archive
