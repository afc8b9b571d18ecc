#include "mzl/archive/compress_binlog.h"

#include <lz4frame.h>

#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "mzl/util/crc32.h"
#include "mzl/util/input_stream.h"

namespace mzl::archive {
namespace {

constexpr size_t kChunk = 1 << 20;

struct CompressionContext {
  LZ4F_cctx* ctx = nullptr;
  CompressionContext() {
    if (LZ4F_isError(LZ4F_createCompressionContext(&ctx, LZ4F_VERSION))) ctx = nullptr;
  }
  ~CompressionContext() {
    if (ctx) LZ4F_freeCompressionContext(ctx);
  }
};

Error lz4_error(size_t code, const std::string& path) {
  return Error{ErrorCode::kInternal, fmt::format("LZ4 compression failed: {}", LZ4F_getErrorName(code))}.at_r(
      path);
}

Status write_lz4(InputStream& in, AppendOnlyFile& out) {
  CompressionContext cc;
  if (!cc.ctx)
    return Error{ErrorCode::kInternal, "cannot create an LZ4 compression context"}.at_r(out.path());
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.blockSizeID = LZ4F_max1MB;
  std::vector<uint8_t> input(kChunk);
  std::vector<uint8_t> output(LZ4F_compressBound(kChunk, &prefs) + LZ4F_HEADER_SIZE_MAX);
  size_t n = LZ4F_compressBegin(cc.ctx, output.data(), output.size(), &prefs);
  if (LZ4F_isError(n)) return lz4_error(n, out.path());
  MZL_CHECK(out.append(std::span(output.data(), n)));
  while (true) {
    MZL_TRY(size_t got, in.read(input));
    if (got == 0) break;
    n = LZ4F_compressUpdate(cc.ctx, output.data(), output.size(), input.data(), got, nullptr);
    if (LZ4F_isError(n)) return lz4_error(n, out.path());
    MZL_CHECK(out.append(std::span(output.data(), n)));
  }
  n = LZ4F_compressEnd(cc.ctx, output.data(), output.size(), nullptr);
  if (LZ4F_isError(n)) return lz4_error(n, out.path());
  return out.append(std::span(output.data(), n));
}

std::string parent_of(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

Result<ContentDigest> digest_file_content(const std::string& path) {
  MZL_TRY(auto in, open_input(path));
  ContentDigest digest;
  std::vector<uint8_t> buffer(kChunk);
  while (true) {
    MZL_TRY(size_t got, in->read(buffer));
    if (got == 0) break;
    digest.crc32 = crc32(std::span(buffer.data(), got), digest.crc32);
    digest.size += got;
  }
  MZL_CHECK(in->finish());
  return digest;
}

Status compress_closed_binlog(FileSystem& fs, const std::string& path, uint64_t expected_size,
                              uint32_t expected_crc32) {
  std::string target = path + ".lz4";
  std::string tmp = target + ".tmp";
  MZL_CHECK(fs.remove(tmp));
  {
    MZL_TRY(auto in, open_plain_input(path));
    MZL_TRY(auto out, fs.open_append(tmp));
    Status written = write_lz4(*in, *out);
    if (written.ok()) written = out->sync();
    if (!written.ok()) {
      (void)fs.remove(tmp);
      return written;
    }
  }
  auto digest = digest_file_content(tmp);
  if (!digest.ok() || digest->size != expected_size || digest->crc32 != expected_crc32) {
    (void)fs.remove(tmp);
    if (!digest.ok()) return std::move(digest).error();
    return Error{ErrorCode::kCorrupt,
                 fmt::format("the compressed copy inflates to {} bytes with CRC-32 {:08x}, but the archive "
                             "recorded {} bytes with CRC-32 {:08x}; the plain file is kept",
                             digest->size, digest->crc32, expected_size, expected_crc32)}
        .at_r(path);
  }
  MZL_CHECK(fs.rename(tmp, target));
  MZL_CHECK(fs.fsync_directory(parent_of(path)));
  MZL_CHECK(fs.remove(path));
  return fs.fsync_directory(parent_of(path));
}

}  // namespace mzl::archive
