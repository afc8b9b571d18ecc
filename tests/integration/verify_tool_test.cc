// mzl-verify run as a real process over a repository that mzl-snapshot and mzl-binlog-tail wrote from the
// sandbox primary: an intact repository verifies (exit 0) with the restore window running from the
// snapshot's GTID to the server's last GTID; a flipped byte in an archived binlog, a flipped byte in a
// snapshot file and a missing binlog file are each found (exit 1) and named with file and offset; the
// one-piece modes (--snapshot, --binlog, a stream on stdin) and usage errors (exit 2).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "mzl/snapshot/snapshot_directory.h"
#include "sandbox.h"
#include "snapshot_test_support.h"
#include "test_support.h"
#include "tool_process.h"

namespace mzl::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kScratch = "verify-tool-tests";
constexpr const char* kSource = "primary";

ToolResult verify(const std::vector<std::string>& args, const fs::path& log,
                  const std::optional<fs::path>& stdin_file = std::nullopt) {
  return run_program(tool_binary("mzl-verify"), args, log, {}, std::chrono::milliseconds(300000), stdin_file);
}

void write_transactions(MysqlConnection& db, int n) {
  for (int i = 0; i < n; ++i)
    db.query(fmt::format("INSERT INTO verify_tool.t (v) VALUES (REPEAT('x', {}))", i));
}

struct Repository {
  fs::path dir;
  fs::path repo;
  std::string snapshot_id;
  std::string snapshot_gtid;  // @@gtid_binlog_pos when the snapshot was taken (nothing else writes then)
  std::string end_gtid;       // @@gtid_binlog_pos after the last write
  std::vector<std::string> archived;  // the archive's binlog file names, in order
};

// Writes rows, rotates, takes a snapshot, writes more over three more binlog files, then archives the
// primary's binlogs from the file the snapshot starts in.
Repository build_repository(const std::string& name) {
  Repository r;
  r.dir = sandbox_scratch_dir(kScratch, name);
  r.repo = r.dir / "repo";
  auto db = connect(primary_server());
  db.query("DROP DATABASE IF EXISTS verify_tool");
  db.query("CREATE DATABASE verify_tool");
  db.query("CREATE TABLE verify_tool.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100))");
  db.query("INSERT INTO verify_tool.t (v) SELECT CONCAT('row ', seq) FROM verify_tool.seq_1_to_3000");
  db.query("FLUSH BINARY LOGS");
  const std::string first_file = db.query("SHOW MASTER STATUS").at(0).at(0);
  write_transactions(db, 5);
  r.snapshot_gtid = db.scalar("SELECT @@gtid_binlog_pos");
  ToolResult snap = run_program(tool_binary("mzl-snapshot"),
                                snapshot_args(r.repo, {"--source", kSource, "--databases", "verify_tool"}),
                                r.dir / "snapshot");
  INFO(snap.err);
  REQUIRE(snap.exit_code == 0);
  auto ids = snapshot::list_snapshot_ids(r.repo.string());
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 1);
  r.snapshot_id = ids->front();
  for (int file = 0; file < 3; ++file) {
    write_transactions(db, 20);
    db.query("FLUSH BINARY LOGS");
  }
  write_transactions(db, 7);
  r.end_gtid = db.scalar("SELECT @@gtid_binlog_pos");
  ToolResult tail =
      run_program(tool_binary("mzl-binlog-tail"),
                  {"--defaults-file", primary_server().defaults_file.string(), "--repo", r.repo.string(),
                   "--source", kSource, "--server-id", "7401", "--start-file", first_file},
                  r.dir / "tail");
  INFO(tail.err);
  REQUIRE(tail.exit_code == 0);
  for (const auto& entry : fs::directory_iterator(r.repo / "binlogs" / kSource)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind("mariadb-bin.", 0) == 0) r.archived.push_back(file);
  }
  std::sort(r.archived.begin(), r.archived.end());
  REQUIRE(r.archived.size() >= 4);
  REQUIRE(r.archived.front() == first_file);
  return r;
}

// The offsets where events start in a binlog file, from the v4 header chain (magic, then event_size at byte
// 9 of each 19-byte header): the test's own reading of the format, independent of the codec.
std::vector<uint64_t> event_offsets(const std::vector<uint8_t>& file) {
  std::vector<uint64_t> offsets;
  uint64_t at = 4;
  while (at + 19 <= file.size()) {
    offsets.push_back(at);
    uint32_t size = 0;
    std::memcpy(&size, file.data() + at + 9, 4);
    REQUIRE(size >= 19);
    at += size;
  }
  return offsets;
}

void flip_byte(const fs::path& file, uint64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x20);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
  REQUIRE(f);
}

