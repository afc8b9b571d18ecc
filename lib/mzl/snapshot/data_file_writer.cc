#include "mzl/snapshot/data_file_writer.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

}  // namespace mzl::snapshot
