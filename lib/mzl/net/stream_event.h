#pragma once
// One event of a binlog dump as the stream cursor (stream_cursor.h) took it: framed, CRC-checked and placed
// in the server's files once, so that whoever stores or passes it on (the archive, --output) reads these
// fields instead of parsing the bytes again. Views only: nothing here owns memory.
#include <cstdint>
#include <string_view>

#include "mzl/codec/event_header.h"
#include "mzl/codec/event_type.h"
#include "mzl/util/byte_reader.h"

namespace mzl::net {

struct StreamEvent {
  // The whole event: header, body and checksum, framed and (verify_checksums) CRC-checked. A view into the
  // packet: with ReplicaStream, valid until the next call to next().
  Bytes data;
  // `data` after the common header, without the trailing checksum field (codec::RawEvent::body).
  Bytes body;
  codec::EventHeader header;
  // Where the event sits in the server's binlog: [position, position + header.event_size) of `file`, when
  // in_file; otherwise `position` is the stream position it arrived at. `file` is valid as long as `data`
  // (and while the cursor / stream is not moved). event_placement.h decides these fields.
  std::string_view file;
  uint64_t position = 0;
  // The bytes belong to the server's binlog file at `position` (not artificial, not a heartbeat, log_pos
  // not 0). A FORMAT_DESCRIPTION counts as in the file; replica_stream.h says how it may differ.
  bool in_file = false;
  bool artificial = false;  // LOG_EVENT_ARTIFICIAL_F: made up by the dump thread (e.g. the first ROTATE)
  bool heartbeat = false;   // HEARTBEAT / HEARTBEAT_V2: the server is alive; nothing to store
  // A ROTATE (the artificial one too): the file and position it names, where the dump goes on. Valid as
  // long as `file`; empty for every other event.
  std::string_view rotate_file;
  uint64_t rotate_position = 0;
  // Semi-sync: the primary waits, before answering this transaction's COMMIT, for an ACK of the coordinates
  // after this event (file(), position() of the cursor once it has taken the event).
  bool need_ack = false;

  bool is(codec::EventType type) const { return header.type_code == codec::code(type); }
};

}  // namespace mzl::net
