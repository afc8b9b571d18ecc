#pragma once
// ROTATE_EVENT (4): the next events are in another file. Ends every closed binlog file; a relay log and a
// replication stream also carry "fake" rotates (log_pos 0, often LOG_EVENT_ARTIFICIAL_F) naming the
// primary's file.
// Body: position u64 (post-header, binlog v4) | new file name (the rest, no NUL).
//
// Contract as in control_events.h: `body` has no header and no checksum; kCorrupt when shorter than the
// position; encode(decode(body)) == body.
#include <cstdint>
#include <string>

#include "mzl/codec/format_description.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/byte_writer.h"
#include "mzl/util/result.h"

namespace mzl::codec {

struct RotateEvent {
  uint64_t position = 4;
  std::string new_log_ident;

  bool operator==(const RotateEvent&) const = default;
};

// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Rotate__event.html
Result<RotateEvent> decode_rotate_event(ByteReader& body, const FormatDescription& fd);
void encode_rotate_event(const RotateEvent& event, const FormatDescription& fd, ByteWriter& out);

}  // namespace mzl::codec
