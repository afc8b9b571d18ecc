#pragma once
// A decoded binlog event: the common header, the typed body, the stored checksum and where it was read.
// Every type code has a body: the ones this codec interprets have their own struct, every other one is an
// OpaqueEvent with its raw body, so no event is ever dropped.
#include <cstdint>
#include <optional>
#include <type_traits>
#include <variant>

#include "mzl/codec/control_events.h"
#include "mzl/codec/event_header.h"
#include "mzl/codec/format_description.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/codec/query_event.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/codec/transaction_payload.h"

namespace mzl::codec {

using EventBody =
    std::variant<OpaqueEvent, FormatDescription, QueryEvent, RotateEvent, StopEvent, XidEvent, IntvarEvent,
                 RandEvent, UserVarEvent, HeartbeatEvent, IncidentEvent, AnnotateRowsEvent, RowsQueryEvent,
                 StartEncryptionEvent, TransactionPayloadEvent, TableMapEvent, RowsEvent, MysqlGtidEvent,
                 PreviousGtidsEvent, MariaGtidEvent, MariaGtidListEvent, BinlogCheckpointEvent, TableMapRef>;

struct Event {
  EventHeader header;
  EventBody body;
  // The trailing 4-byte checksum field as stored, when the event has one (see RawEvent::checksum). The
  // encoder recomputes a CRC32 rather than trusting this value.
  std::optional<uint32_t> checksum;
  uint64_t offset = 0;  // position in its file or stream (in the uncompressed payload for inner events)

  uint8_t type_code() const { return header.type_code; }
  // The body as T, or nullptr. A TableMapRef body answers get<TableMapEvent>() with the map it shares.
  template <class T>
  const T* get() const {
    if constexpr (std::is_same_v<T, TableMapEvent>) {
      if (const auto* ref = std::get_if<TableMapRef>(&body)) return ref->map.get();
    }
    return std::get_if<T>(&body);
  }
};

}  // namespace mzl::codec
