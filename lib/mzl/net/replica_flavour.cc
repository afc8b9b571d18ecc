#include "mzl/net/replica_flavour.h"

#include <fmt/format.h>

#include "mzl/gtid/maria_gtid.h"
#include "mzl/net/replica_protocol.h"

namespace mzl::net {

namespace {

uint64_t heartbeat_nanoseconds(const ReplicaStreamOptions& options) {
  return options.heartbeat_period.count() <= 0
             ? 0
             : static_cast<uint64_t>(options.heartbeat_period.count()) * 1000000;
}

class MariaDbFlavour final : public ReplicaFlavour {
 public:
  codec::Flavour flavour() const override { return codec::Flavour::kMariaDB; }

  Result<std::vector<std::string>> session_statements(const ReplicaStreamOptions& options) const override {
    // Capability 4 (MARIA_SLAVE_CAPABILITY_GTID): GTID, GTID_LIST and BINLOG_CHECKPOINT events come as they
    // are in the file; a lower capability makes the server rewrite them into BEGIN or dummy events.
    std::vector<std::string> out = {
        "SET @mariadb_slave_capability = 4",
        "SET @master_binlog_checksum = @@global.binlog_checksum",
        fmt::format("SET @master_heartbeat_period = {}", heartbeat_nanoseconds(options)),
    };
    if (dumps_by_gtid(options)) {
      auto position = gtid::MariaGtidPosition::parse(options.start_gtid);
      if (!position.ok()) {
        Error e = position.error();
        e.message = fmt::format("start GTID position '{}': {}", options.start_gtid, e.message);
        return e;
      }
      out.push_back(fmt::format("SET @slave_connect_state = '{}'", position->to_string()));
      out.push_back("SET @slave_gtid_strict_mode = 1");
      out.push_back("SET @slave_gtid_ignore_duplicates = 0");
    }
    if (options.semi_sync) out.push_back("SET @rpl_semi_sync_slave = 1");
    return out;
  }

  std::string identity_query() const override {
    return "SELECT @@global.server_id, NULL, @master_binlog_checksum";
  }

  Result<std::vector<uint8_t>> dump_packet(const ReplicaStreamOptions& options) const override {
    uint16_t flags = kDumpSendAnnotateRows;
    if (options.non_blocking) flags |= kDumpNonBlock;
    // By GTID the server ignores file and position (it finds the file from @slave_connect_state).
    if (dumps_by_gtid(options)) return encode_binlog_dump(options.server_id, flags, "", 4);
    return encode_binlog_dump(options.server_id, flags, options.start_file, options.start_position);
  }
};

class MySqlFlavour final : public ReplicaFlavour {
 public:
  codec::Flavour flavour() const override { return codec::Flavour::kMySQL; }

  Result<std::vector<std::string>> session_statements(const ReplicaStreamOptions& options) const override {
    // 8.0.26 renamed the variables (source/replica); older servers read the master/slave names only, newer
    // ones read both. Unknown user variables are harmless, so both are set.
    const uint64_t heartbeat = heartbeat_nanoseconds(options);
    std::vector<std::string> out = {
        "SET @master_binlog_checksum = @@global.binlog_checksum, "
        "@source_binlog_checksum = @@global.binlog_checksum",
        fmt::format("SET @master_heartbeat_period = {0}, @source_heartbeat_period = {0}", heartbeat),
    };
    if (dumps_by_gtid(options)) MZL_CHECK(encode_gtid_set_for_dump(options.start_gtid));
    if (options.semi_sync) out.push_back("SET @rpl_semi_sync_slave = 1, @rpl_semi_sync_replica = 1");
    return out;
  }

  std::string identity_query() const override {
    return "SELECT @@global.server_id, @@global.server_uuid, @master_binlog_checksum";
  }

  Result<std::vector<uint8_t>> dump_packet(const ReplicaStreamOptions& options) const override {
    const uint16_t non_block = options.non_blocking ? kDumpNonBlock : 0;
    if (!dumps_by_gtid(options)) {
      return encode_binlog_dump(options.server_id, non_block, options.start_file, options.start_position);
    }
    // As MySQL's own replica with SOURCE_AUTO_POSITION: no file, position 4, the set of what we have.
    MZL_TRY(auto gtid_data, encode_gtid_set_for_dump(options.start_gtid));
    return encode_binlog_dump_gtid(options.server_id, non_block | kDumpThroughGtid, "", 4, gtid_data);
  }
};

}  // namespace

std::unique_ptr<ReplicaFlavour> replica_flavour_for(codec::Flavour flavour) {
  if (flavour == codec::Flavour::kMariaDB) return std::make_unique<MariaDbFlavour>();
  return std::make_unique<MySqlFlavour>();
}

}  // namespace mzl::net
