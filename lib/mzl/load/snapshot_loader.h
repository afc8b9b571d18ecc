#pragma once
// Loading a snapshot (manifest.h: layout) into a server: the restore half of mzl-pitr-restore (issue 7), and
// the judge of the snapshot tests. Two sources: a snapshot directory, and the tar stream of
// `mzl-snapshot --output -`.
//
// Order (manifest.h, SchemaObject): databases, tables, then the data, then users (only with
// LoadOptions::users; before the views, whose DEFINER must exist), views, procedures and functions, triggers
// (after the data, so they do not fire for restored rows), events, and grants (with users). Each schema
// object runs with its recorded sql_mode, character_set_client and collation_connection (the server's
// defaults / utf8mb4 when the snapshot recorded none). Views are retried in dependency order: every pass
// creates those that succeed, until none is left or a pass makes no progress; those left are tried again
// after the functions (a view may call one), and then together with the grants (a view reading a view needs
// that view's DEFINER to hold its grants, and a grant may name a view) until no pass makes progress.
//
// Data: one LOAD DATA LOCAL INFILE per data file (mzl(7) SNAPSHOTS and snapshot/row_text.h: the statement and
// the text format), fed through mysql_set_local_infile_handler() by a streaming decompressing reader
// (open_data_file), over `threads` connections, largest files first, preferring a file of a table no other
// connection is loading (LOAD DATA into a table with AUTO_INCREMENT holds its table-level AUTO-INC lock for
// the statement). Each session runs with unique_checks=0, foreign_key_checks=0, time_zone '+00:00' (the
// snapshot's TIMESTAMPs are UTC), sql_mode NO_AUTO_VALUE_ON_ZERO (a 0 in an AUTO_INCREMENT column stays 0)
// and one transaction per file: a file that fails (bad bytes, wrong digest, warnings, row count different
// from the manifest) is rolled back whole. LOAD DATA LOCAL turns data errors into warnings (the server cannot
// stop the upload), so any warning fails the file. Tables of non-transactional engines (MyISAM, Aria) keep
// what was loaded before a failure.
//
// Secondary keys: an InnoDB table's plain (non-unique) KEYs are left out of its CREATE TABLE and added with
// one ALTER TABLE ... ADD KEY once all its data is in, a sorted bulk build instead of one index insertion per
// row (deferred_keys.h: what is deferred, and the measurement). Unique keys, full-text and spatial keys,
// tables with or referenced by a FOREIGN KEY, and other engines keep their keys. If the load fails, tables
// may be left without these keys (like the rest of a failed load, it is not to be used).
//
// Binary log: by default the restore is written to the target's binary log like any other client's writes,
// so the target's replicas (and an archiver tailing the target) receive the restored data instead of
// silently diverging from it. write_binlog = false runs every session with sql_log_bin=0 (faster: the rows
// are not written twice; needs the BINLOG ADMIN / SUPER privilege) for a target without replicas, or when
// each replica is restored on its own. myloader's default is the latter (--enable-binlog turns logging on).
//
// Renaming (rename_databases old -> new): CREATE DATABASE is written for the new name (its options kept);
// every other object is created with `USE new` followed by its statement unchanged. SHOW CREATE output names
// the object's own database only implicitly (MariaDB prints same-database references unqualified), so the
// objects land in the new database and refer to its tables. Limits: a reference that names a database
// explicitly (a view or routine reading `other`.`t`, a foreign key to another database, `old`.`t` written
// out in a trigger body) still names that database, including the old one; grants restored with
// users = true name the old database.
//
// Safety: nothing is ever dropped or replaced. A target database (after renaming) that already holds tables
// or views is refused (kInvalidArgument naming it) unless allow_existing; even then a table that exists
// fails its CREATE TABLE (kServer).
//
// Filters: `databases` keeps the objects of those databases; `tables` ("db.name", matched against the
// snapshot's database and object name as written, before renaming) keeps those tables and views, the
// triggers on those tables and their databases, not routines or events. A filter or rename naming a
// database or table the snapshot does not hold is kNotFound. Filters and renames use the snapshot's names.
//
// Integrity: every byte read is checked. Directory: schema.jsonl and each data file against the manifest's
// size and SHA-256 while it streams (kChecksumMismatch naming the file, whose rows are rolled back); a data
// file the manifest does not list, or a row count different from the manifest's, is kCorrupt. Stream:
// members are loaded as they arrive (the manifest comes last) and each member's size and SHA-256 and each
// data file's row count are compared with the manifest at the end: a different digest is kChecksumMismatch,
// a different row count, a member the manifest does not list or a listed one never seen, or a stream
// without manifest.json is kCorrupt, each naming the member; the objects after the data are then not
// created. (The data already loaded stays: a stream cannot be checked before it is read.)
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "mzl/net/connection_options.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::load {

