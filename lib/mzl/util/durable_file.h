#pragma once
// Durable local files behind small interfaces (ripple's file.h AppendOnlyFile is the model), so that every
// crash and disk-full case of the binlog archive can be tested without a real crash (fault_injecting_file.h)
// and a real SIGKILL test proves the same against the real implementation.
//
// Durability rules every caller relies on (POSIX, Linux ext4/xfs):
//  - bytes handed to append() survive a process crash (they are in the page cache) but not a power loss
//    until sync() (fdatasync) returns;
//  - a new file's name survives a power loss only after its directory is fsynced (fsync_directory);
//  - atomic_write_file() replaces a file so that a reader sees either the old or the new content, never a
//    mix, and the new content is durable when it returns.
// Errors are kIo with where = the path and a message with the errno text; ENOSPC/EDQUOT say the disk is full.
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "mzl/util/result.h"

namespace mzl {

// An append() of at least this many bytes also starts the kernel's writeback of them (see append()).
inline constexpr uint64_t kWritebackMinBytes = 256 << 10;

// Files are created with this mode: binlogs hold every row the server changed.
inline constexpr unsigned kPrivateFileMode = 0600;
inline constexpr unsigned kPrivateDirMode = 0700;

class AppendOnlyFile {
 public:
  virtual ~AppendOnlyFile() = default;
  // Writes all of `data` at the end of the file (unbuffered: the bytes reach the kernel before it returns).
  // On error some prefix of `data` may have been written; size() says how much (call truncate() to undo).
  // At least kWritebackMinBytes at once (the archive's 1 MiB buffer) also start their writeback to the disk
  // (sync_file_range WRITE): only a head start for the next sync(), which stays the one durability barrier.
  virtual Status append(std::span<const uint8_t> data) = 0;
  // fdatasync(): everything appended so far is on stable storage.
  virtual Status sync() = 0;
  // Cuts the file to `size` bytes (size <= size()); not durable until sync().
  virtual Status truncate(uint64_t size) = 0;
  virtual uint64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

// The file-system operations the archive needs. real_file_system() is the production implementation;
// FaultInjectingFileSystem (fault_injecting_file.h) wraps it for tests.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens `path` for appending, creating it (mode 0600) when missing. size() starts at the current size.
  virtual Result<std::unique_ptr<AppendOnlyFile>> open_append(const std::string& path) = 0;
  // Writes `data` to "<path>.tmp" (0600), fsyncs it, renames it over `path` and fsyncs the directory.
  virtual Status atomic_write_file(const std::string& path, std::span<const uint8_t> data) = 0;
  virtual Status fsync_directory(const std::string& dir) = 0;
  // rename(2); durable after fsync_directory() of the directory.
  virtual Status rename(const std::string& from, const std::string& to) = 0;
  // unlink(2); a missing file is not an error. Durable after fsync_directory().
  virtual Status remove(const std::string& path) = 0;
};

FileSystem& real_file_system();

// The real implementations, for callers that need no injection.
Result<std::unique_ptr<AppendOnlyFile>> open_append_only_file(const std::string& path);
Status atomic_write_file(const std::string& path, std::span<const uint8_t> data);
Status fsync_directory(const std::string& dir);

// Creates `dir` and its missing parents with mode 0700 (existing ones keep their mode) and fsyncs the parent
// of every directory it created. kIo naming the directory on failure.
Status create_private_directories(const std::string& dir);

// The kIo error for a failed system call: "<what> failed: <strerror>" (plus advice for a full disk), at path.
Error io_error(const std::string& what, const std::string& path, int err);

}  // namespace mzl
