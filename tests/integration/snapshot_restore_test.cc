// mzl-snapshot judged by loading its output back (lib/mzl/restore, the loader mzl-pitr-restore uses):
//  - taken while sysbench writes, the snapshot equals, table by table (CHECKSUM TABLE), a replica stopped at
//    exactly the snapshot's recorded GTID: every table is at the same instant, and that instant is the
//    recorded binlog point;
//  - every kind of column value comes back exactly, from a directory and from the tar stream.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <thread>

#include "mzl/load/snapshot_loader.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/input_stream.h"
#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kScratch = "snapshot-restore-tests";

fs::path take_snapshot(const fs::path& repo, const fs::path& log, std::vector<std::string> more) {
  ToolResult run = run_program(tool_binary("mzl-snapshot"), snapshot_args(repo, std::move(more)), log);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto ids = snapshot::list_snapshot_ids(repo.string());
  REQUIRE(ids.ok());
  REQUIRE(!ids->empty());
  return fs::path(snapshot::snapshot_dir(repo.string(), ids->back()));
}

std::string checksum(MysqlConnection& db, const std::string& table) {
  return db.query("CHECKSUM TABLE " + table + " EXTENDED").at(0).at(1);
}

TEST_CASE("mzl-snapshot under sysbench writes: equal to a replica stopped at the snapshot's GTID") {
  const SandboxServer primary = primary_server();
  const SandboxServer replica = sandbox_server(2);
  auto p = connect(primary);
  auto r = connect(replica);
  // The test's own writes on the replica (the restored copy) stay out of its binlog: a local GTID would break
  // the replica's GTID strict mode when replication resumes.
  r.query("SET SESSION sql_log_bin = 0");
  p.query("DROP DATABASE IF EXISTS sbcons");
  p.query("CREATE DATABASE sbcons");
  const fs::path dir = sandbox_scratch_dir(kScratch, "consistency");
  REQUIRE(run_program("/usr/bin/sysbench",
                      sysbench_args(primary, "sbcons",
                                    {"--tables=4", "--table-size=20000", "oltp_write_only", "prepare"}),
                      dir / "prepare")
              .exit_code == 0);
  wait_replica_caught_up(2);
  r.query("STOP SLAVE");

  // Writes go on during both snapshots (commits are blocked for a moment while each opens its transactions).
  ToolProcess load("/usr/bin/sysbench",
                   sysbench_args(primary, "sbcons",
                                 {"--tables=4", "--table-size=20000", "--threads=4", "--time=15",
                                  "--report-interval=0", "oltp_write_only", "run"}),
                   dir / "sysbench");
  std::this_thread::sleep_for(milliseconds(2000));
  const fs::path repo = dir / "repo";
  std::vector<fs::path> snapshots;
  snapshots.push_back(take_snapshot(repo, dir / "take1",
                                    {"--databases", "sbcons", "--threads", "4", "--chunk-rows", "5000"}));
  std::this_thread::sleep_for(milliseconds(1500));
  snapshots.push_back(take_snapshot(repo, dir / "take2", {"--databases", "sbcons", "--threads", "2"}));
  auto status = load.wait_for(milliseconds(120000));
  REQUIRE(status.has_value());
  REQUIRE(WIFEXITED(*status));
  REQUIRE(WEXITSTATUS(*status) == 0);

  for (const fs::path& snap : snapshots) {
    auto manifest = snapshot::read_manifest(snap.string());
    REQUIRE(manifest.ok());
    INFO("snapshot " << manifest->id << " at " << manifest->binlog.gtid << ", lock "
                     << manifest->lock.method);
    REQUIRE(!manifest->binlog.gtid.empty());
    // The replica applies exactly up to the snapshot's GTID and stops there (its SQL thread ends at it).
    r.query(fmt::format("START SLAVE UNTIL master_gtid_pos = '{}'", manifest->binlog.gtid));
    for (int i = 0; i < 600 && r.scalar("SELECT @@global.gtid_slave_pos") != manifest->binlog.gtid; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    REQUIRE(r.scalar("SELECT @@global.gtid_slave_pos") == manifest->binlog.gtid);
    r.query("STOP SLAVE");

    r.query("DROP DATABASE IF EXISTS sbcons_restored");
    load::LoadOptions options;
    options.target = connection_to(replica);
    options.threads = 2;
    options.rename_databases = {{"sbcons", "sbcons_restored"}};
    options.write_binlog = false;  // a local write on a replica would break its GTID strict mode
    auto stats = load::load_snapshot_directory(snap.string(), options);
    INFO((stats.ok() ? std::string() : stats.error().to_string()));
    REQUIRE(stats.ok());
    for (int t = 1; t <= 4; ++t) {
      const std::string name = fmt::format("sbtest{}", t);
      INFO(name);
      CHECK(checksum(r, "sbcons_restored." + name) == checksum(r, "sbcons." + name));
    }
    r.query("DROP DATABASE sbcons_restored");
  }
  // The replica catches up with everything sysbench wrote (one applier thread: give it time).
  r.query("START SLAVE");
  wait_replica_caught_up(2, 600);
}

// Each column with a value that a careless dump gets wrong. Compared row by row with NULL-safe equality.
TEST_CASE("mzl-snapshot: every column value round-trips exactly, from a directory and from a stream") {
  auto p = connect(primary_server());
  p.query("DROP DATABASE IF EXISTS `snap types`");
  p.query("CREATE DATABASE `snap types`");
  p.query(R"(CREATE TABLE `snap types`.`t``1` (
      id INT PRIMARY KEY,
      f FLOAT, d DOUBLE, dec1 DECIMAL(65,30), b1 BIT(1), b64 BIT(64),
      dt DATETIME(6), ts TIMESTAMP(3) NULL, tm TIME(4), y YEAR, dte DATE,
      e ENUM('a','b','c d'), s SET('x','y','z'),
      c_latin1 VARCHAR(20) CHARACTER SET latin1, c_utf8 VARCHAR(20) CHARACTER SET utf8mb4,
      bin VARBINARY(40), bl BLOB, j JSON, g GEOMETRY NULL, pt POINT NULL,
      inv INT INVISIBLE DEFAULT 7,
      gen INT AS (id * 2) VIRTUAL, gen_s VARCHAR(30) AS (CONCAT('g', id)) STORED,
      `sp ace.dot` INT) ENGINE=InnoDB)");
  p.query(R"(INSERT INTO `snap types`.`t``1`
      (id, f, d, dec1, b1, b64, dt, ts, tm, y, dte, e, s, c_latin1, c_utf8, bin, bl, j, g, pt, inv, `sp ace.dot`) VALUES
      (1, 0.1, 0.1, 12345678901234567890123456789012345.123456789012345678901234567891, b'1', b'1111111111111111111111111111111111111111111111111111111111111111',
       '2026-11-22 04:05:06.123456', '2038-01-19 03:14:07.999', '-838:59:59.0000', 2155, '1000-01-01', 'c d', 'x,z',
       _latin1 x'e9e8', 'ü€😀', x'00090a0d5c1a4e', x'5c4e', '{"a": [1, 2.5, "x"], "b": null}',
       ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), POINT(1.5, -2.25), 0, -1),
      (2, -3.4028234e38, 1.7976931348623157e308, -0.000000000000000000000000000001, b'0', b'0',
       '0000-00-00 00:00:00', NULL, '00:00:00', 1901, '9999-12-31', 'a', '', '', '', '', '', '[]', NULL, NULL, NULL, 0),
      (3, 1.17549435e-38, 4.9e-324, 0, NULL, NULL, NULL, '1970-01-01 00:00:01', NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, 5, NULL),
      (4, 3.14159274, 2.718281828459045, 1, b'1', b'10', '2000-02-29 23:59:59.5', '2000-01-01 00:00:00', '12:00:00.0001',
       2000, '2000-02-29', 'b', 'x,y,z', 'tab	in', 'new
line', x'5c', x'00', '"\\N"', NULL, NULL, 1, 1))");
  p.query("INSERT INTO `snap types`.`t``1` (id, bl, c_utf8) VALUES (5, '\\\\N', '\\\\N')");
  // A session time zone other than UTC: TIMESTAMPs must still come back as the same instants.
  p.query("SET GLOBAL time_zone = '+05:00'");
  struct ResetTimeZone {
    MysqlConnection& db;
    ~ResetTimeZone() { db.query("SET GLOBAL time_zone = 'SYSTEM'"); }
  } reset_time_zone{p};

  const fs::path dir = sandbox_scratch_dir(kScratch, "types");
  const fs::path snap = take_snapshot(dir / "repo", dir / "take", {"--databases", "snap types"});
  // The same snapshot as a stream, written by the tool to stdout.
  ToolResult stream_run = run_program(tool_binary("mzl-snapshot"),
                                      {"--defaults-file", primary_server().defaults_file.string(), "--output",
                                       "-", "--databases", "snap types", "--compress", "zstd"},
                                      dir / "stream");
  REQUIRE(stream_run.exit_code == 0);

  for (const std::string target : {"snap types dir", "snap types stream"}) {
    INFO(target);
    p.query(fmt::format("DROP DATABASE IF EXISTS `{}`", target));
    load::LoadOptions options;
    options.target = connection_to(primary_server());
    options.rename_databases = {{"snap types", target}};
    Result<load::LoadStats> stats = Error(ErrorCode::kInternal, "not run");
    if (target.ends_with("dir")) {
      stats = load::load_snapshot_directory(snap.string(), options);
    } else {
      auto in = open_input((dir / "stream.out").string());
      REQUIRE(in.ok());
      stats = load::load_snapshot_stream(**in, options);
    }
    INFO((stats.ok() ? std::string() : stats.error().to_string()));
    REQUIRE(stats.ok());
    CHECK(stats->rows == 5);
    const std::string a = "`snap types`.`t``1`";
    const std::string b = fmt::format("`{}`.`t``1`", target);
    CHECK(p.scalar(fmt::format("SELECT COUNT(*) FROM {}", b)) == "5");
    // Every column NULL-safe equal, including the invisible and generated ones.
    std::string all_equal;
    for (const char* c :
         {"f",        "d",      "dec1", "b1", "b64", "dt", "ts", "tm",  "y",   "dte",   "e",           "s",
          "c_latin1", "c_utf8", "bin",  "bl", "j",   "g",  "pt", "inv", "gen", "gen_s", "`sp ace.dot`"}) {
      std::string col = c;
      std::string cmp = col == "g" || col == "pt"
                            ? fmt::format("ST_AsBinary(x.{0}) <=> ST_AsBinary(y.{0})", col)
                            : fmt::format("x.{0} <=> y.{0}", col);
      std::string bytes = fmt::format("HEX(x.{0}) <=> HEX(y.{0})", col);
      auto differing = p.query(fmt::format(
          "SELECT x.id FROM {} x JOIN {} y USING (id) WHERE NOT ({}) OR NOT ({})", a, b, cmp, bytes));
      INFO("column " << col);
      CHECK(differing.empty());
    }
    CHECK(p.scalar(fmt::format("SELECT COUNT(*) FROM {} x JOIN {} y USING (id) WHERE x.ts <=> y.ts", a, b)) ==
          "5");
    p.query(fmt::format("DROP DATABASE `{}`", target));
  }
}

}  // namespace
}  // namespace mzl::test
