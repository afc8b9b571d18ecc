#include "mzl/codec/binlog_writer.h"

#include "mzl/codec/event_encoder.h"

namespace mzl::codec {

BinlogWriter::BinlogWriter(std::unique_ptr<OutputStream> out, bool write_magic)
    : out_(std::move(out)),
      fd_(default_format_description(Flavour::kMySQL, ChecksumAlg::kUndefined)),
      magic_pending_(write_magic) {}

Status BinlogWriter::ensure_magic() {
  if (!magic_pending_) return ok_status();
  MZL_CHECK(out_->write(Bytes(kBinlogMagic, kBinlogMagicSize)));
  magic_pending_ = false;
  position_ += kBinlogMagicSize;
  return ok_status();
}

Status BinlogWriter::write(const Event& event) {
  MZL_CHECK(ensure_magic());
  scratch_.buffer().clear();
  encode_event(event, fd_, scratch_);
  MZL_CHECK(out_->write(scratch_.buffer()));
  position_ += scratch_.size();
  if (const auto* fd = event.get<FormatDescription>()) fd_ = *fd;
  return ok_status();
}

Status BinlogWriter::write_raw(Bytes event_bytes) {
  MZL_CHECK(ensure_magic());
  MZL_CHECK(out_->write(event_bytes));
  position_ += event_bytes.size();
  return ok_status();
}

Status BinlogWriter::sync() {
  MZL_CHECK(ensure_magic());
  return out_->sync();
}

Status BinlogWriter::close() {
  MZL_CHECK(ensure_magic());
  return out_->close();
}

}  // namespace mzl::codec
