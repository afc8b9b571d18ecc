#pragma once
// Sequential byte sources for binlog readers: a plain file, standard input, an LZ4-frame compressed file,
// or a buffer in memory (ripple's file.h InputFile is the model). Streams are read front to back only.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mzl/util/result.h"

namespace mzl {

class InputStream {
 public:
  virtual ~InputStream() = default;

  // Reads up to out.size() bytes into `out` and returns how many were read; 0 only at end of input (or
  // when `out` is empty). A short read does not mean end of input. After 0, a later call may return more
  // bytes if the underlying file has grown (tailing a plain file); a compressed stream that ends inside a
  // frame returns 0 there, and its end is checked by finish(). Errors: kIo (read failed), kCorrupt (bad
  // compressed data).
  virtual Result<size_t> read(std::span<uint8_t> out) = 0;

  // Checks that the input ended cleanly: for LZ4, that the last frame was complete (kCorrupt otherwise).
  virtual Status finish() { return ok_status(); }

  // The file name ("-" or "<stdin>" for standard input), for error messages.
  virtual const std::string& name() const = 0;
};

// Opens `path` for reading ("-" is standard input). LZ4-frame decompression is used when the name ends in
// ".lz4" or the input starts with the LZ4 frame magic (04 22 4D 18). kNotFound / kIo when it cannot be
// opened.
Result<std::unique_ptr<InputStream>> open_input(const std::string& path);

// A plain file or standard input, without compression detection.
Result<std::unique_ptr<InputStream>> open_plain_input(const std::string& path);

// Decompresses an LZ4 frame stream (LZ4F streaming API) read from `source`; several concatenated frames
// are read as one stream.
std::unique_ptr<InputStream> make_lz4_input(std::unique_ptr<InputStream> source);

// Reads from a copy of `data`; for tests and for bytes already in memory.
std::unique_ptr<InputStream> make_memory_input(std::vector<uint8_t> data, std::string name = "<memory>");
// Reads `data` without copying it; several streams may read the same bytes (e.g. a load that is retried).
std::unique_ptr<InputStream> make_memory_input(std::shared_ptr<const std::vector<uint8_t>> data,
                                               std::string name = "<memory>");

// Reads the whole stream (tests, small files). Do not use for binlogs: BinlogFileReader streams them.
Result<std::vector<uint8_t>> read_all(InputStream& in);

}  // namespace mzl
