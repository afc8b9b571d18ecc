// mzl-snapshot run as a real process against the sandbox primary: the manifest describes exactly what the
// server holds (row counts, files with their real SHA-256, coordinates equal to the server's), files are
// private, the tar stream holds the same files with the manifest last, and a snapshot killed (SIGKILL) or
// stopped (SIGTERM) at any point never leaves a complete-looking snapshot behind.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr const char* kScratch = "snapshot-tool-tests";

// sha256sum's verdict on a file: an independent check of the manifest's digests.
std::string sha256_of(const fs::path& file, const fs::path& log) {
  ToolResult r = run_program("/usr/bin/sha256sum", {file.string()}, log);
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, 64);
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

void create_basic_database(MysqlConnection& db) {
  db.query("DROP DATABASE IF EXISTS snap_basic");
  db.query("CREATE DATABASE snap_basic");
  db.query("CREATE TABLE snap_basic.big (id INT PRIMARY KEY, v VARCHAR(100), n INT NULL) ENGINE=InnoDB");
  db.query(
      "INSERT INTO snap_basic.big SELECT seq, CONCAT('row ', seq, '\\t\\n\\\\'), IF(seq % 7 = 0, NULL, seq) "
      "FROM snap_basic.seq_1_to_6000");
  db.query("ANALYZE TABLE snap_basic.big");
  db.query("CREATE TABLE snap_basic.`odd name``s` (k VARCHAR(10) PRIMARY KEY, b BLOB) ENGINE=InnoDB");
  db.query("INSERT INTO snap_basic.`odd name``s` VALUES ('a', 0x00010203), ('', ''), ('n', NULL)");
  db.query("CREATE TABLE snap_basic.nokey (a INT, b TEXT) ENGINE=InnoDB");
  db.query("INSERT INTO snap_basic.nokey VALUES (1, 'x'), (1, 'x'), (NULL, NULL)");
  db.query("CREATE TABLE snap_basic.plain (id INT PRIMARY KEY, t VARCHAR(10)) ENGINE=MyISAM");
  db.query("INSERT INTO snap_basic.plain VALUES (1, 'myisam'), (2, 'rows')");
  db.query("CREATE VIEW snap_basic.v_big AS SELECT id, v FROM snap_basic.big WHERE id < 10");
  db.query("CREATE PROCEDURE snap_basic.p() SELECT COUNT(*) FROM snap_basic.big");
  db.query(
      "CREATE TRIGGER snap_basic.t_big BEFORE INSERT ON snap_basic.big FOR EACH ROW SET NEW.n = NEW.n + 1");
}

fs::path only_snapshot(const fs::path& repo) {
  auto ids = snapshot::list_snapshot_ids(repo.string());
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 1);
  return fs::path(snapshot::snapshot_dir(repo.string(), ids->front()));
}

