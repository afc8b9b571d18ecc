#pragma once
// What differs between dumping from a MariaDB and from a MySQL primary: the session variables a replica
// sets before the dump, the dump command, and how the server says who it is. Everything else (registering,
// reading packets, framing, ACKs) is the same and lives in replica_stream.cc.
//
// MariaDB: sql/sql_repl.cc (mysql_binlog_send, init_binlog_sender) reads @mariadb_slave_capability,
// @master_binlog_checksum, @slave_connect_state, @slave_gtid_strict_mode, @slave_gtid_ignore_duplicates,
// @master_heartbeat_period and @rpl_semi_sync_slave; the dump is always COM_BINLOG_DUMP.
// https://mariadb.com/kb/en/com_binlog_dump/ , https://mariadb.com/kb/en/gtid/
// MySQL: sql/rpl_source.cc reads @source_binlog_checksum (8.0.26+) or @master_binlog_checksum,
// @source_heartbeat_period or @master_heartbeat_period, @rpl_semi_sync_replica or @rpl_semi_sync_slave;
// a GTID dump is COM_BINLOG_DUMP_GTID with the encoded set.
#include <memory>
#include <string>
#include <vector>

#include "mzl/codec/format_description.h"
#include "mzl/net/replica_stream_options.h"
#include "mzl/util/result.h"

namespace mzl::net {

class ReplicaFlavour {
 public:
  virtual ~ReplicaFlavour() = default;

  virtual codec::Flavour flavour() const = 0;

  // The SET statements to run, in order, before COM_REGISTER_SLAVE: checksum negotiation (the server's own
  // @@global.binlog_checksum), heartbeat period (nanoseconds), the GTID start position, semi-sync.
  // kInvalidArgument when options.start_gtid is not a position (MariaDB) or a set (MySQL); GTID text is
  // re-printed from its parsed form, so nothing from the options reaches SQL unchecked.
  virtual Result<std::vector<std::string>> session_statements(const ReplicaStreamOptions& options) const = 0;

  // One row: the server's server_id, its server_uuid (NULL when the server has none: MariaDB), and the
  // checksum the session negotiated ("CRC32" or "NONE"). Run after session_statements().
  virtual std::string identity_query() const = 0;

  // The dump command packet for `options` (see replica_protocol.h). Errors as the encoders', and
  // kInvalidArgument for a start_gtid that does not parse.
  virtual Result<std::vector<uint8_t>> dump_packet(const ReplicaStreamOptions& options) const = 0;

  // The dump starts at a GTID position (the server picks the file) rather than at a file and position.
  static bool dumps_by_gtid(const ReplicaStreamOptions& options) { return !options.start_gtid.empty(); }
};

std::unique_ptr<ReplicaFlavour> replica_flavour_for(codec::Flavour flavour);

}  // namespace mzl::net
