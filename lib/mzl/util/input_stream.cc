#include "mzl/util/input_stream.h"

#include <fcntl.h>
#include <lz4frame.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace mzl {

namespace {

constexpr uint8_t kLz4Magic[4] = {0x04, 0x22, 0x4D, 0x18};

Error io_error(const std::string& what, const std::string& name, int err) {
  return Error{err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
               fmt::format("{}: {}", what, std::strerror(err))}
      .at_r(name);
}

// A file descriptor, with bytes already read from it (for magic detection) served first.
class FdInputStream final : public InputStream {
 public:
  FdInputStream(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {}
  ~FdInputStream() override {
    if (owned_) ::close(fd_);
  }
  FdInputStream(const FdInputStream&) = delete;
  FdInputStream& operator=(const FdInputStream&) = delete;

  void unread(std::vector<uint8_t> bytes) { pending_ = std::move(bytes); }

  Result<size_t> read(std::span<uint8_t> out) override {
    if (out.empty()) return size_t{0};
    if (pending_pos_ < pending_.size()) {
      const size_t n = std::min(out.size(), pending_.size() - pending_pos_);
      std::copy_n(pending_.begin() + static_cast<ptrdiff_t>(pending_pos_), n, out.begin());
      pending_pos_ += n;
      return n;
    }
    for (;;) {
      const ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      return io_error("read failed", name_, errno);
    }
  }

  const std::string& name() const override { return name_; }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  std::vector<uint8_t> pending_;
  size_t pending_pos_ = 0;
};

class Lz4InputStream final : public InputStream {
 public:
  explicit Lz4InputStream(std::unique_ptr<InputStream> source) : source_(std::move(source)), in_(kChunk) {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx_, LZ4F_VERSION))) ctx_ = nullptr;
  }
  ~Lz4InputStream() override {
    if (ctx_) LZ4F_freeDecompressionContext(ctx_);
  }
  Lz4InputStream(const Lz4InputStream&) = delete;
  Lz4InputStream& operator=(const Lz4InputStream&) = delete;

  Result<size_t> read(std::span<uint8_t> out) override {
    if (ctx_ == nullptr) return Error{ErrorCode::kInternal, "cannot create an LZ4 context"}.at_r(name());
    if (out.empty()) return size_t{0};
    for (;;) {
      if (in_pos_ == in_end_) {
        MZL_TRY(size_t n, source_->read(in_));
        if (n == 0) return size_t{0};
        in_pos_ = 0;
        in_end_ = n;
      }
      size_t dst_size = out.size();
      size_t src_size = in_end_ - in_pos_;
      const size_t hint =
          LZ4F_decompress(ctx_, out.data(), &dst_size, in_.data() + in_pos_, &src_size, nullptr);
      if (LZ4F_isError(hint)) {
        return Error{ErrorCode::kCorrupt, fmt::format("bad LZ4 data: {}", LZ4F_getErrorName(hint))}.at_r(
            name());
      }
      in_pos_ += src_size;
      frame_open_ = hint != 0;
      if (dst_size > 0) return dst_size;
    }
  }

  Status finish() override {
    if (frame_open_) return Error{ErrorCode::kCorrupt, "LZ4 stream ends inside a frame"}.at_r(name());
    return ok_status();
  }

  const std::string& name() const override { return source_->name(); }

 private:
  static constexpr size_t kChunk = 64 * 1024;
  std::unique_ptr<InputStream> source_;
  LZ4F_dctx* ctx_ = nullptr;
  std::vector<uint8_t> in_;
  size_t in_pos_ = 0;
  size_t in_end_ = 0;
  bool frame_open_ = false;
};

class MemoryInputStream final : public InputStream {
 public:
  MemoryInputStream(std::shared_ptr<const std::vector<uint8_t>> data, std::string name)
      : data_(std::move(data)), name_(std::move(name)) {}

  Result<size_t> read(std::span<uint8_t> out) override {
    const size_t n = std::min(out.size(), data_->size() - pos_);
    std::copy_n(data_->begin() + static_cast<ptrdiff_t>(pos_), n, out.begin());
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::shared_ptr<const std::vector<uint8_t>> data_;
  size_t pos_ = 0;
  std::string name_;
};

Result<std::unique_ptr<FdInputStream>> open_fd_stream(const std::string& path) {
  if (path == "-") return std::make_unique<FdInputStream>(STDIN_FILENO, false, "<stdin>");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open for reading", path, errno);
  return std::make_unique<FdInputStream>(fd, true, path);
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<std::unique_ptr<InputStream>> open_plain_input(const std::string& path) {
  MZL_TRY(auto stream, open_fd_stream(path));
  return std::unique_ptr<InputStream>(std::move(stream));
}

Result<std::unique_ptr<InputStream>> open_input(const std::string& path) {
  MZL_TRY(auto stream, open_fd_stream(path));
  std::vector<uint8_t> head(sizeof(kLz4Magic));
  size_t got = 0;
  while (got < head.size()) {
    MZL_TRY(size_t n, stream->read(std::span<uint8_t>(head).subspan(got)));
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  const bool lz4 = ends_with(path, ".lz4") ||
                   (got == sizeof(kLz4Magic) && std::equal(head.begin(), head.end(), kLz4Magic));
  stream->unread(std::move(head));
  if (lz4) return make_lz4_input(std::move(stream));
  return std::unique_ptr<InputStream>(std::move(stream));
}

std::unique_ptr<InputStream> make_lz4_input(std::unique_ptr<InputStream> source) {
  return std::make_unique<Lz4InputStream>(std::move(source));
}

std::unique_ptr<InputStream> make_memory_input(std::vector<uint8_t> data, std::string name) {
  return make_memory_input(std::make_shared<const std::vector<uint8_t>>(std::move(data)), std::move(name));
}

std::unique_ptr<InputStream> make_memory_input(std::shared_ptr<const std::vector<uint8_t>> data,
                                               std::string name) {
  return std::make_unique<MemoryInputStream>(std::move(data), std::move(name));
}

Result<std::vector<uint8_t>> read_all(InputStream& in) {
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(64 * 1024);
  for (;;) {
    MZL_TRY(size_t n, in.read(chunk));
    if (n == 0) break;
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<ptrdiff_t>(n));
  }
  MZL_CHECK(in.finish());
  return out;
}

}  // namespace mzl
