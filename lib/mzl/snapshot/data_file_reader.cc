#include "mzl/snapshot/data_file_reader.h"

#include <zstd.h>

#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mzl/util/sha256.h"

namespace mzl::snapshot {
namespace {

Error internal(const std::string& what, const std::string& name) {
  return Error{ErrorCode::kInternal, what}.at_r(name);
}

class ZstdInputStream final : public InputStream {
 public:
  explicit ZstdInputStream(std::unique_ptr<InputStream> source)
      : source_(std::move(source)), ctx_(ZSTD_createDCtx()), in_(ZSTD_DStreamInSize()) {}
  ~ZstdInputStream() override { ZSTD_freeDCtx(ctx_); }
  ZstdInputStream(const ZstdInputStream&) = delete;
  ZstdInputStream& operator=(const ZstdInputStream&) = delete;

  Result<size_t> read(std::span<uint8_t> out) override {
    if (ctx_ == nullptr) return internal("cannot create a zstd context", name());
    if (out.empty()) return size_t{0};
    for (;;) {
      if (in_pos_ == in_end_ && !source_ended_) {
        MZL_TRY(size_t n, source_->read(in_));
        in_pos_ = 0;
        in_end_ = n;
        consumed_ += n;
        source_ended_ = n == 0;
      }
      // Called even without new input: the context may still hold decoded bytes to flush.
      ZSTD_inBuffer in{in_.data() + in_pos_, in_end_ - in_pos_, 0};
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      const size_t ret = ZSTD_decompressStream(ctx_, &o, &in);
      if (ZSTD_isError(ret)) {
        return Error{ErrorCode::kCorrupt, fmt::format("bad zstd data: {}", ZSTD_getErrorName(ret))}.at_r(
            name(), consumed_ - (in_end_ - in_pos_));
      }
      in_pos_ += in.pos;
      // ret is 0 when a frame is complete; with no input at a frame boundary it is the next header's size.
      if (ret == 0) {
        frame_open_ = false;
      } else if (in.pos > 0) {
        frame_open_ = true;
      }
      if (o.pos > 0) return o.pos;
      if (in_pos_ == in_end_ && source_ended_) {
        source_ended_ = false;  // a later read may find more (a growing file)
        return size_t{0};
      }
    }
  }

  Status finish() override {
    if (frame_open_) return Error{ErrorCode::kCorrupt, "zstd stream ends inside a frame"}.at_r(name());
    return ok_status();
  }

  const std::string& name() const override { return source_->name(); }

 private:
  std::unique_ptr<InputStream> source_;
  ZSTD_DCtx* ctx_;
  std::vector<uint8_t> in_;
  size_t in_pos_ = 0;
  size_t in_end_ = 0;
  uint64_t consumed_ = 0;
  bool frame_open_ = false;
  bool source_ended_ = false;
};

// Hashes and counts the bytes read from the file itself (before decompression).
class HashingInputStream final : public InputStream {
 public:
  HashingInputStream(std::unique_ptr<InputStream> source, ExpectedDigest expected)
      : source_(std::move(source)), expected_(std::move(expected)) {}

  Result<size_t> read(std::span<uint8_t> out) override {
    MZL_TRY(size_t n, source_->read(out));
    sha_.update(out.first(n));
    size_ += n;
    return n;
  }

  Status finish() override { return source_->finish(); }

  // Reads what is left, then compares. The verdict is kept: the digest can be finalised only once, and both
  // read_all() and a caller may ask.
  Status check() {
    if (!verdict_) verdict_ = compare();
    return *verdict_;
  }

  const std::string& name() const override { return source_->name(); }

 private:
  Status compare() {
    std::vector<uint8_t> rest(64 * 1024);
    for (;;) {
      MZL_TRY(size_t n, read(rest));
      if (n == 0) break;
    }
    if (size_ != expected_.size) {
      return Error{ErrorCode::kChecksumMismatch,
                   fmt::format("the file has {} bytes, the manifest says {}", size_, expected_.size)}
          .at_r(name());
    }
    const std::string actual = sha_.hex();
    if (actual != expected_.sha256) {
      return Error{ErrorCode::kChecksumMismatch,
                   fmt::format("SHA-256 {} does not match the manifest's {}", actual, expected_.sha256)}
          .at_r(name());
    }
    return ok_status();
  }

  std::unique_ptr<InputStream> source_;
  ExpectedDigest expected_;
  Sha256 sha_;
  uint64_t size_ = 0;
  std::optional<Status> verdict_;
};

class DataFileInput final : public InputStream {
 public:
  DataFileInput(std::unique_ptr<InputStream> top, HashingInputStream* hasher, bool hasher_is_top)
      : top_(std::move(top)), hasher_(hasher), hasher_is_top_(hasher_is_top) {}

  Result<size_t> read(std::span<uint8_t> out) override { return top_->read(out); }
  Status finish() override {
    MZL_CHECK(top_->finish());
    if (hasher_) {
      MZL_CHECK(hasher_->check());
      if (!hasher_is_top_) MZL_CHECK(hasher_->finish());
    }
    return ok_status();
  }
  const std::string& name() const override { return top_->name(); }

 private:
  std::unique_ptr<InputStream> top_;
  HashingInputStream* hasher_;
  bool hasher_is_top_;
};

}  // namespace

std::unique_ptr<InputStream> make_zstd_input(std::unique_ptr<InputStream> source) {
  return std::make_unique<ZstdInputStream>(std::move(source));
}

std::unique_ptr<InputStream> open_data_file(std::unique_ptr<InputStream> source, Compression compression,
                                            const ExpectedDigest* expected) {
  HashingInputStream* hasher = nullptr;
  if (expected) {
    auto hashing = std::make_unique<HashingInputStream>(std::move(source), *expected);
    hasher = hashing.get();
    source = std::move(hashing);
  }
  std::unique_ptr<InputStream> top;
  switch (compression) {
    case Compression::kNone:
      top = std::move(source);
      break;
    case Compression::kLz4:
      top = make_lz4_input(std::move(source));
      break;
    case Compression::kZstd:
      top = make_zstd_input(std::move(source));
      break;
  }
  return std::make_unique<DataFileInput>(std::move(top), hasher, compression == Compression::kNone);
}

Result<std::unique_ptr<InputStream>> open_data_file(const std::string& path, Compression compression,
                                                    const ExpectedDigest* expected) {
  MZL_TRY(auto source, open_plain_input(path));
  return open_data_file(std::move(source), compression, expected);
}

}  // namespace mzl::snapshot
