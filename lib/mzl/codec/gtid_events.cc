#include "mzl/codec/gtid_events.h"

namespace mzl::codec {

namespace {
Error not_implemented() {
  return Error(ErrorCode::kUnsupported, "not implemented yet");
}
}  // namespace

Result<MysqlGtidEvent> decode_mysql_gtid_event(uint8_t, ByteReader&, const FormatDescription&) {
  return not_implemented();
}
void encode_mysql_gtid_event(const MysqlGtidEvent&, const FormatDescription&, ByteWriter&) {}

Result<PreviousGtidsEvent> decode_previous_gtids_event(ByteReader&, const FormatDescription&) {
  return not_implemented();
}
void encode_previous_gtids_event(const PreviousGtidsEvent&, const FormatDescription&, ByteWriter&) {}

Result<MariaGtidEvent> decode_maria_gtid_event(ByteReader&, const FormatDescription&) {
  return not_implemented();
}
void encode_maria_gtid_event(const MariaGtidEvent&, const FormatDescription&, ByteWriter&) {}

Result<MariaGtidListEvent> decode_maria_gtid_list_event(ByteReader&, const FormatDescription&) {
  return not_implemented();
}
void encode_maria_gtid_list_event(const MariaGtidListEvent&, const FormatDescription&, ByteWriter&) {}

Result<BinlogCheckpointEvent> decode_binlog_checkpoint_event(ByteReader&, const FormatDescription&) {
  return not_implemented();
}
void encode_binlog_checkpoint_event(const BinlogCheckpointEvent&, const FormatDescription&, ByteWriter&) {}

}  // namespace mzl::codec
