#pragma once
// Taking one snapshot (man/mzl-snapshot.1): open N connections at one binlog point (consistent_start.h), plan
// the tables' chunks (chunk_planner.h), dump them in parallel through compressing, hashing writers
// (data_file_writer.h), and finish with the manifest — into REPO/snapshots/<id>/ (snapshot_directory.h) or as
// one tar stream (tar_stream.h).
//
// Memory: each worker holds one row and one output buffer (plus, for a stream, one finished part of at most
// `stream_part_bytes` before it is written); a single row larger than that is held whole, because the text
// protocol delivers rows whole.
//
// An error or a stop request (SIGTERM) ends every worker after its current buffer; the partial directory is
// removed and nothing complete-looking is left. A crash leaves REPO/snapshots/.partial-<id>/, which the next
// run (and prune) removes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "mzl/net/connection_options.h"
#include "mzl/snapshot/catalog.h"
#include "mzl/snapshot/manifest.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

struct SnapshotProgress {
  uint64_t tables_total = 0, tables_done = 0;
  uint64_t chunks_total = 0, chunks_done = 0;
  uint64_t rows = 0;
  uint64_t raw_bytes = 0;        // uncompressed bytes dumped so far
  uint64_t estimated_bytes = 0;  // information_schema's data size of every table (for the ETA)
  uint64_t written_bytes = 0;    // bytes written (compressed)
  double seconds = 0;
};

struct SnapshotOptions {
  net::ConnectionOptions connection;
  std::string repo;        // REPO: the snapshot goes to REPO/snapshots/<id>/ ...
  bool to_stdout = false;  // ... or, when set, as a tar stream to standard output (repo unused)
  std::string source;      // archive source name for the manifest; "" = default_source_name(host, port)
  unsigned threads = 2;
  Compression compression = Compression::kLz4;
  int compression_level = 0;                 // 0: the method's fast default
  uint64_t chunk_rows = 1'000'000;           // split tables estimated larger than this by key ranges
  uint64_t file_size = 64ull << 20;          // start a new part after this many uncompressed bytes
  uint64_t stream_part_bytes = 16ull << 20;  // the part size limit in stream mode (held in memory)
  CatalogFilter filter;
  bool users = false;                                     // also dump users and grants
  std::function<void(const SnapshotProgress&)> progress;  // called from workers, at most every ~100 ms
};

// Takes the snapshot and returns its manifest (already durable, or already written to stdout).
// Errors: kNetwork/kAuth/kServer from the server (naming the server and the table), kIo for the repository
// (naming the file), kInterrupted after a stop request.
Result<Manifest> take_snapshot(const SnapshotOptions& options);

// The one-line and JSON summaries mzl-snapshot prints at the end.
std::string describe_snapshot(const Manifest& manifest, bool json);

}  // namespace mzl::snapshot