TEST_CASE(
    "mzl-snapshot: the manifest describes exactly what the server holds, files private and checksummed") {
  auto db = connect(primary_server());
  create_basic_database(db);
  const fs::path dir = sandbox_scratch_dir(kScratch, "basic");
  const fs::path repo = dir / "repo";
  ToolResult run = run_program(
      tool_binary("mzl-snapshot"),
      snapshot_args(repo, {"--databases", "snap_basic", "--threads", "3", "--chunk-rows", "1000", "--json"}),
      dir / "take");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // Nothing was written meanwhile (tests run serially): the recorded point is the server's current one.
  const auto master = db.query("SHOW MASTER STATUS");
  const std::string gtid = db.scalar("SELECT @@gtid_binlog_pos");

  const fs::path snap = only_snapshot(repo);
  auto manifest = snapshot::read_manifest(snap.string());
  REQUIRE(manifest.ok());
  CHECK(manifest->binlog.file == master.at(0).at(0));
  CHECK(std::to_string(manifest->binlog.position) == master.at(0).at(1));
  CHECK(manifest->binlog.gtid == gtid);
  CHECK(manifest->server.server_id == std::stoul(db.scalar("SELECT @@server_id")));
  CHECK(manifest->server.flavour == "mariadb");
  // A MyISAM table is in the dump, so commits were blocked by FTWRL until it was copied.
  CHECK(manifest->lock.method == "flush_tables_with_read_lock");
  CHECK(manifest->lock.seconds > 0);
  CHECK(run.out.find("\"id\":\"" + manifest->id + "\"") != std::string::npos);

  std::map<std::string, uint64_t> rows;
  for (const auto& t : manifest->tables) rows[t.name] = t.rows;
  CHECK(rows ==
        std::map<std::string, uint64_t>{{"big", 6000}, {"odd name`s", 3}, {"nokey", 3}, {"plain", 2}});
  for (const auto& t : manifest->tables) {
    if (t.name == "big") CHECK(t.files.size() >= 4);  // split into key ranges of ~1000 rows
  }

  // Every file on disk is listed with its real size and SHA-256, nothing else is there, all private.
  std::set<std::string> on_disk;
  for (const auto& entry : fs::recursive_directory_iterator(snap)) {
    if (entry.is_directory()) {
      CHECK(mode_of(entry.path()) == 0700);
      continue;
    }
    CHECK(mode_of(entry.path()) == 0600);
    const std::string rel = fs::relative(entry.path(), snap).string();
    if (rel != "manifest.json") on_disk.insert(rel);
  }
  CHECK(mode_of(snap) == 0700);
  std::set<std::string> listed;
  for (const auto& f : manifest->files) {
    listed.insert(f.path);
    INFO(f.path);
    CHECK(fs::file_size(snap / f.path) == f.size);
    CHECK(sha256_of(snap / f.path, dir / "sha") == f.sha256);
  }
  CHECK(on_disk == listed);

  // schema.jsonl holds the view, the procedure and the trigger.
  std::string schema = file_text(snap / "schema.jsonl");
  std::set<std::string> kinds;
  for (size_t pos = 0; (pos = schema.find("\"kind\":\"", pos)) != std::string::npos;) {
    pos += 8;
    kinds.insert(schema.substr(pos, schema.find('"', pos) - pos));
  }
  CHECK(kinds.count("database") == 1);
  CHECK(kinds.count("table") == 1);
  CHECK(kinds.count("view") == 1);
  CHECK(kinds.count("procedure") == 1);
  CHECK(kinds.count("trigger") == 1);

  // `list` shows it.
  ToolResult list =
      run_program(tool_binary("mzl-snapshot"), {"list", "--repo", repo.string(), "--json"}, dir / "list");
  CHECK(list.exit_code == 0);
  CHECK(list.out.find(manifest->id) != std::string::npos);
}

TEST_CASE("mzl-snapshot --output -: a tar stream of the same files, manifest last, readable by GNU tar") {
  auto db = connect(primary_server());
  create_basic_database(db);
  const fs::path dir = sandbox_scratch_dir(kScratch, "stream");
  ToolResult run = run_program(tool_binary("mzl-snapshot"),
                               {"--defaults-file", primary_server().defaults_file.string(), "--output", "-",
                                "--databases", "snap_basic", "--chunk-rows", "1000", "--compress", "zstd"},
                               dir / "stream");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const fs::path tar = dir / "stream.out";
  ToolResult listing = run_program("/usr/bin/tar", {"-tf", tar.string()}, dir / "tar-list");
  REQUIRE(listing.exit_code == 0);
  std::vector<std::string> members;
  for (size_t pos = 0, end; (end = listing.out.find('\n', pos)) != std::string::npos; pos = end + 1) {
    members.push_back(listing.out.substr(pos, end - pos));
  }
  REQUIRE(members.size() >= 3);
  const std::string id = members.front().substr(0, members.front().find('/'));
  CHECK(snapshot::is_snapshot_id(id));
  CHECK(members.front() == id + "/schema.jsonl");
  CHECK(members.back() == id + "/manifest.json");

  const fs::path extracted = dir / "x";
  fs::create_directories(extracted);
  REQUIRE(
      run_program("/usr/bin/tar", {"-xf", tar.string(), "-C", extracted.string()}, dir / "tar-x").exit_code ==
      0);
  auto manifest = snapshot::read_manifest((extracted / id).string());
  REQUIRE(manifest.ok());
  CHECK(manifest->compression == snapshot::Compression::kZstd);
  CHECK(manifest->files.size() + 1 == members.size());
  for (const auto& f : manifest->files) {
    INFO(f.path);
    CHECK(sha256_of(extracted / id / f.path, dir / "sha") == f.sha256);
  }
  uint64_t rows = 0;
  for (const auto& t : manifest->tables) rows += t.rows;
  CHECK(rows == 6000 + 3 + 3 + 2);
}

