#pragma once
// REPO/binlogs/<source>/state.json: what one source's archive holds (man/mzl.7, REPOSITORY). Written only
// with atomic_write_file(), so a reader sees one complete version. The state may lag the current file (the
// data is fsynced first, the state later); BinlogArchive::open() scans forward from it.
//
// {"format":1, "source":"db1_3306",
//  "server":{"server_uuid":"", "server_id":1, "flavour":"mariadb", "version":"10.11.19-MariaDB-log"},
//  "current_file":"mariadb-bin.000042", "durable_position":1234, "gtid_position":"0-1-100",
//  "current_crc32":305419896, "current_first_gtid":"0-1-90", "current_last_gtid":"0-1-100",
//  "closed_files":[{"name":"mariadb-bin.000041", "size":1073741900, "crc32":123, "first_gtid":"0-1-1",
//                   "last_gtid":"0-1-89"}],
//  "follows":{"source":"db1_3306", "record":"20261207T041500Z", "from_gtid_position":"0-1-100"}}
// "follows" is there only in a successor source (archive/failover_follow.h): the archive of the server that a
// failover promoted, which continues the history of the source it names.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/util/result.h"

namespace mzl::archive {

inline constexpr int kArchiveStateFormat = 1;

// The server an archive copies. Unknown fields are empty / 0 and are not compared.
struct ServerIdentity {
  std::string server_uuid;  // MySQL @@server_uuid; MariaDB has none
  uint32_t server_id = 0;   // @@server_id
  std::string flavour;      // "mariadb" or "mysql"
  std::string version;      // the FORMAT_DESCRIPTION's server version

  bool operator==(const ServerIdentity&) const = default;
};

struct ClosedFileInfo {
  std::string name;        // the server's file name (the archive may hold it as name + ".lz4")
  uint64_t size = 0;       // bytes of the uncompressed file
  uint32_t crc32 = 0;      // CRC-32 (zlib) of the whole uncompressed file
  std::string first_gtid;  // first transaction's GTID in the file ("" when none)
  std::string last_gtid;   // last complete transaction's GTID ("" when none)

  bool operator==(const ClosedFileInfo&) const = default;
};

// A successor source's link to the source whose history it continues (man/mzl.7, FAILOVER). Its files are
// the new primary's whole files from the one holding the first transaction after from_gtid_position on: the
// first of them may repeat transactions that the predecessor holds already (the same GTIDs, the new primary
// had them as a replica); a reader of the history takes from the successor only what follows
// from_gtid_position.
struct SourceLink {
  std::string source;              // the predecessor under REPO/binlogs/
  std::string record;              // the failover record (REPO/failovers/<record>.json) that made the switch
  std::string from_gtid_position;  // the predecessor's last complete transaction per domain (MariaDB
                                   // position or MySQL set); "" when the predecessor held none

  bool operator==(const SourceLink&) const = default;
};

struct ArchiveState {
  std::string source;
  ServerIdentity server;
  // The file being appended to ("" before the first); it exists once its first event is written.
  std::string current_file;
  // End of the last complete event of current_file that is fsynced and ends a transaction (or lies outside
  // one): a position the dump can restart from. 0 when current_file has no event yet.
  uint64_t durable_position = 0;
  // The GTID state at durable_position: a MariaDB position ("0-1-100,1-2-5") or a MySQL GTID set.
  std::string gtid_position;
  uint32_t current_crc32 = 0;  // CRC-32 of current_file's bytes [0, durable_position)
  std::string current_first_gtid;
  std::string current_last_gtid;
  std::vector<ClosedFileInfo> closed_files;  // oldest first
  std::optional<SourceLink> follows;         // set in a successor source only

  bool operator==(const ArchiveState&) const = default;
};

// One JSON object, keys in the order above, ending in a newline.
std::string encode_archive_state(const ArchiveState& state);

// Parses what encode_archive_state() writes. Unknown keys are ignored (a later version may add some);
// a missing "format" or a format above kArchiveStateFormat, a wrong type or bad JSON is kCorrupt at `where`.
Result<ArchiveState> decode_archive_state(std::string_view json, const std::string& where);

// Reads and decodes the state file at `path` (repo::archive_state_path()); kNotFound when it is missing.
Result<ArchiveState> read_archive_state(const std::string& path);

}  // namespace mzl::archive
