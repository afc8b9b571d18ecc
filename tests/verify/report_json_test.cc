// The --json outputs of mzl-verify (repository, one snapshot, binlog files, `tables`) are documented in
// man/mzl-verify.1 and read by runbooks: their keys, types and nesting are pinned here, byte for byte.
#include <catch2/catch.hpp>

#include <string>

#include "mzl/verify/server_compare.h"
#include "mzl/verify/verify_report.h"

namespace mzl::verify {
namespace {

SnapshotReport snapshot_report() {
  SnapshotReport s;
  s.id = "20231114T221320Z";
  s.where = "snapshots/20231114T221320Z";
  s.manifest_read = true;
  s.started_at = "2023-11-14T22:13:20.000Z";
  s.finished_at = "2023-11-14T22:13:21.000Z";
  s.source = "db1_3306";
  s.binlog = {"mariadb-bin.000002", 400, "0-1-10"};
  s.files_checked = 3;
  s.bytes_checked = 4096;
  s.raw_bytes = 9000;
  s.rows_checked = 12;
  s.problems.push_back({"snapshots/20231114T221320Z/data/a.tsv.lz4", 17, "frame \"2\" is corrupt"});
  s.problems.push_back({"snapshots/20231114T221320Z", std::nullopt, "no manifest"});
  return s;
}

constexpr const char* kSnapshotJson =
    "{\"id\":\"20231114T221320Z\",\"where\":\"snapshots/"
    "20231114T221320Z\",\"ok\":false,\"manifest_read\":true,"
    "\"started_at\":\"2023-11-14T22:13:20.000Z\",\"finished_at\":\"2023-11-14T22:13:21.000Z\",\"source\":"
    "\"db1_3306\",\"binlog_file\":\"mariadb-bin.000002\",\"binlog_position\":400,\"gtid\":\"0-1-10\","
    "\"files\":3,"
    "\"bytes\":4096,\"raw_bytes\":9000,\"rows\":12,\"problems\":[{\"where\":"
    "\"snapshots/20231114T221320Z/data/a.tsv.lz4\",\"offset\":17,\"what\":\"frame \\\"2\\\" is corrupt\"},"
    "{\"where\":\"snapshots/20231114T221320Z\",\"offset\":null,\"what\":\"no manifest\"}]}";

BinlogCheckReport archive_report() {
  BinlogCheckReport b;
  b.flavour = "mariadb";
  b.files = 2;
  b.events = 40;
  b.bytes = 5000;
  b.first = TransactionPoint{"mariadb-bin.000001", 300, 500, 1700000000, "0-1-1"};
  b.last = TransactionPoint{"mariadb-bin.000002", 300, 500, 1700000100, "0-1-12"};
  b.last_before_problem = b.last;
  return b;
}

TEST_CASE("describe_snapshot_report --json, every key with its type") {
  CHECK(describe_snapshot_report(snapshot_report(), true) == std::string(kSnapshotJson) + "\n");
}

TEST_CASE("describe_binlog_report --json, every key with its type") {
  BinlogCheckReport b = archive_report();
  CHECK(describe_binlog_report(b, true) ==
        "{\"ok\":true,\"flavour\":\"mariadb\",\"files\":2,\"events\":40,\"bytes\":5000,\"window\":{"
        "\"restorable\":true,\"from\":{\"time\":\"2023-11-14T22:13:20Z\",\"unix_time\":1700000000,\"gtid\":"
        "\"0-1-1\",\"snapshot\":\"\"},\"to\":{\"time\":\"2023-11-14T22:15:00Z\",\"unix_time\":1700000100,"
        "\"gtid\":\"0-1-12\",\"snapshot\":\"\"},\"text\":\"" +
            format_window(b) + "\"},\"problems\":[]}\n");
  b.first.reset();
  b.last.reset();
  b.last_before_problem.reset();
  b.problems.push_back({"mariadb-bin.000001", 4, "bad CRC32"});
  CHECK(describe_binlog_report(b, true) ==
        "{\"ok\":false,\"flavour\":\"mariadb\",\"files\":2,\"events\":40,\"bytes\":5000,\"window\":{"
        "\"restorable\":false,\"from\":null,\"to\":null,\"text\":\"" +
            format_window(b) +
            "\"},\"problems\":[{\"where\":\"mariadb-bin.000001\",\"offset\":4,\"what\":\"bad CRC32\"}]}\n");
}

TEST_CASE("describe_repository_report --json, every key with its type") {
  RepositoryReport r;
  r.repo = "/r";
  r.snapshots.snapshots.push_back(snapshot_report());
  r.snapshots.in_progress = {".partial-x"};
  r.snapshots.problems.push_back({"snapshots/stray", std::nullopt, "not a snapshot"});
  SourceReport with_archive;
  with_archive.source = "db1_3306";
  with_archive.base = RestoreBase{"20231114T221320Z", "2023-11-14T22:13:20.000Z", "0-1-10"};
  with_archive.archive = archive_report();
  SourceReport without_archive;
  without_archive.source = "db2_3306";
  r.sources = {with_archive, without_archive};
  const RestoreWindow window = restore_window(with_archive);
  REQUIRE(window.from);
  REQUIRE(window.to);
  CHECK(
      describe_repository_report(r, true) ==
      "{\"repo\":\"/r\",\"ok\":false,\"problem_count\":3,\"snapshots\":[" + std::string(kSnapshotJson) +
          "],\"in_progress\":[\".partial-x\"],\"sources\":[{\"source\":\"db1_3306\",\"ok\":true,\"archive\":"
          "true,\"follows\":\"\",\"follows_from_gtid_position\":\"\",\"follows_record\":\"\","
          "\"flavour\":\"mariadb\",\"files\":2,\"events\":40,\"bytes\":5000,\"window\":{\"restorable\":"
          "true,\"from\":{\"time\":\"2023-11-14T22:13:20Z\",\"unix_time\":1700000000,\"gtid\":\"" +
          window.from->gtid + "\",\"snapshot\":\"" + window.from->snapshot_id +
          "\"},\"to\":{\"time\":\"2023-11-14T22:15:00Z\",\"unix_time\":1700000100,\"gtid\":\"0-1-12\","
          "\"snapshot\":\"\"},\"note\":\"" +
          window.note + "\",\"text\":\"" + describe_window(with_archive) +
          "\"},\"problems\":[]},{\"source\":\"db2_3306\",\"ok\":true,\"archive\":false,"
          "\"follows\":\"\",\"follows_from_gtid_position\":\"\",\"follows_record\":\"\",\"window\":{"
          "\"restorable\":false,\"from\":null,\"to\":null,\"note\":\"" +
          restore_window(without_archive).note + "\",\"text\":\"" + describe_window(without_archive) +
          "\"},\"problems\":[]}],\"problems\":[{\"where\":\"snapshots/stray\",\"offset\":null,\"what\":"
          "\"not a snapshot\"}]}\n");
}

TEST_CASE("describe_server_compare --json, every key with its type") {
  ServerCompareReport r;
  r.source = "db1:3306";
  r.target = "db2:3306";
  r.gtid = "0-1-5";
  r.target_is_replica = true;
  r.tables = 3;
  r.tables_equal_by_checksum = 1;
  r.chunks = 4;
  r.source_rows = 1000;
  r.lock_seconds = 0.5;
  r.problems.push_back({"`a`.`b`", std::nullopt, "only on the source"});
  r.chunk_differences.push_back({"`a`.`t`", "`id` < 10", 9, 8});
  r.row_differences.push_back({"`a`.`t`", "id=3", "only on the source"});
  CHECK(describe_server_compare(r, true) ==
        "{\"ok\":false,\"source\":\"db1:3306\",\"target\":\"db2:3306\",\"gtid\":\"0-1-5\",\"target_is_"
        "replica\":"
        "true,\"tables\":3,\"tables_equal_by_checksum\":1,\"chunks\":4,\"source_rows\":1000,\"lock_seconds\":"
        "0.5,"
        "\"differing_chunks\":[{\"table\":\"`a`.`t`\",\"range\":\"`id` < "
        "10\",\"source_rows\":9,\"target_rows\":"
        "8}],\"differing_rows\":[{\"table\":\"`a`.`t`\",\"key\":\"id=3\",\"what\":\"only on the source\"}],"
        "\"problems\":[{\"where\":\"`a`.`b`\",\"offset\":null,\"what\":\"only on the source\"}]}\n");
}

}  // namespace
}  // namespace mzl::verify
