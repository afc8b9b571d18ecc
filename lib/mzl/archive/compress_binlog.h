#pragma once
// Compression of closed archive files to LZ4 frames
// (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md), which open_input() / BinlogFileReader read
// back transparently.
#include <cstdint>
#include <string>

#include "mzl/util/durable_file.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// Compresses the closed file `path` to `path + ".lz4"` so that a crash at any instant leaves a complete
// plain file, a complete .lz4 file, or both (readers prefer the plain one, binlog_file_list.h):
//   1. writes `path.lz4.tmp` (one frame, content checksum on) and fdatasyncs it;
//   2. reads it back and checks that it inflates to `expected_size` bytes with CRC-32 `expected_crc32`
//      (the values the archive recorded while writing the plain file);
//   3. renames it to `path.lz4`, fsyncs the directory, removes `path`, fsyncs the directory again.
// On error the plain file is left as it was and the temporary file is removed when possible: kIo for the
// file system, kCorrupt when the read-back does not match (the .lz4 is then not installed).
Status compress_closed_binlog(FileSystem& fs, const std::string& path, uint64_t expected_size,
                              uint32_t expected_crc32);

// Size and CRC-32 of a file's uncompressed content (plain or LZ4, through open_input()).
struct ContentDigest {
  uint64_t size = 0;
  uint32_t crc32 = 0;
};
Result<ContentDigest> digest_file_content(const std::string& path);

}  // namespace mzl::archive
