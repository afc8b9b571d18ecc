#pragma once
// What a replica asks the primary for when it starts a binlog dump (replica_stream.h).
#include <chrono>
#include <cstdint>
#include <string>

namespace mzl::net {

struct ReplicaStreamOptions {
  // Our server id: required (0 is rejected: the server would end the dump at the end of its binlog), and
  // distinct from every real server of the topology, or the primary kills one of the two dumps.
  uint32_t server_id = 0;

  // Where to start. With start_gtid set the dump is by GTID: a MariaDB GTID position ("0-1-100,1-2-5": the
  // last transaction we have per domain) or a MySQL GTID set (the transactions we have); the server sends
  // everything else. With start_gtid empty the dump is by file and position; an empty start_file means the
  // oldest binlog file the server has (MariaDB and MySQL both start at their first file then).
  std::string start_gtid;
  std::string start_file;
  uint64_t start_position = 4;

  // The server sends a HEARTBEAT event after this much idle time (0: never). Set the connection's
  // read_timeout to a few periods so that a server that went silent is noticed.
  std::chrono::milliseconds heartbeat_period{1000};

  // Ask for the semi-sync header: events that end a transaction the primary waits for carry need_ack, and the
  // caller answers them with ReplicaStream::ack() (only after the transaction is durable).
  bool semi_sync = false;

  bool verify_checksums = true;  // check every event's CRC32 on arrival (when the server writes them)

  // The server ends the dump (next() returns std::nullopt) once it has sent its whole binlog, instead of
  // waiting for new events (BINLOG_DUMP_NON_BLOCK).
  bool non_blocking = false;

  // What SHOW SLAVE HOSTS / SHOW REPLICAS shows for us (COM_REGISTER_SLAVE); at most 60 bytes.
  std::string replica_host_report = "mzl";
  uint16_t replica_port_report = 0;
};

}  // namespace mzl::net
