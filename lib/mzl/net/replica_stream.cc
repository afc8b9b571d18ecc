#include "mzl/net/replica_stream.h"

#include <errmsg.h>
#include <fmt/format.h>

#include <charconv>

#include "mzl/codec/event_type.h"
#include "mzl/codec/raw_event.h"
#include "mzl/codec/rotate_event.h"
#include "mzl/net/replica_protocol.h"

namespace mzl::net {

namespace {

bool is_heartbeat(uint8_t type_code) {
  return type_code == codec::code(codec::EventType::kHeartbeat) ||
         type_code == codec::code(codec::EventType::kHeartbeatV2);
}

// Sends one command packet (command byte first) through the connector; skip_check: do not read a reply.
bool send_command(MYSQL* m, const std::vector<uint8_t>& packet, bool read_reply) {
  return m->methods->db_command(m, static_cast<enum_server_command>(packet[0]),
                                reinterpret_cast<const char*>(packet.data() + 1), packet.size() - 1,
                                read_reply ? 0 : 1, nullptr) == 0;
}

Result<codec::ChecksumAlg> parse_checksum_name(const std::optional<std::string>& name) {
  if (name && *name == "CRC32") return codec::ChecksumAlg::kCrc32;
  if (name && *name == "NONE") return codec::ChecksumAlg::kOff;
  return Error(ErrorCode::kUnsupported,
               fmt::format("the server negotiated binlog checksum '{}'; only CRC32 and NONE are known",
                           name.value_or("NULL")));
}

}  // namespace

ReplicaStream::ReplicaStream(ServerConnection connection, const ReplicaStreamOptions& options,
                             std::unique_ptr<ReplicaFlavour> flavour)
    : connection_(std::move(connection)),
      options_(options),
      flavour_(std::move(flavour)),
      file_(ReplicaFlavour::dumps_by_gtid(options) ? "" : options.start_file),
      position_(ReplicaFlavour::dumps_by_gtid(options) ? 4 : options.start_position) {}

ReplicaStream::~ReplicaStream() = default;

Result<ReplicaStream> ReplicaStream::start(ServerConnection connection, const ReplicaStreamOptions& options) {
  if (options.server_id == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "a replica needs a server id other than 0, distinct from every server of the topology")
        .at_r(connection.server_name());
  }
  const codec::Flavour flavour = connection.is_mariadb() ? codec::Flavour::kMariaDB : codec::Flavour::kMySQL;
  ReplicaStream stream(std::move(connection), options, replica_flavour_for(flavour));
  MZL_CHECK(stream.setup_session());
  MZL_CHECK(stream.register_replica());
  MZL_CHECK(stream.send_dump());
  return stream;
}

Status ReplicaStream::setup_session() {
  auto statements = flavour_->session_statements(options_);
  if (!statements.ok()) return locate(statements.error());
  for (const std::string& statement : *statements) MZL_CHECK(connection_.execute(statement));

  MZL_TRY(auto rows, connection_.query(flavour_->identity_query()));
  if (rows.size() != 1 || rows[0].size() != 3 || !rows[0][0]) {
    return locate(Error(ErrorCode::kServer, "the server's identity query returned an unexpected result"));
  }
  const std::string& id_text = *rows[0][0];
  const auto parsed = std::from_chars(id_text.data(), id_text.data() + id_text.size(), master_server_id_);
  if (parsed.ec != std::errc() || parsed.ptr != id_text.data() + id_text.size()) {
    return locate(Error(ErrorCode::kServer, fmt::format("the server reports server_id '{}'", id_text)));
  }
  if (master_server_id_ == options_.server_id) {
    return locate(Error(ErrorCode::kInvalidArgument,
                        fmt::format("server id {} is the server's own; choose one that no server of the "
                                    "topology uses",
                                    options_.server_id)));
  }
  server_uuid_ = rows[0][1].value_or("");
  auto alg = parse_checksum_name(rows[0][2]);
  if (!alg.ok()) return locate(alg.error());
  negotiated_checksum_ = *alg;
  // Until the first FORMAT_DESCRIPTION arrives, the dump thread frames its events (the artificial ROTATE)
  // with the checksum negotiated here.
  fd_ = codec::default_format_description(flavour_->flavour(), negotiated_checksum_);
  return ok_status();
}

Status ReplicaStream::register_replica() {
  RegisterReplicaRequest request;
  request.server_id = options_.server_id;
  request.host = options_.replica_host_report;
  request.port = options_.replica_port_report;
  auto packet = encode_register_slave(request);
  if (!packet.ok()) return locate(packet.error());
  if (!send_command(connection_.handle(), *packet, /*read_reply=*/true)) {
    return connection_.last_error("registering as a replica (COM_REGISTER_SLAVE)");
  }
  return ok_status();
}

Status ReplicaStream::send_dump() {
  auto packet = flavour_->dump_packet(options_);
  if (!packet.ok()) return locate(packet.error());
  if (!send_command(connection_.handle(), *packet, /*read_reply=*/false)) {
    return connection_.last_error(fmt::format("requesting the binlog dump ({})", request_description()));
  }
  return ok_status();
}

