#include "mzl/serve/serve_session.h"

#include <fmt/format.h>

#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/gtid/uuid.h"
#include "mzl/serve/binlog_sender.h"
#include "mzl/serve/packet_channel.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/parse_number.h"

namespace mzl::serve {

namespace {

// Command bytes (https://mariadb.com/kb/en/clientserver-protocol/, MySQL include/my_command.h).
constexpr uint8_t kComQuit = 0x01;
constexpr uint8_t kComInitDb = 0x02;
constexpr uint8_t kComQuery = 0x03;
constexpr uint8_t kComPing = 0x0E;
constexpr uint8_t kComBinlogDump = 0x12;
constexpr uint8_t kComRegisterSlave = 0x15;
constexpr uint8_t kComBinlogDumpGtid = 0x1E;
constexpr uint16_t kBinlogDumpNonBlock = 0x01;
constexpr uint16_t kBinlogThroughGtid = 0x04;

// Each event of the dump is one packet: 0x00, then the event.
class ChannelSink final : public EventSink {
 public:
  explicit ChannelSink(PacketChannel& channel) : channel_(channel) {}
  Status event(Bytes event) override { return channel_.write_raw_prefixed(0x00, event); }
  Status flush() override { return channel_.flush(); }

 private:
  PacketChannel& channel_;
};

Status send_answer(PacketChannel& channel, const QueryAnswer& answer) {
  switch (answer.kind) {
    case QueryAnswer::Kind::kOk:
      return channel.write_packet(ok_packet());
    case QueryAnswer::Kind::kResultSet:
      return channel.write_packets(text_result_set(answer.columns, answer.rows, false));
    case QueryAnswer::Kind::kError:
      return channel.write_packet(err_packet(answer.error_code, answer.sqlstate, answer.message));
  }
  return ok_status();
}

// COM_BINLOG_DUMP_GTID's GTID set (MySQL sql/rpl_gtid_set.cc Gtid_set::encode): the number of SIDs, then per
// SID its 16 bytes, the number of intervals and each interval's start and end (exclusive), all little-endian.
Result<std::string> decode_dump_gtids(Bytes data) {
  ByteReader in(data);
  const uint64_t sids = in.u64le();
  gtid::MysqlGtidSet set;
  for (uint64_t i = 0; i < sids && in.ok(); ++i) {
    gtid::Uuid uuid;
    Bytes sid = in.bytes(16);
    if (!in.ok()) break;
    std::copy(sid.begin(), sid.end(), uuid.bytes.begin());
    const uint64_t intervals = in.u64le();
    for (uint64_t j = 0; j < intervals && in.ok(); ++j) {
      const uint64_t start = in.u64le(), end = in.u64le();
      if (!in.ok()) break;
      MZL_CHECK(
          set.add_interval(gtid::Tsid{uuid, ""}, static_cast<int64_t>(start), static_cast<int64_t>(end)));
    }
  }
  if (!in.ok()) return Error(ErrorCode::kCorrupt, "COM_BINLOG_DUMP_GTID: the GTID set is cut short");
  return set.to_string(",");
}

class Session {
 public:
  Session(int fd, uint32_t connection_id, const ServeConfig& config, ArchiveEndSource& end,
          const std::atomic<bool>& stop)
      : channel_(fd, channel_options(config)), id_(connection_id), config_(config), end_(end), stop_(stop) {}

  Status run() {
    MZL_CHECK(authenticate());
    while (!stop_.load()) {
      MZL_TRY(std::vector<uint8_t> packet, channel_.read_packet());
      if (packet.empty() || packet[0] == kComQuit) return ok_status();
      const Bytes body(packet.data() + 1, packet.size() - 1);
      switch (packet[0]) {
        case kComQuery: {
          const std::string sql(body.begin(), body.end());
          MZL_CHECK(send_answer(channel_, answer_replica_query(sql, config_.server, replica_,
                                                               std::chrono::system_clock::now())));
          break;
        }
        case kComPing:
        case kComInitDb:
        case kComRegisterSlave:
          MZL_CHECK(channel_.write_packet(ok_packet()));
          break;
        case kComBinlogDump:
          return dump_by_position(body);
        case kComBinlogDumpGtid:
          return dump_by_gtid_set(body);
        default:
          MZL_CHECK(channel_.write_packet(err_packet(1047, "08S01", "Unknown command")));
      }
      MZL_CHECK(channel_.flush());
    }
    return ok_status();
  }

 private:
  static PacketChannelOptions channel_options(const ServeConfig& config) {
    PacketChannelOptions options;
    options.read_timeout = config.idle_timeout;
    options.write_timeout = std::chrono::seconds(60);
    options.write_buffer_size = size_t{256} << 10;
    return options;
  }

