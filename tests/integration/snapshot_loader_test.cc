// The snapshot loader (load/snapshot_loader.h) against the sandbox primary, from a snapshot directory:
// every value and object comes back, renames and filters, damaged files refused, replication of the load,
// users and grants. The snapshot each test builds is described in snapshot_loader_support.h.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mzl/load/snapshot_loader.h"
#include "mzl/snapshot/manifest.h"
#include "sandbox.h"
#include "snapshot_loader_support.h"

namespace fs = std::filesystem;
using mzl::ErrorCode;
using namespace mzl::test;

TEST_CASE("snapshot loader: a directory loads value for value (lz4, zstd, none), objects after the data") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_dir";
  drop_database(c, db);
  const TestSnapshot s = make_test_snapshot(db);
  const fs::path dir = scratch_dir("dir");
  const auto manifest = write_snapshot(s, dir);

  std::vector<mzl::load::LoadProgress> reports;
  auto options = load_options();
  options.progress = [&](const mzl::load::LoadProgress& p) { reports.push_back(p); };
  auto stats = mzl::load::load_snapshot_directory(dir.string(), options);
  REQUIRE_OK(stats);
  CHECK(stats->manifest == manifest);
  CHECK(stats->databases == 1);
  CHECK(stats->tables == 4);
  CHECK(stats->objects == 6);
  CHECK(stats->files == 6);
  CHECK(stats->rows == total_rows(s));
  REQUIRE_FALSE(reports.empty());
  CHECK(reports.back().phase == "done");
  CHECK(reports.back().files_done == 6);
  CHECK(reports.back().rows == total_rows(s));

  check_loaded(c, db);
  check_trigger_fires(c, db);

  SECTION("a database that already holds tables is refused, and nothing in it changes") {
    const std::string before = c.scalar(fmt::format("CHECKSUM TABLE `{}`.t_plain", db));
    auto again = mzl::load::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::kInvalidArgument);
    CHECK_THAT(again.error().message, Catch::Contains(db));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_text", db)) == "7");
  }
}

TEST_CASE("snapshot loader: rename-database restores beside the original, which stays untouched") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_live", renamed = "mzl_load_copy";
  drop_database(c, db);
  drop_database(c, renamed);
  const TestSnapshot s = make_test_snapshot(db);
  const fs::path dir = scratch_dir("rename");
  write_snapshot(s, dir);
  auto options = load_options();
  REQUIRE(mzl::load::load_snapshot_directory(dir.string(), options).ok());
  c.query(fmt::format("UPDATE `{}`.t_plain SET v = 'live change' WHERE id = 1", db));
  const auto live_before =
      c.query(fmt::format("CHECKSUM TABLE `{0}`.t_text, `{0}`.t_numbers, `{0}`.t_plain", db));

  options.rename_databases = {{db, renamed}};
  options.threads = 3;
  auto stats = mzl::load::load_snapshot_directory(dir.string(), options);
  REQUIRE_OK(stats);
  check_loaded(c, renamed);
  check_trigger_fires(c, renamed);
  CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.audit", db)) == "0");
  CHECK(c.query(fmt::format("CHECKSUM TABLE `{0}`.t_text, `{0}`.t_numbers, `{0}`.t_plain", db)) ==
        live_before);
  CHECK(c.scalar(fmt::format("SELECT v FROM `{}`.t_plain WHERE id = 1", renamed)) == "plain 1");
  CHECK(c.scalar(fmt::format("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE "
                             "SCHEMA_NAME = '{}'",
                             renamed)) == "latin1");
  drop_database(c, db);
}

TEST_CASE("snapshot loader: filters load only the tables asked for") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_filter";
  drop_database(c, db);
  const fs::path dir = scratch_dir("filter");
  const TestSnapshot s = make_test_snapshot(db);
  write_snapshot(s, dir);
  auto options = load_options();
  options.tables = {db + ".t_plain", db + ".v_ansi"};
  auto stats = mzl::load::load_snapshot_directory(dir.string(), options);
  REQUIRE_OK(stats);
  CHECK(stats->rows == 50);
  CHECK(column(c,
               fmt::format("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}' ORDER "
                           "BY TABLE_NAME",
                           db)) == std::vector<std::string>{"t_plain", "v_ansi"});
  options.tables = {db + ".nope"};
  auto missing = mzl::load::load_snapshot_directory(dir.string(), options);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  drop_database(c, db);
}

