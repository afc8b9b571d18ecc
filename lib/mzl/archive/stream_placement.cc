#include "mzl/archive/stream_placement.h"

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/raw_event.h"

namespace mzl::archive {
namespace {

constexpr size_t kLogPosOffset = 13;
constexpr size_t kFlagsOffset = 17;

void store_u32le(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

Result<ClosedFileFormatDescription> closed_file_format_description(Bytes event) {
  MZL_TRY(codec::RawEvent raw,
          codec::frame_event(event, codec::kBinlogMagicSize, codec::FormatDescription{}, true));
  ByteReader body(raw.body);
  ClosedFileFormatDescription out;
  MZL_TRY(out.fd, codec::decode_format_description(body, codec::FormatDescription{}));
  const uint64_t file_end = codec::kBinlogMagicSize + event.size();
  const codec::EventHeader& header = raw.header;
  if (header.log_pos != 0 && header.log_pos != file_end) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("a FORMAT_DESCRIPTION that ends at {} cannot start a file (it ends at {})",
                             header.log_pos, file_end)};
  }
  out.event.assign(event.begin(), event.end());
  uint8_t* ev = out.event.data();
  const bool changed = (header.flags & codec::kFlagBinlogInUse) != 0 || header.log_pos == 0;
  ev[kFlagsOffset] = static_cast<uint8_t>(ev[kFlagsOffset] & ~codec::kFlagBinlogInUse);
  store_u32le(ev + kLogPosOffset, static_cast<uint32_t>(file_end));
  if (changed && out.fd.has_crc32()) {
    store_u32le(ev + event.size() - 4, codec::event_crc32(Bytes(ev, event.size() - 4)));
  }
  return out;
}

Result<std::optional<StreamPlacement::Placed>> StreamPlacement::place(const net::StreamEvent& event) {
  if (event.heartbeat) return std::optional<Placed>();
  const bool is_format = event.header.type_code == codec::code(codec::EventType::kFormatDescription);
  if (!is_format && !event.in_file) return std::optional<Placed>();
  if (event.file != file_) {
    file_ = std::string(event.file);
    end_ = codec::kBinlogMagicSize;
    has_format_ = false;
  }
  if (is_format) {
    if (has_format_) return std::optional<Placed>();
    MZL_TRY(ClosedFileFormatDescription closed, closed_file_format_description(event.data));
    format_ = std::move(closed.event);
    has_format_ = true;
    // A dump that starts past position 4 sends the FORMAT_DESCRIPTION and then events from there on.
    if (event.position > end_) end_ = event.position;
    if (end_ == codec::kBinlogMagicSize) end_ += format_.size();
    return std::optional<Placed>(Placed{file_, codec::kBinlogMagicSize, format_});
  }
  const uint64_t end = event.position + event.data.size();
  if (end <= end_) return std::optional<Placed>();
  if (!has_format_ || event.position != end_) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("the stream passed on {} up to {}, but the next event received spans {}..{}: "
                             "events are missing",
                             file_, end_, event.position, end)}
        .at_r(file_, end_);
  }
  end_ = end;
  return std::optional<Placed>(Placed{file_, event.position, event.data});
}

}  // namespace mzl::archive
