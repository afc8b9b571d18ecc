#include "mzl/snapshot/data_file_writer.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "mzl/util/direct_file.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/lz4_frame_writer.h"
#include "mzl/util/sha256.h"

namespace mzl::snapshot {
namespace {

constexpr size_t kInputPiece = 256 * 1024;  // raw bytes compressed per call
// LZ4 on data it cannot compress (random digits, already compressed blobs) costs CPU and saves nothing. A
// block that shrinks by less than 1/8 starts a streak of blocks stored uncompressed (valid LZ4 frame blocks,
// flagged as such), doubling up to 64 blocks (16 MiB) while probes keep failing; one block that compresses
// well ends the streak. Compressible data is compressed as before.
constexpr size_t kMaxIncompressibleStreak = 64;

Error internal(const std::string& what, const std::string& name) {
  return Error{ErrorCode::kInternal, what}.at_r(name);
}

}  // namespace

// Where the compressed bytes go: a file written with direct I/O (util/direct_file.h), or memory. The codec
// writes into reserve(n) (n <= DirectFile::kMaxReserve) and then commit()s what it produced, so a file's
// bytes are not copied again on their way to the disk.
class DataFileWriter::Sink {
 public:
  Sink(std::unique_ptr<DirectFile> file, bool sync)
      : name_(file->path()), file_(std::move(file)), sync_(sync) {}
  Sink(std::string name, std::vector<uint8_t>* memory) : name_(std::move(name)), memory_(memory) {}

  std::span<uint8_t> reserve(size_t n) {
    if (file_) return file_->reserve().first(n);
    reserved_at_ = memory_->size();
    memory_->resize(reserved_at_ + n);
    return {memory_->data() + reserved_at_, n};
  }
  Status commit(size_t n) {
    if (file_) return file_->commit(n);
    memory_->resize(reserved_at_ + n);
    return ok_status();
  }

  Status finish() { return file_ ? file_->finish(sync_) : ok_status(); }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::unique_ptr<DirectFile> file_;
  std::vector<uint8_t>* memory_ = nullptr;
  size_t reserved_at_ = 0;
  bool sync_ = true;
};

class DataFileWriter::Codec {
 public:
  Codec(Compression compression, std::string name, bool content_checksum)
      : compression_(compression), name_(std::move(name)), content_checksum_(content_checksum) {}
  ~Codec() {
    if (zstd_) ZSTD_freeCCtx(zstd_);
  }
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  Status init(int level) {
    if (!sha_.ok()) return internal("cannot create an OpenSSL SHA-256 context", name_);
    switch (compression_) {
      case Compression::kNone:
        break;
      case Compression::kLz4: {
        if (level < 0 || level > 12) {
          return Error{ErrorCode::kInvalidArgument, fmt::format("lz4 level {} is not in 0..12", level)};
        }
        Lz4FrameWriter::Options lz4;
        lz4.block_size = Lz4FrameWriter::Options::BlockSize::k256KiB;
        // Independent blocks: needed for stored (uncompressed) blocks, and they decompress in parallel.
        lz4.independent_blocks = true;
        lz4.block_per_update = true;  // one call, one block: the size of each block's output is known
        lz4.content_checksum = content_checksum_;
        lz4.level = level;
        if (Status started = lz4_.init(lz4); !started.ok()) return std::move(started).error().at_r(name_);
        break;
      }
      case Compression::kZstd: {
        if (level == 0) level = 1;
        if (level < 1 || level > 19) {
          return Error{ErrorCode::kInvalidArgument, fmt::format("zstd level {} is not in 1..19", level)};
        }
        zstd_ = ZSTD_createCCtx();
        if (!zstd_ || ZSTD_isError(ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, level)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(zstd_, ZSTD_c_checksumFlag, 1))) {
          return internal("cannot create a zstd context", name_);
        }
        break;
      }
    }
    return ok_status();
  }

  // Writes the frame header (lz4), before any data.
  Status start(Sink& sink) {
    if (compression_ != Compression::kLz4) return ok_status();
    std::span<uint8_t> out = sink.reserve(Lz4FrameWriter::begin_bound());
    auto n = lz4_.begin(out);
    if (!n.ok()) return std::move(n).error().at_r(name_);
    return produced(out, *n, sink);
  }

  // Compresses `raw` into the sink.
  Status write(std::span<const uint8_t> raw, Sink& sink) {
    switch (compression_) {
      case Compression::kNone:
        while (!raw.empty()) {
          const size_t n = std::min(raw.size(), DirectFile::kMaxReserve);
          std::span<uint8_t> out = sink.reserve(n);
          std::memcpy(out.data(), raw.data(), n);
          MZL_CHECK(produced(out, n, sink));
          raw = raw.subspan(n);
        }
        return ok_status();
      case Compression::kLz4:
        // Whole blocks of kInputPiece whatever the callers' write sizes: the probe below judges full
        // blocks, and small blocks would cost a block header each.
        if (!pending_.empty()) {
          const size_t take = std::min(raw.size(), kInputPiece - pending_.size());
          pending_.insert(pending_.end(), raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(take));
          raw = raw.subspan(take);
          if (pending_.size() < kInputPiece) return ok_status();
          MZL_CHECK(lz4_block(pending_, sink));
          pending_.clear();
        }
        for (; raw.size() >= kInputPiece; raw = raw.subspan(kInputPiece)) {
          MZL_CHECK(lz4_block(raw.first(kInputPiece), sink));
        }
        pending_.assign(raw.begin(), raw.end());
        return ok_status();
      case Compression::kZstd:
        return zstd_stream(raw, ZSTD_e_continue, sink);
    }
    return ok_status();
  }

