#pragma once
// The dump side of a primary, over an archive (man/mzl-binlog-tail.1, SERVING): what a replica asked for with
// COM_BINLOG_DUMP (a file and position), MariaDB's GTID dump (@slave_connect_state) or MySQL's
// COM_BINLOG_DUMP_GTID, sent as the server's dump thread sends it (MariaDB sql/sql_repl.cc mysql_binlog_send,
// MySQL sql/rpl_binlog_sender.cc):
//   an artificial ROTATE naming the file and position; the file's FORMAT_DESCRIPTION (log_pos 0 when the
//   dump starts past it, so that the replica does not take its position); the events from the position (for a
//   GTID dump: the file whose GTID list or PREVIOUS_GTIDS the replica's state holds, without the transactions
//   the state holds); at each file's end its ROTATE, then the next file's FORMAT_DESCRIPTION; at the
//   archive's durable end (archive_end.h) the live tail, with a HEARTBEAT after each idle heartbeat period.
// Every event is read with its CRC32 checked: damage ends the dump with an error naming the file and offset,
// never a damaged event sent on.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "mzl/gtid/maria_gtid.h"
#include "mzl/serve/archive_end.h"
#include "mzl/util/byte_reader.h"
#include "mzl/util/result.h"

namespace mzl::serve {

// Where the events go (the session writes each as a network packet 0x00 + event).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Status event(Bytes event) = 0;
  // Everything written so far is handed to the network (called before waiting for the archive).
  virtual Status flush() = 0;
};

struct DumpRequest {
  std::string file;  // file and position dump ("" with a GTID dump)
  uint64_t position = 4;
  bool gtid_dump = false;     // by GTID: the file and position are ignored
  std::string gtid_position;  // MariaDB @slave_connect_state ("" for a new replica), or a MySQL GTID set
  bool non_blocking = false;  // BINLOG_DUMP_NON_BLOCK: end at the archive's end instead of waiting
  // MariaDB's @slave_until_gtid (START SLAVE UNTIL master_gtid_pos): the dump ends after the transaction that
  // reaches this position in every domain it names (sql/sql_repl.cc: the master stops sending there).
  std::string until_gtid;
  std::chrono::milliseconds heartbeat_period{0};
};

// A replica's request the archive cannot answer: the server's error 1236
// (ER_MASTER_FATAL_ERROR_READING_BINLOG) with its own text, for the session to send as an ERR packet.
inline constexpr uint16_t kErrorReadingBinlog = 1236;

struct SenderStats {
  bool until_reached = false;  // the dump ended at DumpRequest::until_gtid
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t heartbeats = 0;
};

class BinlogSender {
 public:
  // `archive_dir`: REPO/binlogs/<source>; `flavour` "mariadb" or "mysql" (how GTID positions read);
  // `server_id`: the archived server's (artificial events carry it). `stop` ends the dump at the next event.
  BinlogSender(std::string archive_dir, std::string flavour, uint32_t server_id, ArchiveEndSource& end,
               EventSink& sink, const std::atomic<bool>& stop);

  // Sends until the replica goes away (an error of the sink), `stop`, the archive's end with non_blocking
  // (ok), or an error: kNotFound for a file or GTID the archive does not have (the message is the server's
  // text for it), kCorrupt / kChecksumMismatch for damage (naming file and offset).
  Status run(const DumpRequest& request);

  const SenderStats& stats() const { return stats_; }

 private:
  struct Start {
    std::string file;
    uint64_t position = 4;
  };
  Result<Start> start_of(const DumpRequest& request);
  Status send_file(const std::string& file, uint64_t position, const DumpRequest& request, bool& skipping,
                   std::string& next_file);
  Status heartbeat(const std::string& file, uint64_t position);
  std::string path_of(const std::string& file) const;
  // The @slave_until_gtid domains not reached yet (kept across files); empty when the request has none.
  Status start_until(const DumpRequest& request);

  std::string archive_dir_;
  std::string flavour_;
  uint32_t server_id_;
  ArchiveEndSource& end_;
  EventSink& sink_;
  const std::atomic<bool>& stop_;
  SenderStats stats_;
  std::optional<gtid::MariaGtidPosition> until_;
};

}  // namespace mzl::serve