// A snapshot large enough to take a few seconds: killed at random instants, then stopped with SIGTERM; no
// complete-looking snapshot may appear, and the next run cleans up and succeeds.
TEST_CASE("mzl-snapshot: SIGKILL or SIGTERM at any point never leaves a complete-looking snapshot") {
  auto db = connect(primary_server());
  db.query("DROP DATABASE IF EXISTS snap_kill");
  db.query("CREATE DATABASE snap_kill");
  for (int t = 1; t <= 3; ++t) {
    db.query(
        fmt::format("CREATE TABLE snap_kill.t{} (id INT PRIMARY KEY, pad VARCHAR(500)) ENGINE=InnoDB", t));
    db.query(fmt::format(
        "INSERT INTO snap_kill.t{} SELECT seq, REPEAT(MD5(seq), 15) FROM snap_basic.seq_1_to_60000", t));
  }
  const fs::path dir = sandbox_scratch_dir(kScratch, "kill");
  const fs::path repo = dir / "repo";
  const auto args = snapshot_args(repo, {"--databases", "snap_kill", "--threads", "2", "--chunk-rows",
                                         "10000", "--file-size", "1", "--compress", "none"});
  std::mt19937 random(20261122);
  for (int round = 0; round < 6; ++round) {
    const int sig = round == 5 ? SIGTERM : SIGKILL;
    ToolProcess process(tool_binary("mzl-snapshot"), args, dir / fmt::format("run{}", round));
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(30, 900)(random)));
    process.signal(sig);
    auto status = process.wait_for(milliseconds(60000));
    REQUIRE(status.has_value());
    INFO("round " << round << " stderr: " << process.err());
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) {
      // It finished before the signal: that snapshot is complete; start again from an empty repository.
      fs::remove_all(repo);
      continue;
    }
    auto ids = snapshot::list_snapshot_ids(repo.string());
    REQUIRE(ids.ok());
    CHECK(ids->empty());
    if (sig == SIGTERM) {
      CHECK(WIFEXITED(*status));
      CHECK(process.err().find("stopped by a signal") != std::string::npos);
    }
  }
  ToolResult last = run_program(tool_binary("mzl-snapshot"), args, dir / "final");
  INFO(last.err);
  REQUIRE(last.exit_code == 0);
  const fs::path snap = only_snapshot(repo);
  for (const auto& entry : fs::directory_iterator(repo / "snapshots")) {
    CHECK(entry.path().filename().string().rfind(".partial-", 0) != 0);
  }
  auto manifest = snapshot::read_manifest(snap.string());
  REQUIRE(manifest.ok());
  uint64_t rows = 0;
  for (const auto& t : manifest->tables) rows += t.rows;
  CHECK(rows == 180000);
}

}  // namespace
}  // namespace mzl::test

