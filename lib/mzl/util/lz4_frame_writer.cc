#include "mzl/util/lz4_frame_writer.h"

#define LZ4F_STATIC_LINKING_ONLY  // LZ4F_uncompressedUpdate (exported by liblz4 >= 1.9.3)
#include <lz4frame.h>

#include <fmt/format.h>

namespace mzl {

namespace {

LZ4F_preferences_t preferences(const Lz4FrameWriter::Options& o) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID =
      o.block_size == Lz4FrameWriter::Options::BlockSize::k256KiB ? LZ4F_max256KB : LZ4F_max1MB;
  prefs.frameInfo.blockMode = o.independent_blocks ? LZ4F_blockIndependent : LZ4F_blockLinked;
  prefs.frameInfo.contentChecksumFlag =
      o.content_checksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
  prefs.autoFlush = o.block_per_update ? 1 : 0;
  prefs.compressionLevel = o.level;
  return prefs;
}

Result<size_t> checked(size_t n, const char* call) {
  if (LZ4F_isError(n)) return Error{ErrorCode::kInternal, fmt::format("{}: {}", call, LZ4F_getErrorName(n))};
  return n;
}

}  // namespace

Lz4FrameWriter::~Lz4FrameWriter() {
  if (ctx_ != nullptr) LZ4F_freeCompressionContext(ctx_);
}

Status Lz4FrameWriter::init(const Options& options) {
  options_ = options;
  if (ctx_ == nullptr && LZ4F_isError(LZ4F_createCompressionContext(&ctx_, LZ4F_VERSION))) {
    ctx_ = nullptr;
    return Error{ErrorCode::kInternal, "cannot create an LZ4 compression context"};
  }
  return ok_status();
}

size_t Lz4FrameWriter::begin_bound() {
  return LZ4F_HEADER_SIZE_MAX;
}

size_t Lz4FrameWriter::update_bound(size_t input_size) const {
  const LZ4F_preferences_t prefs = preferences(options_);
  return LZ4F_compressBound(input_size, &prefs);
}

Result<size_t> Lz4FrameWriter::begin(std::span<uint8_t> out) {
  const LZ4F_preferences_t prefs = preferences(options_);
  return checked(LZ4F_compressBegin(ctx_, out.data(), out.size(), &prefs), "LZ4F_compressBegin");
}

Result<size_t> Lz4FrameWriter::update(std::span<const uint8_t> input, std::span<uint8_t> out) {
  return checked(LZ4F_compressUpdate(ctx_, out.data(), out.size(), input.data(), input.size(), nullptr),
                 "LZ4F_compressUpdate");
}

Result<size_t> Lz4FrameWriter::update_stored(std::span<const uint8_t> input, std::span<uint8_t> out) {
  return checked(LZ4F_uncompressedUpdate(ctx_, out.data(), out.size(), input.data(), input.size(), nullptr),
                 "LZ4F_uncompressedUpdate");
}

Result<size_t> Lz4FrameWriter::end(std::span<uint8_t> out) {
  return checked(LZ4F_compressEnd(ctx_, out.data(), out.size(), nullptr), "LZ4F_compressEnd");
}

}  // namespace mzl