std::string json_string(const std::string& json, const std::string& key_pattern) {
  std::smatch m;
  REQUIRE(std::regex_search(json, m, std::regex(key_pattern + "\"\\s*:\\s*\"([^\"]*)\"")));
  return m[1].str();
}

TEST_CASE("mzl-verify: an intact repository verifies, restorable from the snapshot's GTID to the last one") {
  const Repository r = build_repository("intact");
  const fs::path metrics = r.dir / "verify.prom";
  ToolResult text = verify({"--repo", r.repo.string(), "--metrics-file", metrics.string()}, r.dir / "text");
  INFO(text.out << text.err);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find(fmt::format("snapshots/{}: ok", r.snapshot_id)) != std::string::npos);
  CHECK(text.out.find(fmt::format("binlogs/{}: ok ({} files", kSource, r.archived.size())) !=
        std::string::npos);
  CHECK(text.out.find(fmt::format("({}; snapshot {}) to ", r.snapshot_gtid, r.snapshot_id)) !=
        std::string::npos);
  CHECK(text.out.find(fmt::format("({})", r.end_gtid)) != std::string::npos);
  CHECK(text.out.find("verified: no problem found") != std::string::npos);

  const auto prom_bytes = read_file(metrics);
  const std::string prom(prom_bytes.begin(), prom_bytes.end());
  CHECK(prom.find("\nmzl_verify_success 1\n") != std::string::npos);
  CHECK(prom.find("\nmzl_verify_problems 0\n") != std::string::npos);
  CHECK(std::regex_search(prom, std::regex("mzl_verify_window_end_timestamp_seconds\\{source=\"primary\"\\} "
                                           "[1-9][0-9]{9}\n")));

  ToolResult json = verify({"--repo", r.repo.string(), "--json"}, r.dir / "json");
  INFO(json.out << json.err);
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"ok\":true") != std::string::npos);
  CHECK(json_string(json.out, "\"from\":\\{[^}]*\"gtid") == r.snapshot_gtid);
  CHECK(json_string(json.out, "\"to\":\\{[^}]*\"gtid") == r.end_gtid);

  // One piece at a time.
  ToolResult one = verify({"--repo", r.repo.string(), "--snapshot", r.snapshot_id}, r.dir / "one");
  CHECK(one.exit_code == 0);
  ToolResult files = verify({"--binlog", (r.repo / "binlogs" / kSource).string(), "--json"}, r.dir / "files");
  INFO(files.out << files.err);
  CHECK(files.exit_code == 0);
  CHECK(json_string(files.out, "\"to\":\\{[^}]*\"gtid") == r.end_gtid);

  // A snapshot stream on stdin: whole, then cut short.
  const fs::path stream = r.dir / "s.tar";
  ToolResult taken = run_program(tool_binary("mzl-snapshot"),
                                 {"--defaults-file", primary_server().defaults_file.string(), "--output", "-",
                                  "--databases", "verify_tool"},
                                 r.dir / "stream");
  REQUIRE(taken.exit_code == 0);
  { std::ofstream(stream, std::ios::binary) << taken.out; }
  ToolResult whole = verify({"-"}, r.dir / "whole", stream);
  INFO(whole.out << whole.err);
  CHECK(whole.exit_code == 0);
  fs::resize_file(stream, taken.out.size() / 2);
  ToolResult cut = verify({"-"}, r.dir / "cut", stream);
  INFO(cut.out << cut.err);
  CHECK(cut.exit_code == 1);
}

TEST_CASE("mzl-verify: a flipped byte in an archived binlog is named by file and event offset") {
  const Repository r = build_repository("binlog-damage");
  // A closed file in the middle: its second-to-last event (the last is the ROTATE).
  const std::string victim = r.archived[1];
  const fs::path path = r.repo / "binlogs" / kSource / victim;
  const auto offsets = event_offsets(read_file(path));
  REQUIRE(offsets.size() >= 4);
  const uint64_t event = offsets[offsets.size() - 2];
  flip_byte(path, event + 25);
  ToolResult run = verify({"--repo", r.repo.string()}, r.dir / "verify");
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find(fmt::format("binlogs/{}/{}:{}: ", kSource, victim, event)) != std::string::npos);
  CHECK(run.out.find("1 problem found") != std::string::npos);
  // The window ends before the damaged event: not at the server's last GTID any more.
  CHECK(run.out.find(fmt::format("({})", r.end_gtid)) == std::string::npos);
  CHECK(run.out.find("the window ends at the first problem") != std::string::npos);
}

