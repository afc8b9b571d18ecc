#pragma once
// A new file written once, front to back, with direct I/O (O_DIRECT) where the filesystem allows it: the
// bytes go from our buffer to the device without a copy into the page cache.
//
// Why: a snapshot writes gigabytes it will not read back. Measured on the project's VM (ext4 on virtio),
// 1 GiB written through the page cache costs 2.45 s of kernel CPU (page allocation, reclaim, copy) and
// 0.12 s with O_DIRECT; and a backup that streams through the page cache evicts what the database server
// had cached there. Direct I/O needs block-aligned buffers, lengths and offsets, so whole blocks are
// written from an aligned staging buffer and the last partial block at finish() with O_DIRECT cleared.
// A direct write waits for the device, so full buffers are written by a helper thread while the caller
// fills the other of two buffers (a write of 2 MiB takes ~1.5 ms here: time the caller's thread would
// otherwise spend blocked).
// On a filesystem that refuses O_DIRECT (tmpfs before Linux 6.6, some FUSE and network filesystems) the
// same calls write through the page cache, starting writeback every few MiB so finish() does not find the
// whole file still dirty.
//
// Errors are kIo at the path and the file offset (io_error(): ENOSPC/EDQUOT say the disk is full).
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "mzl/util/result.h"

namespace mzl {

class DirectFile {
 public:
  // Creates `path` (O_EXCL, mode 0600: it must not exist; its directory must).
  static Result<std::unique_ptr<DirectFile>> create(const std::string& path);

  // Removes the file unless finish() succeeded: a file destroyed half-written never looks complete.
  ~DirectFile();
  DirectFile(const DirectFile&) = delete;
  DirectFile& operator=(const DirectFile&) = delete;

  // Appends `data` (it may be held in the staging buffer until a whole buffer is ready, or finish()).
  Status append(std::span<const uint8_t> data);

  // Writing in place, without the copy append() makes: reserve() is where the next bytes go (at least
  // kMaxReserve of room); commit(n) appends the first n of them (n <= kMaxReserve). The span is valid until
  // the next commit(), append() or finish().
  static constexpr size_t kMaxReserve = 512 * 1024;
  std::span<uint8_t> reserve();
  Status commit(size_t length);
  // Writes what is still buffered, fdatasync()s when `sync` (else the caller syncs later, e.g. with
  // sync_files()), and closes the file. Call once; after an error the file is removed by the destructor.
  Status finish(bool sync);

  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  bool direct() const { return direct_; }

 private:
  using Buffer = std::unique_ptr<uint8_t, void (*)(void*)>;

  DirectFile(std::string path, int fd, bool direct);
  // Hands the full current buffer to the writer thread and continues in the other one.
  Status submit_current();
  // Waits until the writer thread is idle; its error, if any.
  Status wait_for_writer();
  void writer_loop();
  Status write_at(const uint8_t* data, size_t length, uint64_t offset);
  Status leave_direct_mode();
  void stop_writer();

  std::string path_;
  int fd_ = -1;
  bool direct_ = false;
  bool finished_ = false;
  Buffer buffers_[2];
  int current_ = 0;              // the buffer being filled
  size_t buffered_ = 0;          // bytes in buffers_[current_]
  uint64_t submitted_ = 0;       // file offset where buffers_[current_] goes
  uint64_t size_ = 0;            // bytes appended
  uint64_t writeback_from_ = 0;  // buffered mode: start of the range whose writeback is not yet started

  // The writer thread's job: buffers_[job_buffer_], job_length_ bytes at job_offset_.
  std::thread writer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool job_pending_ = false;
  bool stopping_ = false;
  int job_buffer_ = 0;
  size_t job_length_ = 0;
  uint64_t job_offset_ = 0;
  Status writer_status_;
};

}  // namespace mzl