struct LoadProgress {
  std::string phase;          // "schema", "data", "objects", "done"
  uint64_t tables_total = 0;  // tables selected
  uint64_t files_total = 0;   // data files selected (a stream: those seen so far)
  uint64_t files_done = 0;
  uint64_t bytes_total = 0;  // their size on disk (a stream: seen so far)
  uint64_t bytes_done = 0;
  uint64_t rows = 0;       // rows loaded so far
  uint64_t raw_bytes = 0;  // uncompressed bytes sent so far
  double seconds = 0;      // since the load started
};

struct LoadOptions {
  net::ConnectionOptions target;       // local_infile is turned on by the loader
  unsigned threads = 2;                // data connections (at least 1)
  std::vector<std::string> databases;  // empty: all
  std::vector<std::string> tables;     // "db.name"; empty: all
  std::vector<std::pair<std::string, std::string>> rename_databases;  // old -> new
  bool users = false;                // also create the snapshot's users and grants
  bool allow_existing = false;       // load into databases that already hold tables (never replacing any)
  bool write_binlog = true;          // false: sql_log_bin=0 in every session (see above)
  bool defer_secondary_keys = true;  // add plain InnoDB secondary keys after the data (see above)
  // Called from the loading threads (serialised), at most every ~100 ms and at each phase change.
  std::function<void(const LoadProgress&)> progress;
};

struct LoadStats {
  snapshot::Manifest manifest;  // the snapshot's manifest (binlog coordinates for the replay that follows)
  uint64_t databases = 0;       // databases created (or, with allow_existing, already there)
  uint64_t tables = 0;          // tables created
  uint64_t objects = 0;         // views, routines, triggers, events, users and grants created
  uint64_t files = 0;           // data files loaded
  uint64_t rows = 0;            // rows loaded
  uint64_t raw_bytes = 0;       // uncompressed bytes loaded
  uint64_t bytes = 0;           // bytes of the snapshot read (compressed, including skipped members)
  double schema_seconds = 0;    // databases and tables
  double data_seconds = 0;
  double objects_seconds = 0;
  double seconds = 0;  // the whole load
};

// Loads the snapshot in `snapshot_dir` (the directory holding manifest.json). Errors: kNotFound when the
// manifest is missing, kCorrupt / kChecksumMismatch naming the file, kInvalidArgument for a refused target
// or bad options, kNotFound for filters naming what the snapshot does not hold, and the connection's errors
// (kNetwork, kAuth, kServer naming the server and the statement's object).
Result<LoadStats> load_snapshot_directory(const std::string& snapshot_dir, const LoadOptions& options);

// Loads a snapshot tar stream (`<id>/schema.jsonl` first, data members, `<id>/manifest.json` last) as it is
// read. Memory: data members are held whole (compressed) while they wait for a connection, at most
// ~128 MiB in all, the member being read included; a member larger than 64 MiB is loaded straight from the
// stream instead (while the held ones load). Errors as above;
// in addition kCorrupt when the first member is not schema.jsonl, a member is outside "<id>/", or the tar
// framing is bad (TarReader).
Result<LoadStats> load_snapshot_stream(InputStream& tar_stream, const LoadOptions& options);

}  // namespace mzl::load
