#pragma once
// An LZ4 frame (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md) written piece by piece through
// liblz4's LZ4F API into buffers the caller provides: snapshot data files (256 KiB independent blocks, some
// stored uncompressed) and compressed archived binlogs (1 MiB blocks). The one user of LZ4F's compression.
// Each call returns how many bytes of `out` it wrote; `out` must hold at least the matching *_bound().
#include <cstddef>
#include <cstdint>
#include <span>

#include "mzl/util/result.h"

struct LZ4F_cctx_s;

namespace mzl {

class Lz4FrameWriter {
 public:
  struct Options {
    enum class BlockSize { k256KiB, k1MiB };
    BlockSize block_size = BlockSize::k1MiB;
    bool independent_blocks =
        false;                      // needed for update_stored(); lets readers decompress blocks in parallel
    bool block_per_update = false;  // autoFlush: each update() ends its block (its output size is known)
    bool content_checksum = true;   // xxHash-32 of the content after the end mark
    int level = 0;                  // 0 fast (default) .. 12
  };

  Lz4FrameWriter() = default;
  ~Lz4FrameWriter();
  Lz4FrameWriter(const Lz4FrameWriter&) = delete;
  Lz4FrameWriter& operator=(const Lz4FrameWriter&) = delete;

  // Creates the compression context (kInternal when liblz4 cannot).
  Status init(const Options& options);

  static size_t begin_bound();
  size_t update_bound(size_t input_size) const;
  size_t end_bound() const { return update_bound(0); }

  // The frame header.
  Result<size_t> begin(std::span<uint8_t> out);
  // `input`, compressed.
  Result<size_t> update(std::span<const uint8_t> input, std::span<uint8_t> out);
  // `input` as a stored (uncompressed) block: for data that does not compress. Needs independent_blocks.
  Result<size_t> update_stored(std::span<const uint8_t> input, std::span<uint8_t> out);
  // Flushes what is buffered, then the end mark and the content checksum.
  Result<size_t> end(std::span<uint8_t> out);

 private:
  LZ4F_cctx_s* ctx_ = nullptr;
  Options options_;
};

}  // namespace mzl
