#pragma once
// Verification of binlog files and of one source's binlog archive (REPO/binlogs/<source>/, man/mzl.7): is
// every byte intact, is the archive continuous, and from when to when can it restore.
//
// Per file: the binlog magic and a FORMAT_DESCRIPTION first; every event's CRC32 when the FD says checksums
// are on (codec/binlog_file_reader.h); the header chain (each event's log_pos, the end of the event in the
// server's file, equals its offset + event_size; log_pos 0, which dump threads and relay logs use, is not
// checked; only a change of the difference is reported, once, at the first event it appears in); a
// truncated last event. Across files: each file but the last ends with a ROTATE naming the next file, and
// no sequence number is missing between the first file and the last. Then GTID continuity
// (gtid_continuity.h) and the point-in-time-recovery window.
//
// The files are read through archive/archive_reader.h, reading past damage (continue_past_damage), so the
// transactions of the window are those its TransactionTracker finds. Memory is bounded by the reader's
// buffer and one event; only FORMAT_DESCRIPTION, ROTATE, the GTID family and QUERY bodies are decoded,
// never row events.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mzl/util/progress_counter.h"
#include "mzl/util/result.h"
#include "mzl/verify/problem.h"

namespace mzl::verify {

struct BinlogCheckOptions {
  // The GTID state the archive must continue from without a hole (the oldest snapshot's): a MariaDB GTID
  // position or a MySQL GTID set; "" to start from the first file's GTID_LIST / PREVIOUS_GTIDS.
  std::string start_gtid;
  size_t buffer_size = 4 * 1024 * 1024;
  ProgressCounter* progress = nullptr;  // when set, counts the bytes of each file checked
};

// A complete transaction: its first event's place and the GTID and header timestamp (seconds since the
// epoch) of the event that ends it (XID, COMMIT or the DDL itself).
struct TransactionPoint {
  std::string file;     // as in Problem::where
  uint64_t offset = 0;  // the transaction's first event (its GTID event when it has one)
  uint64_t end = 0;     // the offset after its last event
  uint32_t timestamp = 0;
  std::string gtid;  // "" for a transaction without a GTID
  bool operator==(const TransactionPoint&) const = default;
};

struct BinlogCheckReport {
  // In file order. In an .lz4 file, offsets are in its uncompressed content (the server's file).
  std::vector<Problem> problems;
  // The point-in-time-recovery window: the first and the last transaction fully present (every event
  // there, checksums valid). last_before_problem is the last one before the first problem found in the
  // files (a restore replaying the archive stops there); it equals last when there is none.
  std::optional<TransactionPoint> first;
  std::optional<TransactionPoint> last;
  std::optional<TransactionPoint> last_before_problem;
  std::string flavour;  // "mariadb" or "mysql" from the first FORMAT_DESCRIPTION ("" when none was read)
  uint64_t files = 0;
  uint64_t events = 0;
  uint64_t bytes = 0;  // uncompressed bytes read

  bool ok() const { return problems.empty(); }
};

// Checks `files` as one sequence in the order given (archive/binlog_file_list.h expand_binlog_paths()
// gives that order for directories); plain or LZ4. Problem::where is the path as given. The last file may
// end without ROTATE (it is the one being written) but a truncated event in it is a problem.
// Errors: kNotFound / kIo when a file cannot be opened or read; kInvalidArgument for an empty list or a
// start GTID that does not parse for the files' flavour.
Result<BinlogCheckReport> check_binlog_files(const std::vector<std::filesystem::path>& files,
                                             const BinlogCheckOptions& options = {});

// Checks the archive REPO/binlogs/<source>/ (Problem::where relative to `repo`, e.g.
// "binlogs/db1_3306/mariadb-bin.000042"). Beyond check_binlog_files(), uses state.json: a torn event in
// the current file past its durable_position is not a problem (the archive truncates it when it is next
// opened); a current file shorter than durable_position, a closed file that is missing or whose size
// differs from the recorded one, and a missing or unreadable state.json are problems. For a file whose
// events carry no CRC32 (binlog_checksum=NONE, servers before MySQL 5.6), the CRC-32 state.json records for
// a closed file (and for the current file up to durable_position) is checked too.
// Errors: kNotFound when the source directory does not exist; kIo when it cannot be read.
Result<BinlogCheckReport> check_binlog_source(const std::filesystem::path& repo, const std::string& source,
                                              const BinlogCheckOptions& options = {});

// "restorable from 2022-04-20 22:18:04 UTC (0-1-1) to 2022-04-20 22:19:55 UTC (0-1-2)" (UTC; the GTID
// left out when there is none), using last_before_problem as the end; "nothing restorable: ..." when there
// is no complete transaction, or none before the first problem.
std::string format_window(const BinlogCheckReport& report);

}  // namespace mzl::verify
