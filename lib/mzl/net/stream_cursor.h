#pragma once
// The receiving side of a binlog dump without the socket: takes the stream's packets one by one, frames and
// CRC-checks each event with the FORMAT_DESCRIPTION in force, and keeps the server's coordinates (file and
// position) up to date; event_placement.h places each event in the server's files. ReplicaStream feeds it
// what the connection reads; tests feed it bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mzl/codec/event_header.h"
#include "mzl/codec/format_description.h"
#include "mzl/net/stream_event.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::net {

class StreamCursor {
 public:
  // `server` locates errors; `initial` frames the events before the first FORMAT_DESCRIPTION (the
  // artificial ROTATE: the flavour and the checksum negotiated for the session); the coordinates start at
  // `start_file` / `start_position`. `semi_sync_requested`: the session asked for the semi-sync header;
  // whether the server sends it is decided on the first event packet (the artificial ROTATE, timestamp 0:
  // its byte after the status byte is 0xEF with the header and 0x00 without).
  StreamCursor(std::string server, codec::FormatDescription initial, std::string start_file,
               uint64_t start_position, bool semi_sync_requested, bool verify_checksums);

  // Takes one packet of the stream (status byte first). std::nullopt for the EOF packet that ends the
  // dump. The event's data is a view into `packet`. Errors carry where = "<server> <file>" (or the server
  // alone before a file is known) and offset = the event's position:
  //  - kChecksumMismatch: the event's CRC32 is wrong;
  //  - kCorrupt: a packet or event that cannot be what the protocol says (parse_stream_packet()), a log_pos
  //    before the event's start, a FORMAT_DESCRIPTION or ROTATE that does not decode;
  //  - kNotFound / kServer / kAuth for an error packet (stream_error_from_server()).
  // The coordinates are unchanged by a failed packet.
  Result<std::optional<StreamEvent>> accept(Bytes packet);

  const codec::FormatDescription& format() const { return fd_; }
  // ROTATE events (the artificial ones too) set both; every other in-file event moves the position to its
  // log_pos; heartbeats and artificial events leave them.
  const std::string& file() const { return file_; }
  uint64_t position() const { return position_; }
  bool semi_sync_active() const { return semi_sync_header_.value_or(false); }
  bool semi_sync_decided() const { return semi_sync_header_.has_value(); }

  // `error` located at the current coordinates (where unset fields are filled in).
  Error locate(Error error) const;

 private:
  Status track(StreamEvent& event);

  std::string server_;
  codec::FormatDescription fd_;
  std::string file_;
  std::string event_file_;  // StreamEvent::file of the last event (file_ moves on at a ROTATE)
  uint64_t position_ = 4;
  bool semi_sync_requested_ = false;
  bool verify_checksums_ = true;
  std::optional<bool> semi_sync_header_;
};

}  // namespace mzl::net
