// The --json outputs of mzl-snapshot (the take summary and the prune plan) are documented in
// man/mzl-snapshot.1 and read by scripts: their keys, types and nesting are pinned here, byte for byte.
#include <catch2/catch.hpp>

#include <string>

#include "mzl/snapshot/prune.h"
#include "mzl/snapshot/take_snapshot.h"

namespace mzl::snapshot {
namespace {

TEST_CASE("describe_snapshot --json, every key with its type") {
  Manifest m;
  m.id = "20261121T040000Z";
  m.binlog = {"mariadb-bin.000042", 1234, "0-1-100,1-2-5"};
  m.started_at = "2026-11-21T04:00:00.125Z";
  m.finished_at = "2026-11-21T04:01:30.000Z";
  m.lock = {"backup_stage_block_commit", 0.0125, 0};
  m.compression = Compression::kZstd;
  m.threads = 4;
  m.tables.push_back(TableEntry{"shop", "orders", "InnoDB", 1500, {}, "", "", {{"d/1", 1500, 90000}}});
  m.tables.push_back(
      TableEntry{"shop", "items", "InnoDB", 250, {}, "", "", {{"d/2", 200, 8000}, {"d/3", 50, 10}}});
  m.files = {{"d/1", 2048, ""}, {"d/2", 100, ""}, {"d/3", 1, ""}, {"schema.jsonl", 1024, ""}};
  CHECK(describe_snapshot(m, true) ==
        "{\"id\":\"20261121T040000Z\",\"rows\":1750,\"tables\":2,\"files\":4,\"bytes\":3173,\"raw_bytes\":"
        "98010,"
        "\"compression\":\"zstd\",\"threads\":4,\"binlog_file\":\"mariadb-bin.000042\",\"binlog_position\":"
        "1234,"
        "\"gtid\":\"0-1-100,1-2-5\",\"lock_method\":\"backup_stage_block_commit\",\"lock_seconds\":0.0125,"
        "\"started_at\":\"2026-11-21T04:00:00.125Z\",\"finished_at\":\"2026-11-21T04:01:30.000Z\"}\n");
}

TEST_CASE("describe_prune_plan --json, every key with its type") {
  PrunePlan plan;
  plan.repo = "/r";
  plan.policy.keep_last = 2;
  plan.policy.keep_weekly = 3;
  plan.snapshots.push_back({"20261122T040000Z", "2026-11-22T04:00:00Z", true, {"last", "weekly"}, 100});
  plan.snapshots.push_back({"20261121T040000Z", "2026-11-21T04:00:00Z", false, {}, 50});
  plan.leftovers.push_back({".partial-x", 7});
  BinlogSourcePlan source;
  source.source = "db1_3306";
  source.current_file = "b.000009";
  source.first_needed = "b.000003";
  source.needed_by = "20261122T040000Z";
  source.note = "a \"quoted\" note";
  source.removed = {{"b.000001.lz4", 10}, {"b.000002", 20}};
  source.kept_files = 7;
  source.kept_bytes = 700;
  plan.sources.push_back(source);
  plan.freed_bytes = 87;
  CHECK(
      describe_prune_plan(plan, true) ==
      "{\"policy\":{\"keep_last\":2,\"keep_hourly\":0,\"keep_daily\":0,\"keep_weekly\":3,\"keep_monthly\":0},"
      "\"snapshots\":[{\"id\":\"20261122T040000Z\",\"started_at\":\"2026-11-22T04:00:00Z\",\"keep\":true,"
      "\"reasons\":[\"last\",\"weekly\"],\"bytes\":100},{\"id\":\"20261121T040000Z\",\"started_at\":"
      "\"2026-11-21T04:00:00Z\",\"keep\":false,\"reasons\":[],\"bytes\":50}],"
      "\"leftovers\":[{\"name\":\".partial-x\",\"bytes\":7}],"
      "\"binlogs\":[{\"source\":\"db1_3306\",\"current_file\":\"b.000009\",\"first_needed\":\"b.000003\","
      "\"needed_by\":\"20261122T040000Z\",\"note\":\"a \\\"quoted\\\" note\",\"removed\":[{\"name\":"
      "\"b.000001.lz4\",\"bytes\":10},{\"name\":\"b.000002\",\"bytes\":20}],\"kept_files\":7,\"kept_bytes\":"
      "700}],"
      "\"kept_snapshots\":1,\"removed_snapshots\":1,\"removed_binlogs\":2,\"freed_bytes\":87}\n");
}

}  // namespace
}  // namespace mzl::snapshot
