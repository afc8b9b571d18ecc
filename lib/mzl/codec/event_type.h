#pragma once
// Binary log event type codes, both flavours.
// MySQL: libbinlogevents/include/binlog_event.h (enum Log_event_type);
// MariaDB: sql/log_event.h (enum Log_event_type, codes 160 and up).
#include <cstdint>

namespace mzl::codec {

enum class EventType : uint8_t {
  kUnknown = 0,
  kStartV3 = 1,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kIntvar = 5,
  kLoad = 6,
  kSlave = 7,
  kCreateFile = 8,
  kAppendBlock = 9,
  kExecLoad = 10,
  kDeleteFile = 11,
  kNewLoad = 12,
  kRand = 13,
  kUserVar = 14,
  kFormatDescription = 15,
  kXid = 16,
  kBeginLoadQuery = 17,
  kExecuteLoadQuery = 18,
  kTableMap = 19,
  kPreGaWriteRows = 20,
  kPreGaUpdateRows = 21,
  kPreGaDeleteRows = 22,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kIncident = 26,
  kHeartbeat = 27,
  kIgnorable = 28,
  kRowsQuery = 29,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
  kGtid = 33,
  kAnonymousGtid = 34,
  kPreviousGtids = 35,
  kTransactionContext = 36,
  kViewChange = 37,
  kXaPrepare = 38,
  kPartialUpdateRows = 39,
  kTransactionPayload = 40,
  kHeartbeatV2 = 41,
  kGtidTagged = 42,
  // MariaDB
  kMariaAnnotateRows = 160,
  kMariaBinlogCheckpoint = 161,
  kMariaGtid = 162,
  kMariaGtidList = 163,
  kMariaStartEncryption = 164,
  kMariaQueryCompressed = 165,
  kMariaWriteRowsCompressedV1 = 166,
  kMariaUpdateRowsCompressedV1 = 167,
  kMariaDeleteRowsCompressedV1 = 168,
  kMariaWriteRowsCompressed = 169,
  kMariaUpdateRowsCompressed = 170,
  kMariaDeleteRowsCompressed = 171,
};

// Upper-case name as in the servers' sources without the _EVENT suffix ("WRITE_ROWS_V2", "MARIA_GTID");
// "UNKNOWN_<n>" for a code this list does not know.
const char* event_type_name(uint8_t type_code);

constexpr uint8_t code(EventType t) { return static_cast<uint8_t>(t); }

}  // namespace mzl::codec
