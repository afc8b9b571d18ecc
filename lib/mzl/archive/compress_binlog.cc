#include "mzl/archive/compress_binlog.h"

#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "mzl/util/crc32.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/lz4_frame_writer.h"

namespace mzl::archive {
namespace {

constexpr size_t kChunk = 1 << 20;

Status write_lz4(InputStream& in, AppendOnlyFile& out) {
  Lz4FrameWriter lz4;
  if (Status started = lz4.init({}); !started.ok()) return std::move(started).error().at_r(out.path());
  std::vector<uint8_t> input(kChunk);
  std::vector<uint8_t> output(lz4.update_bound(kChunk) + Lz4FrameWriter::begin_bound());
  auto n = lz4.begin(output);
  if (!n.ok()) return std::move(n).error().at_r(out.path());
  MZL_CHECK(out.append(std::span(output.data(), *n)));
  while (true) {
    MZL_TRY(size_t got, in.read(input));
    if (got == 0) break;
    n = lz4.update(std::span(input.data(), got), output);
    if (!n.ok()) return std::move(n).error().at_r(out.path());
    MZL_CHECK(out.append(std::span(output.data(), *n)));
  }
  n = lz4.end(output);
  if (!n.ok()) return std::move(n).error().at_r(out.path());
  return out.append(std::span(output.data(), *n));
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
