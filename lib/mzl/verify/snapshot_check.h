#pragma once
// Checking snapshots (issue 6; the layout is in snapshot/manifest.h, man/mzl.7 SNAPSHOTS): that every byte a
// restore needs is there and is what mzl-snapshot wrote.
//
// What is checked, for a snapshot directory REPO/snapshots/<id>/ and for a snapshot stream alike:
//   - manifest.json is present and decodes (decode_manifest), its id is the snapshot's, its paths stay inside
//     the snapshot, every table's data file is listed in "files" once, a table's rows are the sum of its
//     files' rows, and a data file's name ends in the manifest's compression suffix;
//   - every listed file is present, a regular file, with the listed size and SHA-256 (of the bytes on disk);
//   - nothing else is there (an unlisted file or directory, a link, ...);
//   - every file decodes to its end (lz4 frame, zstd frame, or none, chosen by the name's suffix as the
//     restorer does), schema.jsonl is one schema object per line, and each data file's rows are LOAD DATA
//     text (row_text.h) with the row count the manifest lists and as many fields per row as the table's
//     dumped columns.
// A file is read once: the SHA-256 is taken over the bytes as they are read, and the same bytes are
// decompressed and their rows parsed. Files are checked options.threads at a time; a stream's members (up to
// 128 MiB each; larger ones are checked as they are read) are held in memory and checked by options.threads
// workers while the next ones are read (memory: up to 2 x threads members).
//
// What is found is a Problem (problem.h), never an Error: `where` is the path relative to the repository
// ("snapshots/<id>/data/db/t.00000.000.tsv.lz4"; in a stream, the member's path "<id>/data/..."), `offset` a
// byte offset in that file when there is one, and `what` says what it means for a restore and what to do.
// One problem per damaged file: a file whose size or SHA-256 differs is reported once, with what decoding its
// bytes found added to the sentence. A SHA-256 mismatch has no offset of its own (the checksum cannot say
// where the bytes differ): the offset given is that of a truncated file's end, of the first extra byte, or of
// the first bad compressed byte the decoder met, when there is one. Offsets in a compressed file's rows are
// offsets in the decompressed text and are named so in `what` (the Problem's offset stays empty).
//
// Partial snapshots (REPO/snapshots/.partial-*): one that a running mzl-snapshot holds locked
// (partial_snapshot_in_use) is listed in RepositorySnapshotsReport::in_progress and is not a problem. One
// that no writer holds is an interrupted snapshot: reported as a Problem (the run that wrote it failed, and
// it takes space until the next mzl-snapshot run or `mzl-snapshot prune` removes it), although it does not
// affect the complete snapshots.
//
// Errors (Result) stop the check itself: kNotFound for a snapshot id that does not exist, kInvalidArgument
// for a name that is not a snapshot id, kIo for a repository or snapshot directory that cannot be listed or a
// stream that cannot be read (a file inside a snapshot that cannot be opened or read is a Problem).
#include <cstdint>
#include <string>
#include <vector>

#include "mzl/snapshot/manifest.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/progress_counter.h"
#include "mzl/util/result.h"
#include "mzl/verify/problem.h"

namespace mzl::verify {

struct SnapshotCheckOptions {
  unsigned threads = 0;  // files checked at once; 0 is std::thread::hardware_concurrency()
  // Whether every row is parsed with RowTextReader (escapes, the same number of fields in every row and as
  // many as the table's columns). Off by default, for speed: parsing halves the rate on sysbench data (a
  // 1.5 GB repository on 2 cores: ~0.7-0.9x the rate of `openssl dgst -sha256` over the same files with it,
  // ~1.1-1.2x without; issue 6 asks for >= 0.8x). Without it every file is still read to its end, hashed and
  // decompressed, and its rows counted (a raw LF byte only ever ends a row in this format) against the
  // manifest, so a file that is not what was written (SHA-256) or a manifest whose counts were changed is
  // still found; only text that was written malformed with a matching digest (a writer bug) goes unseen.
  bool check_rows = false;
  ProgressCounter* progress = nullptr;  // when set, counts the bytes of each file checked (from any thread)
};

// What was checked of one snapshot. The manifest's fields are empty when it could not be read.
struct SnapshotReport {
  std::string id;
  std::string where;  // "snapshots/<id>" (relative to the repository), or the stream's name
  bool manifest_read = false;
  std::string started_at;  // manifest: UTC start and end of the snapshot
  std::string finished_at;
  std::string source;                  // the archive source its server's binlogs are kept under
  snapshot::BinlogCoordinates binlog;  // the GTID and binlog position the data is consistent with
  uint64_t files_checked = 0;          // files (members) read
  uint64_t bytes_checked = 0;          // their bytes as stored (compressed), all hashed
  uint64_t raw_bytes = 0;              // their decompressed bytes
  uint64_t rows_checked = 0;           // data rows counted
  std::vector<Problem> problems;
  bool ok() const { return problems.empty(); }
};

struct RepositorySnapshotsReport {
  std::vector<SnapshotReport> snapshots;  // every snapshot directory (named like an id), oldest first
  std::vector<Problem> problems;          // of snapshots/ itself: interrupted snapshots, stray entries
  std::vector<std::string> in_progress;   // ".partial-<id>" directories a running snapshot is writing now
  bool ok() const;                        // no problem here nor in any snapshot
};

// Checks REPO/snapshots/<id>/ (a complete snapshot; `id` as list_snapshot_ids gives it). kInvalidArgument
// when `id` is not a snapshot id, kNotFound when there is no such directory.
Result<SnapshotReport> check_snapshot_directory(const std::string& repo, const std::string& id,
                                                const SnapshotCheckOptions& options = {});

// Checks every entry of REPO/snapshots/: the snapshot directories (those named like an id, with or without
// a manifest), the partial ones (see above), and anything else there (a Problem: mzl never writes it). The
// files of all snapshots share one pool of options.threads workers. A missing REPO/snapshots is an empty
// report (a repository may hold only binlogs).
Result<RepositorySnapshotsReport> check_repository_snapshots(const std::string& repo,
                                                             const SnapshotCheckOptions& options = {});

// Checks a snapshot stream (`mzl-snapshot --output -`, tar_stream.h) read from `in` to its end: each member
// is hashed (and decompressed, its rows parsed) as it passes, and compared with manifest.json, which must be
// the last member. Problems besides those above: a member outside "<id>/", a member twice, a member after
// the manifest, a listed member missing, a member not listed, a stream without its manifest, and a stream
// that is not a well-formed tar archive (where = the stream's name, offset = the offending header; the check
// stops there). Problems are at the member's path "<id>/...", offsets within the member. kIo when `in`
// cannot be read.
Result<SnapshotReport> check_snapshot_stream(InputStream& in, const SnapshotCheckOptions& options = {});

}  // namespace mzl::verify
