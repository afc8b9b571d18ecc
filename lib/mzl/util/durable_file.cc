#include "mzl/util/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace mzl {
namespace {

std::string parent_dir(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

class PosixAppendOnlyFile final : public AppendOnlyFile {
 public:
  PosixAppendOnlyFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixAppendOnlyFile() override { ::close(fd_); }

  Status append(std::span<const uint8_t> data) override {
    const uint64_t start = size_;
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(size_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("write", path_, errno).at_r(path_, size_);
      }
      size_ += static_cast<uint64_t>(n);
      data = data.subspan(static_cast<size_t>(n));
    }
    if (size_ - start >= kWritebackMinBytes) start_writeback(start, size_);
    return ok_status();
  }

  Status sync() override {
    if (::fdatasync(fd_) != 0) return io_error("fdatasync", path_, errno);
    return ok_status();
  }

  Status truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return io_error("truncate", path_, errno);
    size_ = size;
    return ok_status();
  }

  uint64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  // Asks the kernel to start writing [from, to) to the disk now (sync_file_range(2) with only
  // SYNC_FILE_RANGE_WRITE: it neither waits nor makes anything durable), so that the next fdatasync finds
  // little dirty data and blocks the caller briefly instead of for the whole interval's writes. Whole pages
  // only: the partial last page is written with the next range (it would be dirtied again). A failure is
  // ignored: the bytes are still in the page cache and fdatasync() reports any I/O error.
  void start_writeback(uint64_t from, uint64_t to) {
    const uint64_t first = from & ~(kPageSize - 1);
    const uint64_t end = to & ~(kPageSize - 1);
    if (end > first) {
      (void)::sync_file_range(fd_, static_cast<off_t>(first), static_cast<off_t>(end - first),
                              SYNC_FILE_RANGE_WRITE);
    }
  }
  static constexpr uint64_t kPageSize = 4096;

  int fd_;
  std::string path_;
  uint64_t size_;
};

class RealFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<AppendOnlyFile>> open_append(const std::string& path) override {
    return open_append_only_file(path);
  }
  Status atomic_write_file(const std::string& path, std::span<const uint8_t> data) override {
    return mzl::atomic_write_file(path, data);
  }
  Status fsync_directory(const std::string& dir) override { return mzl::fsync_directory(dir); }
  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return io_error(fmt::format("rename to {}", to), from, errno);
    }
    return ok_status();
  }
  Status remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("unlink", path, errno);
    return ok_status();
  }
};

}  // namespace

Error io_error(const std::string& what, const std::string& path, int err) {
  std::string message = fmt::format("{} failed: {}", what, std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    message +=
        " (the disk or quota is full: free space or move the repository, then run again; everything "
        "reported durable before this is intact)";
  }
  return Error{ErrorCode::kIo, std::move(message)}.at_r(path);
}

Result<std::unique_ptr<AppendOnlyFile>> open_append_only_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return io_error("open for writing", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return io_error("stat", path, err);
  }
  return std::unique_ptr<AppendOnlyFile>(
      std::make_unique<PosixAppendOnlyFile>(fd, path, static_cast<uint64_t>(st.st_size)));
}

Status atomic_write_file(const std::string& path, std::span<const uint8_t> data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return io_error("open for writing", tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error("write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("fsync", tmp, err);
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("close", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error(fmt::format("rename to {}", path), tmp, err);
  }
  return fsync_directory(parent_dir(path));
}

Status fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync directory", dir, err);
  return ok_status();
}

Status create_private_directories(const std::string& dir) {
  std::filesystem::path path(dir);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return ok_status();
  std::string parent = parent_dir(dir);
  if (parent != dir && path.has_parent_path()) MZL_CHECK(create_private_directories(parent));
  if (::mkdir(dir.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) return io_error("mkdir", dir, errno);
  return fsync_directory(parent);
}

FileSystem& real_file_system() {
  static RealFileSystem fs;
  return fs;
}

}  // namespace mzl
