#pragma once
// The replication stream: mzl connected to a primary as a replica, receiving its binary log event by event.
//
// libmariadb connects, authenticates and does TLS (server_connection.h); the protocol after that is ours.
// Commands go through the connector's public `methods->db_command(.., skip_check=1)` (COM_REGISTER_SLAVE,
// COM_BINLOG_DUMP[_GTID], the semi-sync ACK). Once the dump is asked for, the stream is read by our own
// PacketReader (packet_reader.h) from the connection's input (connector_input.h: the connector's read-ahead
// cache, then the socket or TLS session), a large buffer at a time, with the packets handed out in place; a
// packet of 16 MB or more arrives as several 0xFFFFFF-long pieces, which the reader joins, so every packet
// here is one whole event. libmariadb's mariadb_rpl API is not used: it ACKs semi-sync events by itself
// before the caller has checked or stored them, cannot dump by GTID, and rejects event types 39-42.
// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication.html
// https://mariadb.com/kb/en/2-binlog-network-stream/ , https://mariadb.com/kb/en/semi-sync-replication/
//
// What the server sends (MariaDB sql/sql_repl.cc mysql_binlog_send, MySQL rpl_binlog_sender.cc):
//  - first an artificial ROTATE (timestamp 0, log_pos 0, LOG_EVENT_ARTIFICIAL_F) naming the file and
//    position the dump starts at, then that file's FORMAT_DESCRIPTION, then the events;
//  - at the end of each file its real ROTATE, then again an artificial ROTATE and the next file's
//    FORMAT_DESCRIPTION;
//  - HEARTBEAT events (log_pos = how far the server has read, body = its file name) when idle;
//  - MariaDB GTID dumps may also get an artificial GTID_LIST.
// A FORMAT_DESCRIPTION arrives with LOG_EVENT_BINLOG_IN_USE_F clear even when the server's own file still
// has it set. When the dump starts past position 4, that FORMAT_DESCRIPTION has log_pos 0 and
// create_timestamp 0 (it is a copy, not the next event); on a MariaDB GTID dump its create_timestamp is 0
// until the requested position is reached. In those cases the server recomputes its CRC32.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "mzl/codec/event_header.h"
#include "mzl/codec/format_description.h"
#include "mzl/net/packet_reader.h"
#include "mzl/net/replica_flavour.h"
#include "mzl/net/replica_stream_options.h"
#include "mzl/net/server_connection.h"
#include "mzl/net/stream_cursor.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::net {

// Not thread-safe: call next(), wait_readable() and ack() from one thread.
class ReplicaStream {
 public:
  // Takes over `connection` (its MYSQL handle is used for nothing else from now on), sets up the session
  // for the server's flavour (replica_flavour.h), registers as a replica (COM_REGISTER_SLAVE) and sends the
  // dump command. Errors: kInvalidArgument for bad options (server_id 0 or equal to the server's own, a
  // start_gtid that does not parse, a position past 4 GiB, a report host that is too long); kServer /
  // kAuth when the server refuses a statement or the registration (e.g. no REPLICATION SLAVE privilege);
  // kNetwork when the connection drops; kUnsupported when the connection uses the compressed protocol
  // (never asked for by ServerConnection). A start position the server does not have is reported by the
  // first next(), which is where the server answers the dump.
  static Result<ReplicaStream> start(ServerConnection connection, const ReplicaStreamOptions& options);

  ReplicaStream(ReplicaStream&&) noexcept = default;
  ReplicaStream& operator=(ReplicaStream&&) noexcept = default;
  ~ReplicaStream();