TEST_CASE("mzl-verify: a missing binlog file and a damaged snapshot file are found") {
  const Repository r = build_repository("missing");
  fs::remove(r.repo / "binlogs" / kSource / r.archived[2]);
  fs::path data_file;
  for (const auto& entry : fs::recursive_directory_iterator(r.repo / "snapshots" / r.snapshot_id / "data")) {
    if (entry.is_regular_file()) data_file = entry.path();
  }
  REQUIRE(!data_file.empty());
  flip_byte(data_file, fs::file_size(data_file) / 2);
  ToolResult run = verify({"--repo", r.repo.string(), "--json"}, r.dir / "verify");
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("\"ok\":false") != std::string::npos);
  CHECK(run.out.find(fmt::format("\"where\":\"binlogs/{}/{}\"", kSource, r.archived[2])) !=
        std::string::npos);
  const std::string relative = fs::relative(data_file, r.repo).string();
  CHECK(run.out.find(fmt::format("\"where\":\"{}\"", relative)) != std::string::npos);
  CHECK(run.out.find("SHA-256") != std::string::npos);
  // The snapshot is damaged, so no intact snapshot remains to restore from.
  CHECK(run.out.find("\"restorable\":false") != std::string::npos);

  ToolResult one = verify({"--repo", r.repo.string(), "--snapshot", r.snapshot_id}, r.dir / "one");
  CHECK(one.exit_code == 1);
}

// Events of `file` whose type code is `type` (byte 4 of the v4 header), by offset.
std::vector<uint64_t> events_of_type(const std::vector<uint8_t>& file, uint8_t type) {
  std::vector<uint64_t> out;
  for (uint64_t at : event_offsets(file)) {
    if (file[at + 4] == type) out.push_back(at);
  }
  return out;
}

constexpr uint8_t kMariaGtidEvent = 162;

TEST_CASE("mzl-verify: each kind of damage to a real repository is named, exit 1") {
  const Repository r = build_repository("damage");
  const fs::path binlogs = r.repo / "binlogs" / kSource;
  const fs::path snapshot = r.repo / "snapshots" / r.snapshot_id;
  std::string expect_where;
  std::string expect_what;
  SECTION("a truncated binlog") {
    const fs::path victim = binlogs / r.archived[1];
    fs::resize_file(victim, fs::file_size(victim) - 10);
    expect_where = fmt::format("binlogs/{}/{}:", kSource, r.archived[1]);
  }
  SECTION("a GTID hole: one transaction's events cut out of a closed file") {
    const fs::path victim = binlogs / r.archived[1];
    auto bytes = read_file(victim);
    const auto gtids = events_of_type(bytes, kMariaGtidEvent);
    REQUIRE(gtids.size() >= 3);
    bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(gtids[1]),
                bytes.begin() + static_cast<std::ptrdiff_t>(gtids[2]));
    std::ofstream(victim, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    expect_where = fmt::format("binlogs/{}/{}:{}: ", kSource, r.archived[1], gtids[1]);
    expect_what = "GTID hole";
  }
  SECTION("a missing snapshot chunk") {
    fs::path chunk;
    for (const auto& e : fs::recursive_directory_iterator(snapshot / "data")) {
      if (e.is_regular_file()) chunk = e.path();
    }
    fs::remove(chunk);
    expect_where = fs::relative(chunk, r.repo).string() + ": ";
    expect_what = "missing";
  }
  SECTION("an extra file in a snapshot") {
    std::ofstream(snapshot / "notes.txt") << "left here by hand\n";
    expect_where = fmt::format("snapshots/{}/notes.txt: ", r.snapshot_id);
  }
  SECTION("a manifest edited by hand (a table's row count)") {
    const fs::path manifest = snapshot / "manifest.json";
    const auto bytes = read_file(manifest);
    std::string text(bytes.begin(), bytes.end());
    const std::string from = "\"rows\":3005";
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), "\"rows\":3004");
    std::ofstream(manifest, std::ios::binary | std::ios::trunc) << text;
    expect_where = fmt::format("snapshots/{}", r.snapshot_id);
    expect_what = "3004";
  }
  ToolResult run = verify({"--repo", r.repo.string()}, r.dir / "verify");
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("\n  " + expect_where) != std::string::npos);
  CHECK(run.out.find(expect_what) != std::string::npos);
  CHECK(run.out.find("verified: no problem found") == std::string::npos);
}

TEST_CASE("mzl-verify: usage errors exit 2, a repository that is not there exits 1") {
  const fs::path dir = sandbox_scratch_dir(kScratch, "usage");
  CHECK(verify({}, dir / "none").exit_code == 2);
  CHECK(verify({"--snapshot", "20261122T000000Z"}, dir / "no-repo").exit_code == 2);
  CHECK(verify({"--repo", dir.string(), "--snapshot", "20261122T000000Z", "--binlog", dir.string()},
               dir / "two")
            .exit_code == 2);
  CHECK(verify({"--no-such-flag"}, dir / "flag").exit_code == 2);
  ToolResult missing = verify({"--repo", (dir / "nothing-here").string()}, dir / "missing");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("nothing-here") != std::string::npos);
}

}  // namespace
}  // namespace mzl::test
