#pragma once
// Writes a binlog file: the 4-byte magic, then events, to an OutputStream (util/output_stream.h).
// Tracks the FORMAT_DESCRIPTION in force so that each event gets the right checksum (event_encoder.h).
#include <cstdint>
#include <memory>

#include "mzl/codec/event.h"
#include "mzl/codec/format_description.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::codec {

class BinlogWriter {
 public:
  // The magic is written before the first event (or at close() for a file without events) unless
  // `write_magic` is false (appending to a file that already has it).
  explicit BinlogWriter(std::unique_ptr<OutputStream> out, bool write_magic = true);

  // Encodes and writes `event` (header.event_size and the CRC32 recomputed; other header fields as given).
  // A FORMAT_DESCRIPTION becomes the one in force for the events after it.
  Status write(const Event& event);
  // Writes an already serialized event unchanged. It does not change format(): write a FORMAT_DESCRIPTION
  // with write() when later write() calls depend on its checksum setting.
  Status write_raw(Bytes event_bytes);

  Status flush() { return out_->flush(); }
  Status sync();
  Status close();

  // Bytes written so far, magic included (the position of the next event).
  uint64_t position() const { return position_; }
  const FormatDescription& format() const { return fd_; }

 private:
  Status ensure_magic();

  std::unique_ptr<OutputStream> out_;
  FormatDescription fd_;
  bool magic_pending_;
  uint64_t position_ = 0;
  ByteWriter scratch_;
};

}  // namespace mzl::codec