  // Blocks until the next event (or heartbeat) arrives; std::nullopt when the server ended the dump with
  // an EOF packet (non_blocking at the end of the binlog). The event's data is a view into the packet
  // reader's buffer, valid until the next call to next(). Memory: the 1 MiB receive buffer, plus, once an
  // event larger than it (or of 16 MB or more) arrived, a side buffer of the largest such event.
  // Errors carry where = "<server> <file>" and offset = the stream position:
  //  - kNotFound: the server does not have what was asked for (error 1236: purged binlog or GTID, a file
  //    or position that does not exist) — the message says so;
  //  - kChecksumMismatch: an event's CRC32 is wrong; kCorrupt: a packet or event that cannot be what the
  //    protocol says (a truncated event, a FORMAT_DESCRIPTION or ROTATE that does not decode);
  //  - kNetwork: the connection dropped (also inside a packet) or read_timeout passed; kServer: any other
  //    server error;
  //  - kUnsupported: an event larger than the connector's max_allowed_packet.
  // After an error or the end of the dump the stream is finished: next() repeats the same outcome.
  Result<std::optional<StreamEvent>> next();

  // Waits up to `timeout` (0: not at all) for input without reading it: true when next() has something to
  // read (it may still wait for the rest of a large event, or report that the connection closed), false on
  // timeout or EINTR. With it one thread can read events and send the ACKs of transactions made durable
  // meanwhile, instead of sitting in next() while an ACK is due. After the stream finished: true (next()
  // repeats the outcome).
  Result<bool> wait_readable(std::chrono::milliseconds timeout);

  // Semi-sync ACK (0xEF, position u64, file name) for the transaction that ends at `position` of `file`.
  // Send it only once the transaction is durable; acknowledging a position twice is harmless.
  // kInvalidArgument when the stream was not started with semi_sync or the server sends no semi-sync
  // header (a MySQL server without the semisync plugin); kNetwork when the write fails.
  // The last StreamEvent's data stays valid (the connector writes the packet from its own buffer).
  Status ack(const std::string& file, uint64_t position);

  // The FORMAT_DESCRIPTION in force (frames the events; the one of current_file() once it has arrived).
  const codec::FormatDescription& format() const { return cursor_.format(); }
  // The server's coordinates after the last event received: ROTATE events (the artificial first one too)
  // set both, every other in-file event moves the position to its log_pos. Before the first event: the
  // requested file/position ("" and 4 for a GTID dump).
  const std::string& current_file() const { return cursor_.file(); }
  uint64_t current_position() const { return cursor_.position(); }

  bool is_mariadb() const { return flavour_->flavour() == codec::Flavour::kMariaDB; }
  // The server's identity as it reported it when the stream started: refuse to resume an archive against
  // another server. server_uuid is empty for MariaDB, which has none.
  const std::string& server_uuid() const { return server_uuid_; }
  uint32_t master_server_id() const { return master_server_id_; }
  // The server's id for our connection (CONNECTION_ID(); the Id of the dump thread in SHOW PROCESSLIST).
  unsigned long connection_id() const { return connection_id_; }
  // The server connection's description ("user@host:port"), used in errors.
  const std::string& server_name() const { return connection_.server_name(); }
  // The checksum the session negotiated (what the first artificial ROTATE is framed with).
  codec::ChecksumAlg negotiated_checksum() const { return negotiated_checksum_; }
  // Whether the server puts the semi-sync header before each event (known after the first event).
  bool semi_sync_active() const { return cursor_.semi_sync_active(); }

 private:
  ReplicaStream(ServerConnection connection, const ReplicaStreamOptions& options,
                std::unique_ptr<ReplicaFlavour> flavour);

  Status setup_session();
  Status register_replica();
  Status send_dump();
  Status take_over_input();
  Error read_error(Error reader_error) const;
  std::string request_description() const;

  ServerConnection connection_;
  ReplicaStreamOptions options_;
  std::unique_ptr<ReplicaFlavour> flavour_;
  StreamCursor cursor_;
  std::optional<PacketReader> reader_;  // from send_dump() on
  codec::ChecksumAlg negotiated_checksum_ = codec::ChecksumAlg::kUndefined;
  std::string server_uuid_;
  uint32_t master_server_id_ = 0;
  unsigned long connection_id_ = 0;
  bool ended_ = false;
  std::optional<Error> failure_;
};

}  // namespace mzl::net
