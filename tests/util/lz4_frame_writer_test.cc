#include <lz4frame.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mzl/util/lz4_frame_writer.h"

using namespace mzl;

namespace {

std::vector<uint8_t> write_frame(const Lz4FrameWriter::Options& options, const std::vector<uint8_t>& input,
                                 size_t piece, bool stored) {
  Lz4FrameWriter lz4;
  REQUIRE(lz4.init(options).ok());
  std::vector<uint8_t> frame(Lz4FrameWriter::begin_bound());
  auto n = lz4.begin(frame);
  REQUIRE(n.ok());
  frame.resize(*n);
  for (size_t at = 0; at < input.size(); at += piece) {
    const std::span<const uint8_t> in(input.data() + at, std::min(piece, input.size() - at));
    std::vector<uint8_t> out(lz4.update_bound(in.size()));
    auto w = stored ? lz4.update_stored(in, out) : lz4.update(in, out);
    REQUIRE(w.ok());
    frame.insert(frame.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*w));
  }
  std::vector<uint8_t> out(lz4.end_bound());
  auto e = lz4.end(out);
  REQUIRE(e.ok());
  frame.insert(frame.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*e));
  return frame;
}

// The reference reader: liblz4's own frame decoder (LZ4F_decompress), which checks the content checksum.
std::vector<uint8_t> read_frame(const std::vector<uint8_t>& frame) {
  LZ4F_dctx* dctx = nullptr;
  REQUIRE_FALSE(LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)));
  std::vector<uint8_t> out;
  std::vector<uint8_t> buffer(1 << 16);
  size_t at = 0;
  size_t hint = 1;
  while (at < frame.size() && hint != 0) {
    size_t src = frame.size() - at;
    size_t dst = buffer.size();
    hint = LZ4F_decompress(dctx, buffer.data(), &dst, frame.data() + at, &src, nullptr);
    REQUIRE_FALSE(LZ4F_isError(hint));
    at += src;
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(dst));
  }
  LZ4F_freeDecompressionContext(dctx);
  CHECK(hint == 0);  // the frame ended where it should
  CHECK(at == frame.size());
  return out;
}

std::vector<uint8_t> sample(size_t size) {
  std::vector<uint8_t> data(size);
  std::mt19937 random(7);
  for (size_t i = 0; i < size; ++i)
    data[i] = (i % 3000 < 1500) ? static_cast<uint8_t>(i % 17) : random() & 0xFF;
  return data;
}

}  // namespace

TEST_CASE("Lz4FrameWriter: liblz4's decoder reads back what it wrote") {
  const std::vector<uint8_t> input = sample(3 * 1024 * 1024 + 123);
  SECTION("binlog archive settings: 1 MiB linked blocks") {
    const auto frame = write_frame({}, input, 1 << 20, false);
    CHECK(frame.size() < input.size());
    CHECK(read_frame(frame) == input);
  }
  SECTION("snapshot settings: 256 KiB independent blocks, one per update, some stored") {
    Lz4FrameWriter::Options o;
    o.block_size = Lz4FrameWriter::Options::BlockSize::k256KiB;
    o.independent_blocks = true;
    o.block_per_update = true;
    o.level = 3;
    CHECK(read_frame(write_frame(o, input, 256 * 1024, false)) == input);
    const auto stored = write_frame(o, input, 256 * 1024, true);
    CHECK(stored.size() > input.size());
    CHECK(read_frame(stored) == input);
  }
  SECTION("an empty frame") {
    CHECK(read_frame(write_frame({}, {}, 1, false)).empty());
  }
}
