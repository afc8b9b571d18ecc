#include "mzl/util/output_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace mzl {

namespace {

Error io_error(const std::string& what, const std::string& name, int err) {
  return Error{err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
               fmt::format("{}: {}", what, std::strerror(err))}
      .at_r(name);
}

class FdOutputStream final : public OutputStream {
 public:
  FdOutputStream(int fd, bool owned, std::string name, size_t buffer_size)
      : fd_(fd), owned_(owned), name_(std::move(name)), capacity_(buffer_size == 0 ? 1 : buffer_size) {
    buffer_.reserve(capacity_);
  }
  ~FdOutputStream() override { (void)close(); }
  FdOutputStream(const FdOutputStream&) = delete;
  FdOutputStream& operator=(const FdOutputStream&) = delete;

  Status write(std::span<const uint8_t> data) override {
    if (fd_ < 0) return Error{ErrorCode::kIo, "write after close"}.at_r(name_);
    if (buffer_.size() + data.size() > capacity_) {
      MZL_CHECK(flush());
      if (data.size() >= capacity_) return write_all(data);
    }
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    return ok_status();
  }

  Status flush() override {
    if (fd_ < 0) return ok_status();
    Status s = write_all(buffer_);
    buffer_.clear();
    return s;
  }

  Status sync() override {
    MZL_CHECK(flush());
    if (fd_ < 0 || !owned_) return ok_status();
    if (::fsync(fd_) != 0) return io_error("fsync failed", name_, errno);
    return ok_status();
  }

  Status close() override {
    if (fd_ < 0) return ok_status();
    Status s = flush();
    if (owned_ && ::close(fd_) != 0 && s.ok()) s = io_error("close failed", name_, errno);
    fd_ = -1;
    return s;
  }

  const std::string& name() const override { return name_; }

 private:
  Status write_all(std::span<const uint8_t> data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("write failed", name_, errno);
      }
      data = data.subspan(static_cast<size_t>(n));
    }
    return ok_status();
  }

  int fd_;
  bool owned_;
  std::string name_;
  size_t capacity_;
  std::vector<uint8_t> buffer_;
};

class MemoryOutputStream final : public OutputStream {
 public:
  MemoryOutputStream(std::vector<uint8_t>& sink, std::string name) : sink_(sink), name_(std::move(name)) {}
  Status write(std::span<const uint8_t> data) override {
    if (closed_) return Error{ErrorCode::kIo, "write after close"}.at_r(name_);
    sink_.insert(sink_.end(), data.begin(), data.end());
    return ok_status();
  }
  Status flush() override { return ok_status(); }
  Status sync() override { return ok_status(); }
  Status close() override {
    closed_ = true;
    return ok_status();
  }
  const std::string& name() const override { return name_; }

 private:
  std::vector<uint8_t>& sink_;
  std::string name_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<OutputStream>> open_output(const std::string& path, size_t buffer_size) {
  if (path == "-")
    return std::unique_ptr<OutputStream>(
        std::make_unique<FdOutputStream>(STDOUT_FILENO, false, "<stdout>", buffer_size));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open for writing", path, errno);
  return std::unique_ptr<OutputStream>(std::make_unique<FdOutputStream>(fd, true, path, buffer_size));
}

std::unique_ptr<OutputStream> make_memory_output(std::vector<uint8_t>& sink, std::string name) {
  return std::make_unique<MemoryOutputStream>(sink, std::move(name));
}

}  // namespace mzl
