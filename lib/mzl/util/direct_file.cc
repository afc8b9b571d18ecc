#include "mzl/util/direct_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "mzl/util/durable_file.h"

namespace mzl {
namespace {

// 4096 covers the logical block size of every common device (512 or 4096 bytes), so the buffer's address,
// every write's length and every offset are multiples of it.
constexpr size_t kBlock = 4096;
constexpr size_t kBufferSize = 2u << 20;  // one write(2) per 2 MiB; two buffers per file
// Buffered mode: writeback of the file is started (not waited for) every this many bytes.
constexpr uint64_t kWritebackStep = 8ull << 20;

// Each buffer has kMaxReserve bytes beyond kBufferSize, so a reservation never has to be split.
uint8_t* aligned_buffer() {
  return static_cast<uint8_t*>(std::aligned_alloc(kBlock, kBufferSize + DirectFile::kMaxReserve));
}

}  // namespace

DirectFile::DirectFile(std::string path, int fd, bool direct)
    : path_(std::move(path)),
      fd_(fd),
      direct_(direct),
      buffers_{Buffer(aligned_buffer(), &std::free), Buffer(aligned_buffer(), &std::free)} {}

Result<std::unique_ptr<DirectFile>> DirectFile::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return io_error("create", path, errno);
  // Set after creating, not at open(): a filesystem without O_DIRECT fails an open(O_CREAT | O_DIRECT)
  // with EINVAL after the file exists; fcntl() just refuses and the file stays buffered.
  const int flags = ::fcntl(fd, F_GETFL);
  const bool direct = flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_DIRECT) == 0;
  auto file = std::unique_ptr<DirectFile>(new DirectFile(path, fd, direct));
  if (!file->buffers_[0] || !file->buffers_[1]) {
    return Error{ErrorCode::kInternal, "out of memory for a write buffer"}.at_r(path);
  }
  return file;
}

DirectFile::~DirectFile() {
  stop_writer();
  if (fd_ >= 0) ::close(fd_);
  if (!finished_) ::unlink(path_.c_str());
}

std::span<uint8_t> DirectFile::reserve() {
  return {buffers_[current_].get() + buffered_, kBufferSize + kMaxReserve - buffered_};
}

Status DirectFile::commit(size_t length) {
  if (fd_ < 0) return Error{ErrorCode::kInternal, "append after finish() or an error"}.at_r(path_, size_);
  if (length > kMaxReserve) return Error{ErrorCode::kInternal, "commit() beyond the reservation"}.at_r(path_);
  buffered_ += length;
  size_ += length;
  return buffered_ >= kBufferSize ? submit_current() : ok_status();
}

Status DirectFile::append(std::span<const uint8_t> data) {
  while (!data.empty()) {
    const size_t n = std::min(data.size(), kMaxReserve);
    std::memcpy(reserve().data(), data.data(), n);
    MZL_CHECK(commit(n));
    data = data.subspan(n);
  }
  return ok_status();
}

Status DirectFile::finish(bool sync) {
  if (fd_ < 0) return Error{ErrorCode::kInternal, "finish() called twice or after an error"}.at_r(path_);
  Status status = wait_for_writer();
  stop_writer();
  if (status.ok() && buffered_ > 0) {
    // The last partial block cannot be written directly (its length is not a multiple of the block size):
    // the whole blocks go first, then the rest with O_DIRECT cleared.
    const uint8_t* data = buffers_[current_].get();
    const size_t whole = buffered_ / kBlock * kBlock;
    status = write_at(data, whole, submitted_);
    if (status.ok()) status = leave_direct_mode();
    if (status.ok()) status = write_at(data + whole, buffered_ - whole, submitted_ + whole);
  }
  if (status.ok() && sync && ::fdatasync(fd_) != 0) status = io_error("fdatasync", path_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (status.ok() && ::close(fd) != 0) return io_error("close", path_, errno);
  if (!status.ok()) {
    ::close(fd);
    return status;
  }
  finished_ = true;
  return ok_status();
}

// Hands the first kBufferSize bytes of the current buffer to the writer thread; what was committed beyond
// them starts the other buffer.
Status DirectFile::submit_current() {
  Status previous = wait_for_writer();
  if (!previous.ok()) {
    stop_writer();
    ::close(fd_);
    fd_ = -1;
    return previous;
  }
  const size_t overflow = buffered_ - kBufferSize;
  std::memcpy(buffers_[1 - current_].get(), buffers_[current_].get() + kBufferSize, overflow);
  if (!writer_.joinable()) writer_ = std::thread([this] { writer_loop(); });
  {
    std::lock_guard lock(mutex_);
    job_buffer_ = current_;
    job_length_ = kBufferSize;
    job_offset_ = submitted_;
    job_pending_ = true;
  }
  changed_.notify_all();
  submitted_ += kBufferSize;
  buffered_ = overflow;
  current_ = 1 - current_;
  return ok_status();
}

Status DirectFile::wait_for_writer() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !job_pending_; });
  return writer_status_;
}

void DirectFile::writer_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return job_pending_ || stopping_; });
    if (!job_pending_) return;
    const uint8_t* data = buffers_[job_buffer_].get();
    const size_t length = job_length_;
    const uint64_t offset = job_offset_;
    lock.unlock();
    Status status = write_at(data, length, offset);
    if (!status.ok() && direct_ && status.error().code == ErrorCode::kInternal) {
      // EINVAL from a direct write: the filesystem accepted O_DIRECT but not these sizes. Write buffered.
      status = leave_direct_mode();
      if (status.ok()) status = write_at(data, length, offset);
    }
    if (status.ok() && !direct_ && offset + length - writeback_from_ >= kWritebackStep) {
      // Only a hint: an error here shows up again, and is reported, at fdatasync().
      ::sync_file_range(fd_, static_cast<off64_t>(writeback_from_),
                        static_cast<off64_t>(offset + length - writeback_from_), SYNC_FILE_RANGE_WRITE);
      writeback_from_ = offset + length;
    }
    lock.lock();
    if (!status.ok() && writer_status_.ok()) writer_status_ = std::move(status);
    job_pending_ = false;
    changed_.notify_all();
  }
}

void DirectFile::stop_writer() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

// kInternal for EINVAL on a direct write (the caller retries buffered), kIo otherwise.
Status DirectFile::write_at(const uint8_t* data, size_t length, uint64_t offset) {
  while (length > 0) {
    const ssize_t n = ::pwrite(fd_, data, length, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL && direct_) return Error{ErrorCode::kInternal, "direct write refused"};
      return io_error("write", path_, errno).at_r(path_, offset);
    }
    if (n == 0) return io_error("write", path_, EIO).at_r(path_, offset);
    data += n;
    length -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
    if (length > 0 && direct_) MZL_CHECK(leave_direct_mode());  // a short write leaves offsets unaligned
  }
  return ok_status();
}

Status DirectFile::leave_direct_mode() {
  if (!direct_) return ok_status();
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) return io_error("fcntl", path_, errno);
  direct_ = false;
  return ok_status();
}

}  // namespace mzl
