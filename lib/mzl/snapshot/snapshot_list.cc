#include "mzl/snapshot/snapshot_list.h"

#include <fmt/format.h>

#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/prune.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/json_report.h"

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

// One snapshot in `mzl-snapshot list --json` (man/mzl-snapshot.1), for util/json_report.h.
struct ListedSnapshot {
  const Manifest& m;
};

void visit_fields(auto& io, const ListedSnapshot& listed) {
  const Manifest& m = listed.m;
  const Totals t = totals_of(m);
  io.field("id", m.id);
  io.field("started_at", m.started_at);
  io.field("finished_at", m.finished_at);
  io.field("bytes", t.bytes);
  io.field("files", m.files.size());
  io.field("tables", m.tables.size());
  io.field("rows", t.rows);
  io.field("compression", compression_name(m.compression));
  io.field("lock_method", m.lock.method);
  io.field("lock_seconds", m.lock.seconds);
  io.field("binlog_file", m.binlog.file);
  io.field("binlog_position", m.binlog.position);
  io.field("gtid", m.binlog.gtid);
  io.field("source", m.server.source);
  io.field("server_id", m.server.server_id);
  io.field("server_uuid", m.server.server_uuid);
  io.field("flavour", m.server.flavour);
  io.field("version", m.server.version);
}

constexpr const char* kTextLine = "{:<20}  {:<24}  {:>10}  {:>6}  {:>12}  {:<11}  {:<26}  {}\n";

}  // namespace

Result<std::string> list_snapshots(const std::string& repo, bool json) {
  MZL_TRY(std::vector<std::string> ids, list_snapshot_ids(repo));
  std::vector<Manifest> manifests;
  for (const std::string& id : ids) {
    MZL_TRY(Manifest manifest, read_manifest(snapshot_dir(repo, id)));
    manifests.push_back(std::move(manifest));
  }
  if (json) {
    std::vector<ListedSnapshot> listed;
    for (const Manifest& m : manifests) listed.push_back({m});
    return json_line(listed);
  }
  std::string out =
      fmt::format(kTextLine, "ID", "STARTED (UTC)", "SIZE", "TABLES", "ROWS", "COMPRESSION", "LOCK", "GTID");
  for (size_t i = 0; i < ids.size(); ++i) {
    const Manifest& manifest = manifests[i];
    Totals t = totals_of(manifest);
    out += fmt::format(kTextLine, ids[i], manifest.started_at, human_bytes(t.bytes), manifest.tables.size(),
                       t.rows, compression_name(manifest.compression),
                       fmt::format("{} {:.3f}s", manifest.lock.method, manifest.lock.seconds),
                       manifest.binlog.gtid.empty() ? "-" : manifest.binlog.gtid);
  }
  return out;
}

}  // namespace mzl::snapshot