  Status end(Sink& sink) {
    if (compression_ == Compression::kLz4) {
      if (!pending_.empty()) MZL_CHECK(lz4_block(pending_, sink));
      pending_.clear();
      std::span<uint8_t> out = sink.reserve(lz4_.end_bound());
      auto n = lz4_.end(out);
      if (!n.ok()) return std::move(n).error().at_r(name_);
      return produced(out, *n, sink);
    }
    if (compression_ == Compression::kZstd) return zstd_stream({}, ZSTD_e_end, sink);
    return ok_status();
  }

  uint64_t written() const { return written_; }
  std::string sha256_hex() { return sha_.hex(); }

 private:
  // One LZ4 frame block of `piece` (at most kInputPiece bytes), compressed or stored (see
  // kMaxIncompressibleStreak); only a full-size block moves the streak.
  Status lz4_block(std::span<const uint8_t> piece, Sink& sink) {
    std::span<uint8_t> out = sink.reserve(lz4_.update_bound(piece.size()));
    const bool store = skip_left_ > 0;
    auto written = store ? lz4_.update_stored(piece, out) : lz4_.update(piece, out);
    if (!written.ok()) return std::move(written).error().at_r(name_);
    const size_t n = *written;
    MZL_CHECK(produced(out, n, sink));
    if (piece.size() < kInputPiece) return ok_status();
    if (store) {
      --skip_left_;
    } else if (n * 8 >= piece.size() * 7) {
      streak_ = std::min(kMaxIncompressibleStreak, streak_ == 0 ? size_t{1} : streak_ * 2);
      skip_left_ = streak_;
    } else {
      streak_ = 0;
    }
    return ok_status();
  }

  Status zstd_stream(std::span<const uint8_t> raw, ZSTD_EndDirective mode, Sink& sink) {
    ZSTD_inBuffer in{raw.data(), raw.size(), 0};
    for (;;) {
      std::span<uint8_t> room = sink.reserve(ZSTD_CStreamOutSize());
      ZSTD_outBuffer out{room.data(), room.size(), 0};
      const size_t remaining = ZSTD_compressStream2(zstd_, &out, &in, mode);
      if (ZSTD_isError(remaining)) {
        return internal(fmt::format("ZSTD_compressStream2: {}", ZSTD_getErrorName(remaining)), name_);
      }
      MZL_CHECK(produced(room, out.pos, sink));
      if (mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size) return ok_status();
    }
  }

  // The first n bytes of `reserved` are output: hash and commit them.
  Status produced(std::span<uint8_t> reserved, size_t n, Sink& sink) {
    sha_.update(reserved.first(n));
    written_ += n;
    return sink.commit(n);
  }

  Compression compression_;
  std::string name_;
  bool content_checksum_;
  Lz4FrameWriter lz4_;
  size_t streak_ = 0;             // length of the current run of stored blocks (0: compressing)
  size_t skip_left_ = 0;          // blocks still to store before the next probe
  std::vector<uint8_t> pending_;  // lz4: the start of the next block, shorter than kInputPiece
  ZSTD_CCtx* zstd_ = nullptr;
  uint64_t written_ = 0;
  Sha256 sha_;
};

DataFileWriter::DataFileWriter(std::unique_ptr<Sink> sink, std::unique_ptr<Codec> codec)
    : sink_(std::move(sink)), codec_(std::move(codec)) {}

DataFileWriter::~DataFileWriter() = default;

Status sync_files(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("open", path, errno);
    const int rc = ::fdatasync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return io_error("fdatasync", path, err);
  }
  return ok_status();
}

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::create_file(const std::string& path,
                                                                    Compression compression, int level,
                                                                    bool sync_at_finish) {
  auto codec = std::make_unique<Codec>(compression, path, /*content_checksum=*/false);
  MZL_CHECK(codec->init(level));
  MZL_TRY(std::unique_ptr<DirectFile> file, DirectFile::create(path));
  auto sink = std::make_unique<Sink>(std::move(file), sync_at_finish);
  MZL_CHECK(codec->start(*sink));
  return std::unique_ptr<DataFileWriter>(new DataFileWriter(std::move(sink), std::move(codec)));
}

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::to_memory(std::vector<uint8_t>& sink,
                                                                  Compression compression, int level,
                                                                  std::string name) {
  auto codec = std::make_unique<Codec>(compression, name, /*content_checksum=*/true);
  MZL_CHECK(codec->init(level));
  auto memory = std::make_unique<Sink>(std::move(name), &sink);
  MZL_CHECK(codec->start(*memory));
  return std::unique_ptr<DataFileWriter>(new DataFileWriter(std::move(memory), std::move(codec)));
}

Status DataFileWriter::write(std::span<const uint8_t> raw) {
  if (failed_ || finished_) return internal("write after an error or after finish()", name());
  raw_bytes_ += raw.size();
  Status status = codec_->write(raw, *sink_);
  if (!status.ok()) failed_ = true;
  return status;
}

Result<FileDigest> DataFileWriter::finish() {
  if (failed_ || finished_) return internal("finish after an error or after finish()", name());
  finished_ = true;
  Status status = codec_->end(*sink_);
  if (status.ok()) status = sink_->finish();
  if (!status.ok()) {
    failed_ = true;
    return std::move(status).error();
  }
  FileDigest digest{codec_->written(), codec_->sha256_hex(), raw_bytes_};
  if (digest.sha256.empty()) return internal("OpenSSL SHA-256 failed", name());
  return digest;
}

uint64_t DataFileWriter::written_bytes() const {
  return codec_->written();
}

const std::string& DataFileWriter::name() const {
  return sink_->name();
}

// ---- reading ----

namespace {

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