namespace mzl::test {
namespace {

fs::path write_cnf(const fs::path& path, unsigned port, const std::string& user, const std::string& password,
                   const std::string& host = "127.0.0.1") {
  std::ofstream out(path);
  out << "[client]\nhost=" << host << "\nport=" << port << "\nuser=" << user << "\npassword=" << password
      << "\n";
  out.close();
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  return path;
}

TEST_CASE(
    "mzl-snapshot: a wrong password or an unknown host is exit 3 naming the server, nothing is written") {
  const fs::path dir = sandbox_scratch_dir(kScratch, "errors");
  const fs::path repo = dir / "repo";
  const auto primary = primary_server();
  ToolResult denied = run_program(
      tool_binary("mzl-snapshot"),
      {"--defaults-file", write_cnf(dir / "bad.cnf", primary.port, "mzl", "not-the-password").string(),
       "--repo", repo.string()},
      dir / "denied");
  CHECK(denied.exit_code == 3);
  CHECK(denied.err.find("127.0.0.1") != std::string::npos);
  CHECK(denied.err.find("ccess denied") != std::string::npos);
  ToolResult unknown = run_program(
      tool_binary("mzl-snapshot"),
      {"--defaults-file", write_cnf(dir / "host.cnf", 3306, "mzl", "x", "no-such-host.invalid").string(),
       "--repo", repo.string(), "--connect-timeout", "5"},
      dir / "unknown");
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err.find("no-such-host.invalid") != std::string::npos);
  auto ids = snapshot::list_snapshot_ids(repo.string());
  REQUIRE(ids.ok());
  CHECK(ids->empty());
  ToolResult usage =
      run_program(tool_binary("mzl-snapshot"),
                  {"--defaults-file", primary.defaults_file.string(), "--threads", "0"}, dir / "usage");
  CHECK(usage.exit_code == 2);
}

// A full disk in the middle of the data: exit 4 naming the file, the partial snapshot removed, and the next
// run (with room) complete.
TEST_CASE("mzl-snapshot: a full disk is exit 4 naming the file and leaves no complete-looking snapshot") {
  auto db = connect(primary_server());
  db.query("DROP DATABASE IF EXISTS snap_full");
  db.query("CREATE DATABASE snap_full");
  db.query("CREATE TABLE snap_full.t (id INT PRIMARY KEY, pad VARCHAR(500)) ENGINE=InnoDB");
  db.query("INSERT INTO snap_full.t SELECT seq, REPEAT(MD5(seq), 15) FROM snap_full.seq_1_to_20000");
  const fs::path dir = sandbox_scratch_dir(kScratch, "full");
  const fs::path repo = dir / "repo";
  TmpfsMount mount(repo, "2m");
  const auto args = snapshot_args(repo, {"--databases", "snap_full", "--compress", "none"});
  ToolResult full = run_program(tool_binary("mzl-snapshot"), args, dir / "full");
  INFO(full.err);
  CHECK(full.exit_code == 4);
  CHECK(full.err.find("No space left on device") != std::string::npos);
  CHECK(full.err.find("snap_full") != std::string::npos);  // the data file's path names the database
  auto ids = snapshot::list_snapshot_ids(repo.string());
  REQUIRE(ids.ok());
  CHECK(ids->empty());
  for (const auto& entry : fs::directory_iterator(repo / "snapshots")) {
    CHECK(entry.path().filename().string().rfind(".partial-", 0) != 0);  // removed on the way out
  }
  mount.resize("64m");
  ToolResult again = run_program(tool_binary("mzl-snapshot"), args, dir / "again");
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  auto manifest = snapshot::read_manifest(only_snapshot(repo).string());
  REQUIRE(manifest.ok());
  REQUIRE(manifest->tables.size() == 1);
  CHECK(manifest->tables[0].rows == 20000);
}

// --metrics-file: what a snapshot taken says (its size and rows, as its manifest has them), and a failed run
// after it: success 0, the last success's time kept.
TEST_CASE(
    "mzl-snapshot --metrics-file: the run's outcome for an alert, the last success kept when one fails") {
  auto db = connect(primary_server());
  create_basic_database(db);
  const fs::path dir = sandbox_scratch_dir(kScratch, "metrics");
  const fs::path repo = dir / "repo", metrics = dir / "snapshot.prom";
  const auto before = std::chrono::system_clock::now();
  ToolResult taken = run_program(
      tool_binary("mzl-snapshot"),
      snapshot_args(repo, {"--databases", "snap_basic", "--metrics-file", metrics.string()}), dir / "taken");
  INFO(taken.err);
  REQUIRE(taken.exit_code == 0);
  auto manifest = snapshot::read_manifest(only_snapshot(repo).string());
  REQUIRE(manifest.ok());
  uint64_t bytes = 0;
  for (const auto& f : manifest->files) bytes += f.size;
  const std::string text = file_text(metrics);
  INFO(text);
  const auto value = [](const std::string& all, const std::string& name) {
    const auto at = all.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(all.substr(at + name.size() + 2));
  };
  CHECK(value(text, "mzl_snapshot_success") == 1);
  const double success_at = value(text, "mzl_snapshot_last_success_timestamp_seconds");
  CHECK(success_at >= static_cast<double>(std::chrono::system_clock::to_time_t(before)));
  CHECK(text.find(fmt::format("mzl_snapshot_bytes{{id=\"{}\"}} {}\n", manifest->id, bytes)) !=
        std::string::npos);
  CHECK(text.find(fmt::format("mzl_snapshot_rows{{id=\"{}\"}} 6008\n", manifest->id)) != std::string::npos);
  CHECK(text.find(fmt::format("mzl_snapshot_tables{{id=\"{}\"}} 4\n", manifest->id)) != std::string::npos);

  ToolResult failed = run_program(
      tool_binary("mzl-snapshot"),
      {"--defaults-file", write_cnf(dir / "bad.cnf", primary_server().port, "mzl", "wrong").string(),
       "--repo", repo.string(), "--metrics-file", metrics.string()},
      dir / "failed");
  CHECK(failed.exit_code == 3);
  const std::string after = file_text(metrics);
  INFO(after);
  CHECK(value(after, "mzl_snapshot_success") == 0);
  CHECK(value(after, "mzl_snapshot_last_success_timestamp_seconds") == success_at);
  CHECK(after.find("mzl_snapshot_bytes") == std::string::npos);
}

}  // namespace
}  // namespace mzl::test
