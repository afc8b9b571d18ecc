#include "mzl/net/event_placement.h"

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/format_description.h"

namespace mzl::net {

Result<EventOrigin> locate_event(const codec::EventHeader& header, uint64_t dump_position) {
  EventOrigin origin;
  origin.heartbeat = header.type_code == codec::code(codec::EventType::kHeartbeat) ||
                     header.type_code == codec::code(codec::EventType::kHeartbeatV2);
  origin.artificial = (header.flags & codec::kFlagArtificial) != 0;
  origin.in_file = !origin.heartbeat && !origin.artificial && header.log_pos != 0;
  if (origin.in_file && header.log_pos < header.event_size) {
    return Error(ErrorCode::kCorrupt, fmt::format("an event of {} bytes (type {}) ends at log_pos {}, "
                                                  "before its start",
                                                  header.event_size, header.type_code, header.log_pos));
  }
  origin.position = origin.in_file ? header.log_pos - header.event_size : dump_position;
  return origin;
}

Result<Placement> place_event(const StreamEvent& event, const CopyEnd& copy) {
  if (event.heartbeat) return Placement::kNotStored;
  const bool is_rotate = event.is(codec::EventType::kRotate);
  if (is_rotate && !event.in_file) {
    return event.rotate_file == copy.file ? Placement::kNotStored : Placement::kNewFile;
  }
  if (copy.file.empty()) {
    return Error{ErrorCode::kInvalidArgument,
                 "an event arrived before any file name: a dump starts with a ROTATE naming the file"};
  }
  if (event.is(codec::EventType::kFormatDescription)) {
    return copy.end > 0 ? Placement::kRepeatedFormatDescription : Placement::kFormatDescription;
  }
  if (!event.in_file) return Placement::kNotStored;
  const uint64_t end = event.position + event.data.size();
  if (copy.end == 0) {
    return Error{ErrorCode::kCorrupt, fmt::format("{} has no FORMAT_DESCRIPTION yet, but an event of type {} "
                                                  "arrived",
                                                  copy.file, event.header.type_code)};
  }
  if (end <= copy.end) return Placement::kNotStored;
  if (event.position != copy.end || event.file != copy.file) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("the copy of {} ends at {}, but the next event received spans {}..{} of {}: "
                             "events are missing or overlap; restart the dump at the copy's end",
                             copy.file, copy.end, event.position, end, event.file)};
  }
  return is_rotate ? Placement::kAppendLast : Placement::kAppend;
}

Result<std::optional<StreamPlacement::Placed>> StreamPlacement::place(const StreamEvent& event) {
  if (skips_transactions_ && end_ != 0 && event.in_file && event.file == file_ && event.position > end_) {
    end_ = event.position;  // what the server skipped: transactions the dump's GTID position holds
  }
  auto placement = place_event(event, CopyEnd{file_, end_});
  if (!placement.ok()) return std::move(placement).error().at_r(file_, end_);
  switch (*placement) {
    case Placement::kNotStored:
    case Placement::kRepeatedFormatDescription:
      return std::optional<Placed>();
    case Placement::kNewFile:
      file_ = std::string(event.rotate_file);
      end_ = 0;
      start_ = event.rotate_position;
      return std::optional<Placed>();
    case Placement::kFormatDescription: {
      MZL_TRY(codec::ClosedFileFormatDescription closed, codec::closed_file_format_description(event.data));
      format_ = std::move(closed.event);
      // A dump that starts past position 4 sends the FORMAT_DESCRIPTION and then the events from there on.
      end_ = event.position > codec::kBinlogMagicSize ? event.position
                                                      : codec::kBinlogMagicSize + format_.size();
      return std::optional<Placed>(Placed{file_, codec::kBinlogMagicSize, format_});
    }
    case Placement::kAppend:
      end_ = event.position + event.data.size();
      return std::optional<Placed>(Placed{file_, event.position, event.data});
    case Placement::kAppendLast: {
      Placed placed{event.file, event.position, event.data};
      file_ = std::string(event.rotate_file);
      end_ = 0;
      start_ = event.rotate_position;
      return std::optional<Placed>(placed);
    }
  }
  return std::optional<Placed>();
}

}  // namespace mzl::net