TEST_CASE(
    "snapshot loader: a corrupted or truncated data file is refused, naming the file, its rows rolled back") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_corrupt";
  const fs::path dir = scratch_dir("corrupt");
  const TestSnapshot s = make_test_snapshot(db);
  const auto manifest = write_snapshot(s, dir);
  const std::string plain =
      fmt::format("data/{}/t_plain.00000.000.tsv", mzl::snapshot::file_name_component(db));

  SECTION("one changed byte, same size (SHA-256)") {
    drop_database(c, db);
    std::vector<uint8_t> bytes = file_bytes(dir / plain);
    bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == '7' ? '8' : '7';
    std::ofstream(dir / plain, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto stats = mzl::load::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kChecksumMismatch);
    CHECK_THAT(stats.error().to_string(), Catch::Contains(plain));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_plain", db)) == "0");
  }
  SECTION("a truncated lz4 file") {
    drop_database(c, db);
    const std::string text =
        fmt::format("data/{}/t_text.00000.001.tsv.lz4", mzl::snapshot::file_name_component(db));
    fs::resize_file(dir / text, fs::file_size(dir / text) - 5);
    auto stats = mzl::load::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK((stats.error().code == ErrorCode::kCorrupt || stats.error().code == ErrorCode::kChecksumMismatch));
    CHECK_THAT(stats.error().to_string(), Catch::Contains(text));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_text WHERE id >= 3", db)) == "0");
  }
  SECTION("a manifest whose row count differs") {
    drop_database(c, db);
    auto changed = manifest;
    for (auto& t : changed.tables) {
      if (t.name == "t_plain") t.files[0].rows = 49;
    }
    std::ofstream(dir / "manifest.json", std::ios::binary) << mzl::snapshot::encode_manifest(changed);
    auto stats = mzl::load::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kCorrupt);
    CHECK_THAT(stats.error().to_string(), Catch::Contains(plain));
    CHECK(c.scalar(fmt::format("SELECT COUNT(*) FROM `{}`.t_plain", db)) == "0");
  }
  SECTION("no manifest") {
    fs::remove(dir / "manifest.json");
    auto stats = mzl::load::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK(stats.error().code == ErrorCode::kNotFound);
  }
  drop_database(c, db);
}

TEST_CASE("snapshot loader: the restore reaches the target's replicas unless write_binlog is off") {
  auto primary = mzl::test::connect(mzl::test::primary_server());
  auto replica = mzl::test::connect(mzl::test::sandbox_server(2));
  const std::string logged = "mzl_load_logged", unlogged = "mzl_load_unlogged";
  drop_database(primary, logged);
  drop_database(primary, unlogged);
  const fs::path dir = scratch_dir("binlog");
  const TestSnapshot s = make_test_snapshot(logged);
  write_snapshot(s, dir);

  REQUIRE_OK(mzl::load::load_snapshot_directory(dir.string(), load_options()));
  auto options = load_options();
  options.rename_databases = {{logged, unlogged}};
  options.write_binlog = false;
  REQUIRE_OK(mzl::load::load_snapshot_directory(dir.string(), options));
  mzl::test::wait_replica_caught_up(2);
  check_loaded(replica, logged);
  CHECK(replica.scalar(fmt::format(
            "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{}'", unlogged)) == "0");
  check_loaded(primary, unlogged);
  drop_database(primary, logged);
  drop_database(primary, unlogged);
}

TEST_CASE("snapshot loader: users before the views they define, grants last (only with users)") {
  auto c = mzl::test::connect(mzl::test::primary_server());
  const std::string db = "mzl_load_users";
  drop_database(c, db);
  c.query("DROP USER IF EXISTS `mzl_load_user`@`localhost`");
  TestSnapshot s = make_test_snapshot(db);
  s.objects.push_back(
      object("view", db, "v_user",
             "CREATE ALGORITHM=UNDEFINED DEFINER=`mzl_load_user`@`localhost` SQL SECURITY DEFINER "
             "VIEW `v_user` AS select count(0) AS `n` from `t_plain`",
             "", "utf8mb4", "utf8mb4_general_ci"));
  // Reading a view whose DEFINER does not exist is error 1449, also while creating a view on it.
  s.objects.push_back(object("view", db, "v_user2",
                             "CREATE ALGORITHM=UNDEFINED DEFINER=`mzl`@`127.0.0.1` SQL SECURITY DEFINER VIEW "
                             "`v_user2` AS select `v_user`.`n` AS `n` from `v_user`",
                             "", "utf8mb4", "utf8mb4_general_ci"));
  s.objects.push_back(
      object("user", "", "`mzl_load_user`@`localhost`", "CREATE USER `mzl_load_user`@`localhost`"));
  s.objects.push_back(
      object("grant", "", "`mzl_load_user`@`localhost`",
             fmt::format("GRANT USAGE ON *.* TO `mzl_load_user`@`localhost`;\nGRANT SELECT ON "
                         "`{}`.`t_plain` TO `mzl_load_user`@`localhost`",
                         db)));
  const fs::path dir = scratch_dir("users");
  write_snapshot(s, dir);

  SECTION("without users the view's definer is missing") {
    auto stats = mzl::load::load_snapshot_directory(dir.string(), load_options());
    REQUIRE_FALSE(stats.ok());
    CHECK_THAT(stats.error().to_string(), Catch::Contains("v_user2") && Catch::Contains("mzl_load_user"));
    CHECK(c.scalar("SELECT COUNT(*) FROM mysql.user WHERE user = 'mzl_load_user'") == "0");
  }
  SECTION("with users") {
    auto options = load_options();
    options.users = true;
    auto stats = mzl::load::load_snapshot_directory(dir.string(), options);
    REQUIRE_OK(stats);
    CHECK(stats->objects == 10);
    check_loaded(c, db);
    CHECK(c.scalar(fmt::format("SELECT n FROM `{}`.v_user2", db)) == "50");
    CHECK(column(c, "SHOW GRANTS FOR `mzl_load_user`@`localhost`") ==
          std::vector<std::string>{
              "GRANT USAGE ON *.* TO `mzl_load_user`@`localhost`",
              fmt::format("GRANT SELECT ON `{}`.`t_plain` TO `mzl_load_user`@`localhost`", db)});
  }
  c.query("DROP USER IF EXISTS `mzl_load_user`@`localhost`");
  drop_database(c, db);
}
