#include "mzl/archive/stream_placement.h"

#include <fmt/format.h>

#include "mzl/codec/event_type.h"

namespace mzl::archive {
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
    MZL_TRY(codec::ClosedFileFormatDescription closed, codec::closed_file_format_description(event.data));
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
