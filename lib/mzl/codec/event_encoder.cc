#include "mzl/codec/event_encoder.h"

#include "mzl/codec/raw_event.h"

namespace mzl::codec {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

void encode_event_body(const EventBody& body, const FormatDescription& fd, ByteWriter& out) {
  std::visit(Overloaded{
                 [&](const OpaqueEvent& e) { encode_opaque_event(e, fd, out); },
                 [&](const FormatDescription& e) { encode_format_description(e, fd, out); },
                 [&](const QueryEvent& e) { encode_query_event(e, fd, out); },
                 [&](const RotateEvent& e) { encode_rotate_event(e, fd, out); },
                 [&](const StopEvent& e) { encode_stop_event(e, fd, out); },
                 [&](const XidEvent& e) { encode_xid_event(e, fd, out); },
                 [&](const IntvarEvent& e) { encode_intvar_event(e, fd, out); },
                 [&](const RandEvent& e) { encode_rand_event(e, fd, out); },
                 [&](const UserVarEvent& e) { encode_user_var_event(e, fd, out); },
                 [&](const HeartbeatEvent& e) { encode_heartbeat_event(e, fd, out); },
                 [&](const IncidentEvent& e) { encode_incident_event(e, fd, out); },
                 [&](const AnnotateRowsEvent& e) { encode_annotate_rows_event(e, fd, out); },
                 [&](const RowsQueryEvent& e) { encode_rows_query_event(e, fd, out); },
                 [&](const StartEncryptionEvent& e) { encode_start_encryption_event(e, fd, out); },
                 [&](const TransactionPayloadEvent& e) { encode_transaction_payload_event(e, fd, out); },
                 [&](const TableMapEvent& e) { encode_table_map_event(e, fd, out); },
                 [&](const TableMapRef& e) { encode_table_map_event(*e.map, fd, out); },
                 [&](const RowsEvent& e) { encode_rows_event(e, fd, out); },
                 [&](const MysqlGtidEvent& e) { encode_mysql_gtid_event(e, fd, out); },
                 [&](const PreviousGtidsEvent& e) { encode_previous_gtids_event(e, fd, out); },
                 [&](const MariaGtidEvent& e) { encode_maria_gtid_event(e, fd, out); },
                 [&](const MariaGtidListEvent& e) { encode_maria_gtid_list_event(e, fd, out); },
                 [&](const BinlogCheckpointEvent& e) { encode_binlog_checkpoint_event(e, fd, out); },
             },
             body);
}

void encode_event(const Event& event, const FormatDescription& fd, ByteWriter& out) {
  const size_t start = out.size();
  write_event_header(event.header, out);
  encode_event_body(event.body, fd, out);

  bool checksum_field = false;
  bool crc32 = false;
  if (const auto* own = std::get_if<FormatDescription>(&event.body)) {
    checksum_field = server_version_has_checksum_alg(own->server_version);
    crc32 = own->has_crc32();
  } else {
    checksum_field = crc32 = fd.has_crc32();
  }
  const size_t size = out.size() - start + (checksum_field ? 4 : 0);
  out.patch_uint_le(start + 9, size, 4);
  if (!checksum_field) return;
  if (crc32) {
    out.u32le(event_crc32(Bytes(out.buffer()).subspan(start)));
  } else {
    out.u32le(event.checksum.value_or(0));
  }
}

std::vector<uint8_t> encode_event(const Event& event, const FormatDescription& fd) {
  ByteWriter out;
  encode_event(event, fd, out);
  return out.take();
}

}  // namespace mzl::codec
