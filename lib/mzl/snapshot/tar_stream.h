#pragma once
// The snapshot stream of `mzl-snapshot --output -` (manifest.h: layout): a POSIX tar archive (POSIX.1-2001
// pax interchange format: ustar headers, plus a pax extended header 'x' carrying "path" (and "size") when
// the name does not fit the ustar name/prefix fields or the size the 11-digit octal field). Members are
// regular files, mode 0600, uid/gid 0, written whole; the archive ends with two zero blocks. GNU tar, bsdtar
// and Python's tarfile read it.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mzl/util/input_stream.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

inline constexpr size_t kTarBlockSize = 512;

class TarWriter {
 public:
  // `out` must outlive the writer. Nothing is written until add_file().
  explicit TarWriter(OutputStream& out) : out_(out) {}

  // Writes one member: header(s), `data`, zero padding to a 512-byte boundary. path: relative, '/'
  // separated, not empty, no NUL (kInvalidArgument otherwise). mtime: seconds since the epoch (negative is
  // written as 0). Errors of the stream are passed on (the archive is then unusable).
  Status add_file(std::string_view path, std::span<const uint8_t> data, int64_t mtime);
  Status add_file(std::string_view path, std::string_view data, int64_t mtime) {
    return add_file(
        path, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()), mtime);
  }
  // Writes the end-of-archive marker (two zero blocks) and flushes the stream. Call once, last.
  Status finish();

  uint64_t bytes_written() const { return offset_; }

 private:
  Status write(std::span<const uint8_t> data);
  Status write_header(std::string_view name, uint64_t size, int64_t mtime, char type,
                      std::string_view prefix = {});

  OutputStream& out_;
  uint64_t offset_ = 0;
  bool failed_ = false;
};

struct TarMember {
  std::string path;
  uint64_t size = 0;
  int64_t mtime = 0;
};

// Reads a tar archive member by member, streaming (memory: one block plus pax/GNU long-name records of at
// most 1 MiB). Understands ustar (name + prefix), pax extended headers ('x': path, size, mtime; 'g' global
// headers are skipped), GNU long names ('L') and base-256 sizes. Directory members are skipped; any other
// non-regular member (link, device, ...) is kUnsupported. Errors are kCorrupt at the stream's name and the
// byte offset of the offending header: a bad header checksum, a stream that ends inside a member or header
// (or without the end-of-archive marker), a malformed pax record.
class TarReader {
 public:
  // `in` must outlive the reader.
  explicit TarReader(InputStream& in) : in_(in) {}

  // Skips what is left of the current member and returns the next one, or nullopt at the end of the
  // archive (the first zero block).
  Result<std::optional<TarMember>> next();
  // Reads up to out.size() bytes of the current member; 0 at its end.
  Result<size_t> read(std::span<uint8_t> out);
  // The current member as an InputStream (named "<stream>:<path>"), valid until next(); for
  // open_data_file(). Reading it advances this reader.
  std::unique_ptr<InputStream> member_input();

  // Bytes of the archive consumed so far.
  uint64_t offset() const { return offset_; }

 private:
  Result<bool> read_block(uint8_t* block);  // false at a clean end of input before the block
  Status read_exact(uint8_t* out, size_t n);
  Status skip(uint64_t n);
  Result<std::string> read_record(uint64_t size);
  Error corrupt(const std::string& problem, uint64_t at) const;

  InputStream& in_;
  uint64_t offset_ = 0;
  uint64_t remaining_ = 0;  // unread bytes of the current member's data
  uint64_t padding_ = 0;    // zero bytes after it, up to the block boundary
  std::string current_path_;
  bool ended_ = false;
};

}  // namespace mzl::snapshot
