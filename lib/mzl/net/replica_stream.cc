#include "mzl/net/replica_stream.h"

#include <fmt/format.h>

#include <charconv>

#include "mzl/net/connector_input.h"
#include "mzl/net/packet_reader.h"
#include "mzl/net/replica_protocol.h"

namespace mzl::net {

namespace {

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
      cursor_(connection_.server_name(),
              codec::default_format_description(flavour_->flavour(), codec::ChecksumAlg::kOff), "", 4, false,
              options.verify_checksums) {}

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
  MZL_CHECK(stream.take_over_input());
  return stream;
}

Status ReplicaStream::setup_session() {
  auto statements = flavour_->session_statements(options_);
  if (!statements.ok()) return cursor_.locate(statements.error());
  for (const std::string& statement : *statements) MZL_CHECK(connection_.execute(statement));

  MZL_TRY(auto rows, connection_.query(flavour_->identity_query()));
  if (rows.size() != 1 || rows[0].size() != 3 || !rows[0][0]) {
    return cursor_.locate(
        Error(ErrorCode::kServer, "the server's identity query returned an unexpected result"));
  }
  const std::string& id_text = *rows[0][0];
  const auto parsed = std::from_chars(id_text.data(), id_text.data() + id_text.size(), master_server_id_);
  if (parsed.ec != std::errc() || parsed.ptr != id_text.data() + id_text.size()) {
    return cursor_.locate(
        Error(ErrorCode::kServer, fmt::format("the server reports server_id '{}'", id_text)));
  }
  if (master_server_id_ == options_.server_id) {
    return cursor_.locate(
        Error(ErrorCode::kInvalidArgument,
              fmt::format("server id {} is the server's own; choose one that no server of the "
                          "topology uses",
                          options_.server_id)));
  }
  server_uuid_ = rows[0][1].value_or("");
  connection_id_ = mysql_thread_id(connection_.handle());
  auto alg = parse_checksum_name(rows[0][2]);
  if (!alg.ok()) return cursor_.locate(alg.error());
  negotiated_checksum_ = *alg;
  // Until the first FORMAT_DESCRIPTION arrives, the dump thread frames its events (the artificial ROTATE)
  // with the checksum negotiated here.
  const bool by_gtid = ReplicaFlavour::dumps_by_gtid(options_);
  cursor_ = StreamCursor(server_name(),
                         codec::default_format_description(flavour_->flavour(), negotiated_checksum_),
                         by_gtid ? "" : options_.start_file, by_gtid ? 4 : options_.start_position,
                         options_.semi_sync, options_.verify_checksums);
  return ok_status();
}

Status ReplicaStream::register_replica() {
  RegisterReplicaRequest request;
  request.server_id = options_.server_id;
  request.host = options_.replica_host_report;
  request.port = options_.replica_port_report;
  auto packet = encode_register_slave(request);
  if (!packet.ok()) return cursor_.locate(packet.error());
  if (!send_command(connection_.handle(), *packet, /*read_reply=*/true)) {
    return connection_.last_error("registering as a replica (COM_REGISTER_SLAVE)");
  }
  return ok_status();
}

Status ReplicaStream::send_dump() {
  auto packet = flavour_->dump_packet(options_);
  if (!packet.ok()) return cursor_.locate(packet.error());
  if (!send_command(connection_.handle(), *packet, /*read_reply=*/false)) {
    return connection_.last_error(fmt::format("requesting the binlog dump ({})", request_description()));
  }
  return ok_status();
}

// From here on the connector only writes (the ACKs); PacketReader reads what the server sends.
Status ReplicaStream::take_over_input() {
  MYSQL* m = connection_.handle();
  if (m->net.compress) {
    return cursor_.locate(Error(ErrorCode::kUnsupported,
                                "the connection uses the compressed protocol, which the binlog stream reader "
                                "does not read"));
  }
  reader_.emplace(std::make_unique<ConnectorInput>(m), m->net.max_packet_size);
  return ok_status();
}

Result<std::optional<StreamEvent>> ReplicaStream::next() {
  if (failure_) return *failure_;
  if (ended_) return std::optional<StreamEvent>();

  auto packet = reader_->next();
  if (!packet.ok()) {
    failure_ = read_error(packet.error());
    return *failure_;
  }
  if (auto server_error =
          !packet->empty() && (*packet)[0] == kErrorPacketByte ? parse_error_packet(*packet) : std::nullopt) {
    failure_ = cursor_.locate(
        stream_error_from_server(server_error->number, server_error->message, request_description()));
    return *failure_;
  }
  auto event = cursor_.accept(*packet);
  if (!event.ok()) {
    failure_ = event.error();
    return *failure_;
  }
  if (!event->has_value()) ended_ = true;
  return event;
}

Result<bool> ReplicaStream::wait_readable(std::chrono::milliseconds timeout) {
  if (failure_ || ended_) return true;
  auto ready = reader_->wait_readable(timeout);
  if (!ready.ok()) return cursor_.locate(ready.error());
  return *ready;
}

Status ReplicaStream::ack(const std::string& file, uint64_t position) {
  if (failure_) return *failure_;
  if (!semi_sync_active()) {
    return cursor_.locate(Error(ErrorCode::kInvalidArgument,
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

Error ReplicaStream::read_error(Error reader_error) const {
  Error e = std::move(reader_error);
  if (e.code == ErrorCode::kUnsupported) {
    e.message =
        fmt::format("an event is larger than the connector accepts (max_allowed_packet): {}", e.message);
  } else if (e.code == ErrorCode::kNetwork) {
    e.message = fmt::format("the connection was lost while reading the binlog stream: {}", e.message);
  }
  return cursor_.locate(std::move(e));
}

std::string ReplicaStream::request_description() const {
  if (ReplicaFlavour::dumps_by_gtid(options_)) {
    return fmt::format("{} '{}'", is_mariadb() ? "GTID position" : "GTID set", options_.start_gtid);
  }
  if (options_.start_file.empty())
    return fmt::format("the oldest binlog file, position {}", options_.start_position);
  return fmt::format("file '{}' position {}", options_.start_file, options_.start_position);
}

}  // namespace mzl::net
