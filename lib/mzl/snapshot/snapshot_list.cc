#include "mzl/snapshot/snapshot_list.h"

#include <fmt/format.h>

#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/prune.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/json.h"

namespace mzl::snapshot {

namespace {

struct Totals {
  uint64_t bytes = 0;
  uint64_t rows = 0;
};

Totals totals_of(const Manifest& m) {
  Totals t;
  for (const SnapshotFile& f : m.files) t.bytes += f.size;
  for (const TableEntry& table : m.tables) t.rows += table.rows;
  return t;
}

void append_json(JsonWriter& w, const Manifest& m) {
  Totals t = totals_of(m);
  w.begin_object();
  w.field("id", m.id);
  w.field("started_at", m.started_at);
  w.field("finished_at", m.finished_at);
  w.field("bytes", t.bytes);
  w.field("files", static_cast<uint64_t>(m.files.size()));
  w.field("tables", static_cast<uint64_t>(m.tables.size()));
  w.field("rows", t.rows);
  w.field("compression", compression_name(m.compression));
  w.field("lock_method", m.lock.method);
  w.field("lock_seconds", m.lock.seconds);
  w.field("binlog_file", m.binlog.file);
  w.field("binlog_position", m.binlog.position);
  w.field("gtid", m.binlog.gtid);
  w.field("source", m.server.source);
  w.field("server_id", m.server.server_id);
  w.field("server_uuid", m.server.server_uuid);
  w.field("flavour", m.server.flavour);
  w.field("version", m.server.version);
  w.end_object();
}

constexpr const char* kTextLine = "{:<20}  {:<24}  {:>10}  {:>6}  {:>12}  {:<11}  {:<26}  {}\n";

}  // namespace

Result<std::string> list_snapshots(const std::string& repo, bool json) {
  MZL_TRY(std::vector<std::string> ids, list_snapshot_ids(repo));
  std::string out;
  JsonWriter w(out);
  if (json) {
    w.begin_array();
  } else {
    out += fmt::format(kTextLine, "ID", "STARTED (UTC)", "SIZE", "TABLES", "ROWS", "COMPRESSION", "LOCK",
                       "GTID");
  }
  for (const std::string& id : ids) {
    MZL_TRY(Manifest manifest, read_manifest(snapshot_dir(repo, id)));
    if (json) {
      append_json(w, manifest);
      continue;
    }
    Totals t = totals_of(manifest);
    out += fmt::format(kTextLine, id, manifest.started_at, human_bytes(t.bytes), manifest.tables.size(),
                       t.rows, compression_name(manifest.compression),
                       fmt::format("{} {:.3f}s", manifest.lock.method, manifest.lock.seconds),
                       manifest.binlog.gtid.empty() ? "-" : manifest.binlog.gtid);
  }
  if (json) {
    w.end_array();
    out += '\n';
  }
  return out;
}

}  // namespace mzl::snapshot