  Status authenticate() {
    channel_.reset_sequence();
    MZL_TRY(Scramble scramble, random_scramble());
    Handshake handshake;
    handshake.server_version = config_.server.server_version;
    handshake.connection_id = id_;
    handshake.scramble = scramble;
    if (config_.tls) handshake.capabilities |= kClientSsl;
    MZL_CHECK(channel_.write_packet(encode_handshake_v10(handshake)));
    MZL_TRY(auto packet, channel_.read_packet());
    MZL_TRY(HandshakeResponse response, decode_handshake_response(packet));
    if (response.ssl_request) {
      if (!config_.tls) return Error(ErrorCode::kAuth, "a TLS request, but no certificate is configured");
      MZL_CHECK(channel_.accept_tls(*config_.tls));
      MZL_TRY(packet, channel_.read_packet());
      MZL_TRY(response, decode_handshake_response(packet));
    }
    std::vector<uint8_t> answer = response.auth_response;
    Scramble used = scramble;
    if (!response.auth_plugin.empty() && response.auth_plugin != kNativePasswordPlugin) {
      MZL_TRY(used, random_scramble());
      MZL_CHECK(channel_.write_packet(auth_switch_request(kNativePasswordPlugin, used)));
      MZL_TRY(answer, channel_.read_packet());
    }
    if (response.user != config_.user || !verify_native_password(used, answer, config_.password)) {
      (void)channel_.write_packet(err_packet(1045, "28000",
                                             fmt::format("Access denied for user '{}' (using password: {})",
                                                         response.user, answer.empty() ? "NO" : "YES")));
      (void)channel_.flush();
      return Error(ErrorCode::kAuth, fmt::format("replica login as '{}' refused", response.user));
    }
    MZL_CHECK(channel_.write_packet(ok_packet()));
    return channel_.flush();
  }

  std::chrono::milliseconds heartbeat_period() const {
    for (const char* name : {"master_heartbeat_period", "source_heartbeat_period"}) {
      auto it = replica_.variables.find(name);
      if (it == replica_.variables.end()) continue;
      auto ns = parse_uint(it->second, name);
      if (ns.ok()) return std::chrono::milliseconds(*ns / 1'000'000);
    }
    return std::chrono::milliseconds(0);
  }

  Status dump_by_position(Bytes body) {
    ByteReader in(body);
    DumpRequest request;
    request.position = in.u32le();
    const uint16_t flags = in.u16le();
    (void)in.u32le();  // the replica's server id
    const Bytes name = in.rest();
    if (!in.ok()) return refuse(1064, "COM_BINLOG_DUMP is cut short");
    request.file.assign(name.begin(), name.end());
    request.non_blocking = (flags & kBinlogDumpNonBlock) != 0;
    // MariaDB's GTID dump: @slave_connect_state names where the replica is; the file and position are
    // ignored.
    if (auto it = replica_.variables.find("slave_until_gtid"); it != replica_.variables.end()) {
      request.until_gtid = it->second;
    }
    if (auto it = replica_.variables.find("slave_connect_state"); it != replica_.variables.end()) {
      request.gtid_position = it->second;
      request.gtid_dump = true;
      request.file.clear();
      request.position = 4;
    }
    return dump(request);
  }

  Status dump_by_gtid_set(Bytes body) {
    ByteReader in(body);
    DumpRequest request;
    const uint16_t flags = in.u16le();
    (void)in.u32le();  // server id
    const uint32_t name_size = in.u32le();
    const Bytes name = in.bytes(name_size);
    request.position = in.u64le();
    if (!in.ok()) return refuse(1064, "COM_BINLOG_DUMP_GTID is cut short");
    request.file.assign(name.begin(), name.end());
    request.non_blocking = (flags & kBinlogDumpNonBlock) != 0;
    if (flags & kBinlogThroughGtid) {
      const uint32_t size = in.u32le();
      const Bytes data = in.bytes(size);
      if (!in.ok()) return refuse(1064, "COM_BINLOG_DUMP_GTID: the GTID set is cut short");
      auto set = decode_dump_gtids(data);
      if (!set.ok()) return refuse(1064, set.error().message);
      request.gtid_position = *set;
      request.gtid_dump = true;
      request.file.clear();
      request.position = 4;
    }
    return dump(request);
  }

  Status dump(DumpRequest request) {
    request.heartbeat_period = heartbeat_period();
    ChannelSink sink(channel_);
    BinlogSender sender(config_.archive_dir, config_.server.flavour, config_.server.server_id, end_, sink,
                        stop_);
    Status sent = sender.run(request);
    if (sent.ok()) {
      // The end of a dump that ends: the archive's end (non-blocking) or the replica's UNTIL position.
      if (request.non_blocking || sender.stats().until_reached)
        MZL_CHECK(channel_.write_packet(eof_packet()));
      return channel_.flush();
    }
    const Error& error = sent.error();
    if (error.code == ErrorCode::kNetwork) return sent;  // the replica went away
    // The server's error for a dump it cannot serve: the replica's IO thread stops and shows it.
    (void)refuse(kErrorReadingBinlog, error.where.empty() ? error.message : error.to_string());
    return sent;
  }

  Status refuse(uint16_t code, const std::string& message) {
    MZL_CHECK(channel_.write_packet(err_packet(code, "HY000", message)));
    return channel_.flush();
  }

  PacketChannel channel_;
  uint32_t id_;
  const ServeConfig& config_;
  ArchiveEndSource& end_;
  const std::atomic<bool>& stop_;
  ReplicaSession replica_;
};

}  // namespace

Status serve_connection(int fd, uint32_t connection_id, const ServeConfig& config, ArchiveEndSource& end,
                        const std::atomic<bool>& stop) {
  Session session(fd, connection_id, config, end, stop);
  return session.run();
}

}  // namespace mzl::serve