Result<std::optional<StreamEvent>> ReplicaStream::next() {
  if (failure_) return *failure_;
  if (ended_) return std::optional<StreamEvent>();

  MYSQL* m = connection_.handle();
  const unsigned long length = mysql_net_read_packet(m);
  if (length == packet_error) {
    failure_ = read_error();
    return *failure_;
  }
  const Bytes packet(m->net.read_pos, length);
  if (!semi_sync_header_ && !packet.empty() && packet[0] == 0) {
    // The first event of every dump is the artificial ROTATE, whose timestamp is 0: without the semi-sync
    // header its second byte is 0, with it 0xEF.
    semi_sync_header_ = options_.semi_sync && packet.size() > 1 && packet[1] == kSemiSyncIndicator;
  }
  auto parsed = parse_stream_packet(packet, semi_sync_header_.value_or(false));
  if (!parsed.ok()) {
    failure_ = locate(parsed.error());
    return *failure_;
  }
  if (parsed->end_of_stream) {
    ended_ = true;
    return std::optional<StreamEvent>();
  }

  ByteReader header_reader(parsed->event);
  const codec::EventHeader header = codec::read_event_header(header_reader);
  StreamEvent event;
  event.header = header;
  event.file = file_;
  event.need_ack = parsed->need_ack;
  event.heartbeat = is_heartbeat(header.type_code);
  event.artificial = (header.flags & codec::kFlagArtificial) != 0;
  event.in_file = !event.heartbeat && !event.artificial && header.log_pos != 0;
  if (event.in_file && header.log_pos < header.event_size) {
    failure_ = locate(
        Error(ErrorCode::kCorrupt, fmt::format("event of {} bytes ends at log_pos {}, before its start",
                                               header.event_size, header.log_pos)));
    return *failure_;
  }
  event.position = event.in_file ? header.log_pos - header.event_size : position_;

  auto raw = codec::frame_event(parsed->event, event.position, fd_, options_.verify_checksums);
  if (!raw.ok()) {
    failure_ = locate(raw.error());
    return *failure_;
  }
  event.data = raw->data;
  Status tracked = track(event, raw->body);
  if (!tracked.ok()) {
    failure_ = tracked.error();
    return *failure_;
  }
  return std::optional<StreamEvent>(std::move(event));
}

Status ReplicaStream::track(const StreamEvent& event, Bytes body) {
  const uint8_t type = event.header.type_code;
  ByteReader reader(body);
  if (type == codec::code(codec::EventType::kFormatDescription)) {
    auto fd = codec::decode_format_description(reader, fd_);
    if (!fd.ok()) return Error(fd.error()).at_r(fmt::format("{} {}", server_name(), file_), event.position);
    fd_ = std::move(*fd);
  } else if (type == codec::code(codec::EventType::kRotate)) {
    auto rotate = codec::decode_rotate_event(reader, fd_);
    if (!rotate.ok())
      return Error(rotate.error()).at_r(fmt::format("{} {}", server_name(), file_), event.position);
    file_ = rotate->new_log_ident;
    position_ = rotate->position;
    return ok_status();
  }
  if (event.in_file) position_ = event.header.log_pos;
  return ok_status();
}

Status ReplicaStream::ack(const std::string& file, uint64_t position) {
  if (failure_) return *failure_;
  if (!semi_sync_active()) {
    return locate(Error(ErrorCode::kInvalidArgument,
                        options_.semi_sync
                            ? "no semi-sync ACK possible: the server sends no semi-sync header "
                              "(yet, or at all: is semi-sync available on it?)"
                            : "ack() on a stream started without semi_sync"));
  }
  if (!send_command(connection_.handle(), encode_semi_sync_ack(file, position), /*read_reply=*/false)) {
    Error e =
        connection_.last_error(fmt::format("sending the semi-sync ACK for '{}' position {}", file, position));
    e.code = ErrorCode::kNetwork;
    failure_ = e;
    return e;
  }
  return ok_status();
}

Error ReplicaStream::read_error() {
  MYSQL* m = connection_.handle();
  const unsigned number = mysql_errno(m);
  const std::string message = mysql_error(m);
  Error e;
  if (number == CR_NET_PACKET_TOO_LARGE) {
    e = Error(ErrorCode::kUnsupported,
              fmt::format("an event is larger than the connector accepts (max_allowed_packet): {} (error {})",
                          message, number));
  } else if (number >= CR_MIN_ERROR && number <= CR_MAX_ERROR) {
    e = Error(ErrorCode::kNetwork,
              fmt::format("the connection was lost while reading the binlog stream: {} (error {})", message,
                          number));
  } else {
    e = stream_error_from_server(number, message, request_description());
  }
  return locate(std::move(e));
}

std::string ReplicaStream::request_description() const {
  if (ReplicaFlavour::dumps_by_gtid(options_)) {
    return fmt::format("{} '{}'", is_mariadb() ? "GTID position" : "GTID set", options_.start_gtid);
  }
  if (options_.start_file.empty())
    return fmt::format("the oldest binlog file, position {}", options_.start_position);
  return fmt::format("file '{}' position {}", options_.start_file, options_.start_position);
}

Error ReplicaStream::locate(Error error) const {
  if (file_.empty()) return std::move(error).at_r(server_name());
  return std::move(error).at_r(fmt::format("{} {}", server_name(), file_), position_);
}

}  // namespace mzl::net
