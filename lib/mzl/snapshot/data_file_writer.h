#pragma once
// One compressed, checksummed file of a snapshot (manifest.h: SnapshotFile, DataFile). The writer compresses
// the raw bytes it is given as it goes (bounded memory, whatever the file size) and computes the SHA-256
// (OpenSSL EVP) of the bytes it produces, i.e. of the file as it is on disk or in the tar stream.
// Formats: kNone (the bytes as they are), kLz4 (one LZ4 frame, lz4 frame format 1.6.x; `lz4 -d` reads it),
// kZstd (one zstd frame, RFC 8878, with a content checksum; `zstd -d` reads it).
// The LZ4 content checksum (XXH32 of the uncompressed bytes) is written only into a stream member
// (to_memory): a stream's manifest comes last, so while a member is loaded the checksum is what refuses a
// damaged one before its rows commit. A file in a snapshot directory does without it: its SHA-256 is in
// the manifest, which every reader has before it starts, and checks before it commits (data_file_reader.h:
// open_data_file with ExpectedDigest); the XXH32 would cost 13% of the snapshot's CPU to check the same bytes
// again.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"
#include "mzl/util/sha256.h"

namespace mzl::snapshot {

struct FileDigest {
  uint64_t size = 0;       // bytes written (compressed)
  std::string sha256;      // lowercase hex of those bytes
  uint64_t raw_bytes = 0;  // bytes given to write() (uncompressed)
  bool operator==(const FileDigest&) const = default;
};

class DataFileWriter {
 public:
  // level: 0 is the method's fast default (lz4: level 0 = LZ4 fast; zstd: 1); zstd accepts 1..19 and lz4
  // 0..12 (kInvalidArgument otherwise); ignored for kNone.
  //
  // (a) Creates `path` (O_EXCL, mode 0600: it must not exist; its directory must) and writes into it;
  // finish() fdatasync()s it. kIo naming the path (ENOSPC / EDQUOT say the disk is full). A writer destroyed
  // without a successful finish() removes the file.
  // With sync_at_finish false, finish() leaves the fdatasync() to the caller (sync_files()), so a producer
  // does not wait for the disk after every file; the writeback was already started while writing.
  static Result<std::unique_ptr<DataFileWriter>> create_file(const std::string& path, Compression compression,
                                                             int level = 0, bool sync_at_finish = true);
  // (b) Appends the file's bytes to `sink` (which must outlive the writer), for the tar stream.
  static Result<std::unique_ptr<DataFileWriter>> to_memory(std::vector<uint8_t>& sink,
                                                           Compression compression, int level = 0,
                                                           std::string name = "<memory>");

  ~DataFileWriter();
  DataFileWriter(const DataFileWriter&) = delete;
  DataFileWriter& operator=(const DataFileWriter&) = delete;

  // Compresses and writes `raw`. After an error the writer is unusable (every later call fails).
  Status write(std::span<const uint8_t> raw);
  Status write(std::string_view raw) {
    return write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
  }
  // Ends the compressed stream, flushes (and for a file fdatasync()s and closes) it. Call once.
  Result<FileDigest> finish();

  uint64_t raw_bytes() const { return raw_bytes_; }
  // Compressed bytes produced so far (the compressor may hold back up to a block until finish()).
  uint64_t written_bytes() const;
  const std::string& name() const;

 private:
  class Sink;
  class Codec;
  DataFileWriter(std::unique_ptr<Sink> sink, std::unique_ptr<Codec> codec);

  std::unique_ptr<Sink> sink_;
  std::unique_ptr<Codec> codec_;
  uint64_t raw_bytes_ = 0;
  bool failed_ = false;
  bool finished_ = false;
};

// fdatasync()s each of `paths` (written with sync_at_finish false): kIo naming the first that fails.
Status sync_files(const std::vector<std::string>& paths);

// The SHA-256 (lowercase hex) of `data` (util/sha256.h).
using mzl::sha256_hex;

}  // namespace mzl::snapshot
