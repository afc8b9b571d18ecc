// mzl-snapshot prune run as a real process over a repository that mzl-snapshot and mzl-binlog-tail wrote from
// the sandbox primary: the pruned snapshots are gone, the kept snapshot and the binlogs from its coordinates
// on are byte for byte what they were, mzl-verify still passes, and --dry-run changes nothing at all. The
// expectations come from the file system before the run, not from prune's own plan.
#include <algorithm>
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "mzl/snapshot/manifest.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "sandbox.h"
#include "snapshot_test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kScratch = "prune-tool-tests";
constexpr const char* kSource = "primary";

// Every file of the repository (relative path -> content).
std::map<std::string, std::string> repository_files(const fs::path& repo) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(repo)) {
    if (!entry.is_regular_file()) continue;
    files[fs::relative(entry.path(), repo).string()] = file_text(entry.path());
  }
  return files;
}

void write_transactions(MysqlConnection& db, int n) {
  for (int i = 0; i < n; ++i) db.query(fmt::format("INSERT INTO prune_tool.t (v) VALUES ('row {}')", i));
}

TEST_CASE(
    "mzl-snapshot prune: a real repository keeps its kept snapshot's binlogs, --dry-run touches nothing") {
  const fs::path dir = sandbox_scratch_dir(kScratch, "policy");
  const fs::path repo = dir / "repo";
  auto db = connect(primary_server());
  db.query("DROP DATABASE IF EXISTS prune_tool");
  db.query("CREATE DATABASE prune_tool");
  db.query("CREATE TABLE prune_tool.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100))");
  db.query("FLUSH BINARY LOGS");
  const std::string first_file = db.query("SHOW MASTER STATUS").at(0).at(0);

  // Three snapshots, each in a binlog file of its own, with writes between them.
  std::vector<std::string> snapshot_files;  // the binlog file each snapshot starts in
  for (int i = 0; i < 3; ++i) {
    write_transactions(db, 10);
    snapshot_files.push_back(db.query("SHOW MASTER STATUS").at(0).at(0));
    ToolResult snap = run_program(tool_binary("mzl-snapshot"),
                                  snapshot_args(repo, {"--source", kSource, "--databases", "prune_tool"}),
                                  dir / fmt::format("snapshot{}", i));
    INFO(snap.err);
    REQUIRE(snap.exit_code == 0);
    db.query("FLUSH BINARY LOGS");
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // ids a second apart
  }
  write_transactions(db, 10);
  ToolResult tail =
      run_program(tool_binary("mzl-binlog-tail"),
                  {"--defaults-file", primary_server().defaults_file.string(), "--repo", repo.string(),
                   "--source", kSource, "--server-id", "7402", "--start-file", first_file},
                  dir / "tail");
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);

  auto ids = snapshot::list_snapshot_ids(repo.string());
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    auto manifest = snapshot::read_manifest(snapshot::snapshot_dir(repo.string(), (*ids)[i]));
    REQUIRE(manifest.ok());
    REQUIRE(fs::path(manifest->binlog.file).filename().string() == snapshot_files[i]);
  }
  const std::map<std::string, std::string> before = repository_files(repo);
  const std::string archive = fmt::format("binlogs/{}/", kSource);
  REQUIRE(before.count(archive + first_file));

  ToolResult dry =
      run_program(tool_binary("mzl-snapshot"),
                  {"prune", "--repo", repo.string(), "--keep-last", "1", "--dry-run"}, dir / "dry");
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK(repository_files(repo) == before);

  ToolResult prune = run_program(tool_binary("mzl-snapshot"),
                                 {"prune", "--repo", repo.string(), "--keep-last", "1"}, dir / "prune");
  INFO(prune.err);
  REQUIRE(prune.exit_code == 0);
  const std::map<std::string, std::string> after = repository_files(repo);

  const std::string kept = ids->back();
  CHECK_FALSE(fs::exists(repo / "snapshots" / (*ids)[0]));
  CHECK_FALSE(fs::exists(repo / "snapshots" / (*ids)[1]));
  for (const auto& [path, content] : before) {
    const bool in_kept_snapshot = path.rfind("snapshots/" + kept + "/", 0) == 0;
    const bool binlog = path.rfind(archive + "mariadb-bin.", 0) == 0;
    const std::string file = binlog ? fs::path(path).filename().string() : "";
    // Binlog names sort in file order (same width numbers); ".lz4" copies sort with their file.
    const bool needed_binlog = binlog && file >= snapshot_files.back();
    const bool older_binlog = binlog && file < snapshot_files.back();
    INFO(path);
    if (in_kept_snapshot || needed_binlog || path == archive + "state.json") {
      REQUIRE(after.count(path) == 1);
      CHECK(after.at(path) == content);
    } else if (older_binlog) {
      CHECK(after.count(path) == 0);
    }
  }
  // Prune creates nothing but its record of the newest binlog file it removed: the newest of those that were
  // in the archive before and are gone now.
  std::string newest_removed;
  for (const auto& [path, content] : before) {
    if (path.rfind(archive + "mariadb-bin.", 0) != 0 || after.count(path)) continue;
    std::string file = fs::path(path).filename().string();
    if (file.ends_with(".lz4")) file.resize(file.size() - 4);
    newest_removed = std::max(newest_removed, file);
  }
  REQUIRE_FALSE(newest_removed.empty());
  for (const auto& [path, content] : after) {
    INFO(path);
    if (path == archive + "pruned_through") {
      CHECK(content == newest_removed + "\n");
      continue;
    }
    CHECK(before.count(path) == 1);
  }
  CHECK(after.count(archive + "pruned_through") == 1);

  ToolResult verified = run_program(tool_binary("mzl-verify"), {"--repo", repo.string()}, dir / "verify");
  INFO(verified.out + verified.err);
  // Prune records the newest file it removed (binlogs/<source>/pruned_through), so verify does not report
  // the files that state.json still lists as missing.
  CHECK(verified.exit_code == 0);
}

TEST_CASE("programs that read a repository refuse a directory that is not one (exit 2)") {
  const fs::path dir = sandbox_scratch_dir(kScratch, "not-a-repository");
  const fs::path other = dir / "etc";
  fs::create_directories(other);
  std::ofstream(other / "passwd") << "root:x:0:0\n";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"list", "--repo", other.string()}, {"prune", "--repo", other.string(), "--keep-last", "1"}}) {
    ToolResult r = run_program(tool_binary("mzl-snapshot"), args, dir / args.front());
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("not a backup repository") != std::string::npos);
  }
  ToolResult verified = run_program(tool_binary("mzl-verify"), {"--repo", other.string()}, dir / "verify");
  CHECK(verified.exit_code == 2);
  CHECK(verified.err.find("not a backup repository") != std::string::npos);
  CHECK(fs::exists(other / "passwd"));
  CHECK(std::distance(fs::directory_iterator(other), fs::directory_iterator()) == 1);
}

}  // namespace
}  // namespace mzl::test
