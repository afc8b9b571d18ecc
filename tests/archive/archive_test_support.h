#pragma once
// A model of a MariaDB server's binlog files and of what its dump thread sends, built from the real events
// of fixtures/binlogs/mariadb-10.5/mariadb-bin.000001 (read with BinlogFileReader at test time): each file
// starts with FORMAT_DESCRIPTION, GTID_LIST and BINLOG_CHECKPOINT; transactions are the fixture's
// GTID / ANNOTATE_ROWS / TABLE_MAP / WRITE_ROWS / XID group with the GTID's seq_no and every log_pos set
// for their place (CRC32 recomputed); a DDL is a standalone GTID and a QUERY built with the codec.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mzl/archive/binlog_archive.h"
#include "mzl/codec/event_header.h"
#include "mzl/codec/format_description.h"
#include "mzl/net/stream_cursor.h"

namespace mzl::test {

struct DumpEvent {
  std::vector<uint8_t> bytes;
  codec::EventHeader header;
};

struct ServerFile {
  std::string name;
  std::vector<uint8_t> bytes;               // the server's file as closed (LOG_EVENT_BINLOG_IN_USE_F clear)
  std::vector<uint64_t> boundaries;         // ends of events at which a transaction is complete
  std::vector<std::string> boundary_gtids;  // the GTID position at each boundary
};

class ServerBinlog {
 public:
  // Empty optional when the fixture is missing (the test is then skipped).
  static std::optional<ServerBinlog> from_fixture();

  void begin_file(const std::string& name);
  void transaction(uint64_t seq_no);
  void ddl(uint64_t seq_no);
  void rotate(const std::string& next);

  // What a dump started at (file, position) sends: a fake ROTATE, the file's FORMAT_DESCRIPTION with
  // log_pos 0 (as dump threads send it), the events from `position` on, a HEARTBEAT at the end of each file,
  // and after every ROTATE an artificial ROTATE naming the next file, its FORMAT_DESCRIPTION and events
  // (net/replica_stream.h describes the same sequence). An empty file name starts at the first file.
  std::vector<DumpEvent> dump_from(const std::string& file, uint64_t position) const;

  const std::vector<ServerFile>& files() const { return files_; }
  std::string last_gtid_position() const { return last_gtid_; }

 private:
  void add(std::vector<uint8_t> event, bool boundary);

  std::vector<uint8_t> fd_, gtid_list_, checkpoint_, gtid_, annotate_, table_map_, write_rows_, xid_;
  std::vector<ServerFile> files_;
  std::string last_gtid_;
};

// The session's FORMAT_DESCRIPTION before the dump's first one (what frames the artificial ROTATE) for the
// model's dumps: MariaDB with CRC32.
const codec::FormatDescription& mariadb_dump_format();

// Dump events as ReplicaStream hands them to the archive: each one taken by a real net::StreamCursor that
// followed the events given before it (in any order: tests give gaps and repeats on purpose).
class DumpStream {
 public:
  explicit DumpStream(const codec::FormatDescription& negotiated = mariadb_dump_format());
  // REQUIREs the cursor to take the event; the result's views are valid until the next take().
  net::StreamEvent take(const DumpEvent& event);

 private:
  net::StreamCursor cursor_;
  std::vector<uint8_t> packet_;
};

// Sets log_pos and recomputes the CRC32 (the event has one).
void set_log_pos(std::vector<uint8_t>& event, uint32_t log_pos);
codec::EventHeader header_of(const std::vector<uint8_t>& event);

// A fresh directory under /dev/shm (fsync is cheap there) or the temp directory, removed at the end.
struct TempRepo {
  std::filesystem::path path;
  TempRepo();
  ~TempRepo();
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;
};

// The content of an archived file: `name` or, when only that exists, `name.lz4` inflated; nullopt when
// neither exists.
std::optional<std::vector<uint8_t>> archived_content(const std::string& dir, const std::string& name);

// Feeds `events` through a DumpStream, syncing after every transaction end and checkpointing every
// `checkpoint_every` events. Stops at the first error. `acked` is the last point sync() reported durable.
struct FeedResult {
  std::optional<Error> error;
  std::optional<archive::DurablePoint> acked;
};
FeedResult feed(archive::BinlogArchive& archive, const std::vector<DumpEvent>& events,
                int checkpoint_every = 4, const codec::FormatDescription& negotiated = mariadb_dump_format());

}  // namespace mzl::test
