#pragma once
// Reading back a data file of a snapshot (data_file_writer.h writes them): decompressing it and checking it
// against what the manifest says the file is.
#include <cstdint>
#include <memory>
#include <string>

#include "mzl/snapshot/manifest.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

// What a data file must be, checked by the reader at finish() (from the manifest's SnapshotFile).
struct ExpectedDigest {
  uint64_t size = 0;
  std::string sha256;
};

// Reading a data file back: decompresses `compression` (lz4 frame, zstd frame, or none). finish() on the
// returned stream checks that the compressed stream ended cleanly (kCorrupt) and, when `expected` is given,
// that the bytes read from the file had that size and SHA-256 (kChecksumMismatch naming the file). Read to
// the end (read() returning 0) before finish().
Result<std::unique_ptr<InputStream>> open_data_file(const std::string& path, Compression compression,
                                                    const ExpectedDigest* expected = nullptr);
std::unique_ptr<InputStream> open_data_file(std::unique_ptr<InputStream> source, Compression compression,
                                            const ExpectedDigest* expected = nullptr);

// Decompresses a zstd stream (one or more frames) read from `source`; finish() is kCorrupt when the input
// ended inside a frame.
std::unique_ptr<InputStream> make_zstd_input(std::unique_ptr<InputStream> source);

}  // namespace mzl::snapshot
