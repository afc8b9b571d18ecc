// The whole promise under chaos (issue 21): a primary and two replicas, the archiver as the primary's
// semi-synchronous replica, clients committing all along and logging every acknowledged commit
// (chaos_cluster.h). Each round injects one fault, drawn at random from a shuffled deck of every kind:
//   archiver_kill   SIGKILL of the archiver (its supervisor starts it again after 0.2-2 s)
//   snapshot_kill   SIGKILL of mzl-snapshot at a random moment; the next snapshot must complete
//   primary_kill    SIGKILL of the primary under the write load; mzl-promote fails over (gap fill from the
//                   archive), the old primary is started again and rejoined with --flashback
//   replica_kill    SIGKILL of a replica, started again after 0.3-1.5 s
//   proxy_cut       every connection to the primary cut (archiver, replicas, clients), 1-3 times
//   proxy_stall     every connection to the primary stalled for 1-4 s
//   disk_full       the repository's file system filled up for 2-4 s (a snapshot is tried meanwhile), then
//   freed snapshot_damage a byte of a snapshot file flipped on disk: mzl-verify --repo must find it and name
//   the file
// After each round: the clients commit again and the archive catches up (the time from the fault to that
// point is the fault's recovery time); mzl-verify --repo passes; a point-in-time restore to the latest point
// of the archive into a scratch server, the primary and both replicas each hold every commit acknowledged so
// far. One missing commit anywhere is a loss; the run fails on any loss.
//
// MZL_CHAOS_MINUTES (default 3) sets how long it runs (every fault kind at least once); MZL_CHAOS_SEED the
// seed (printed); MZL_CHAOS_REPORT a file for the report. tests/chaos/run --minutes N runs it by hand.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <signal.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chaos_cluster.h"
#include "watch_test_support.h"

namespace mzl::test::chaos {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kFaultKinds{"archiver_kill", "snapshot_kill",  "primary_kill",
                                           "replica_kill",  "proxy_cut",      "proxy_stall",
                                           "disk_full",     "snapshot_damage"};

struct Recovery {
  int count = 0;
  long long total_ms = 0, max_ms = 0;
};

struct Report {
  int rounds = 0;
  std::map<std::string, int> faults;
  std::map<std::string, Recovery> recovery;
  uint64_t acknowledged = 0, checked = 0, losses = 0;
  int snapshots_killed = 0, disk_full_refusals = 0, damage_found = 0;

  std::string text(unsigned seed, double minutes) const {
    std::string out =
        fmt::format("chaos report (seed {}, {:.1f} min)\nrounds: {}\nfaults:", seed, minutes, rounds);
    for (const auto& [kind, n] : faults) out += fmt::format(" {} {},", kind, n);
    out.back() = '\n';
    out += fmt::format(
        "commits acknowledged: {}\ncommits checked: {} (each acknowledged commit, after each round, "
        "on the restore, the primary and both replicas)\nlosses: {}\n",
        acknowledged, checked, losses);
    out += fmt::format(
        "snapshots killed mid-way: {}; snapshots refused on the full disk: {}; damage found and "
        "named by mzl-verify: {}\nrecovery time per fault kind (fault to commits archived again):\n",
        snapshots_killed, disk_full_refusals, damage_found);
    for (const auto& [kind, r] : recovery) {
      out += fmt::format("  {:<16} {:>3} x  avg {:>6} ms  max {:>6} ms\n", kind, r.count,
                         r.count ? r.total_ms / r.count : 0, r.max_ms);
    }
    return out;
  }
};

class ChaosRun {
 public:
  explicit ChaosRun(unsigned seed) : random_(seed) {}

  void take_snapshot() {
    ToolResult r = run_program(tool_binary("mzl-snapshot"), snapshot_args(), log("snapshot"));
    INFO("mzl-snapshot: " << r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }

  // One round: the fault, the recovery, the checks.
  void round(const std::string& kind) {
    ++report_.rounds;
    ++report_.faults[kind];
    const auto injected = Clock::now();
    if (kind == "archiver_kill") {
      cluster_.kill_archiver(std::chrono::milliseconds(pick(200, 2000)));
    } else if (kind == "snapshot_kill") {
      kill_snapshot();
    } else if (kind == "primary_kill") {
      fail_over();
    } else if (kind == "replica_kill") {
      kill_replica();
    } else if (kind == "proxy_cut") {
      for (int cuts = pick(1, 3); cuts > 0; --cuts) {
        cluster_.proxy(cluster_.primary()).cut();
        std::this_thread::sleep_for(std::chrono::milliseconds(pick(200, 800)));
      }
    } else if (kind == "proxy_stall") {
      cluster_.proxy(cluster_.primary()).stall(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(pick(1000, 4000)));
      cluster_.proxy(cluster_.primary()).stall(false);
    } else if (kind == "disk_full") {
      fill_disk();
    } else if (kind == "snapshot_damage") {
      damage_snapshot();
    }
    const std::vector<Commit> acknowledged = recover(kind, injected);
    check(acknowledged);
    if (report_.rounds % 4 == 0) take_snapshot();  // restores replay a bounded part of the archive
  }

  Report& report() {
    report_.acknowledged = cluster_.acknowledged_count();
    return report_;
  }

 private:
  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  fs::path log(const std::string& what) { return cluster_.logs() / fmt::format("{}-{}", what, ++logs_); }

  std::vector<std::string> snapshot_args() const {
    return {"--defaults-file", cluster_.cnf(cluster_.primary()).string(),
            "--repo",          cluster_.repo().string(),
            "--source",        "chaos",
            "--threads",       "2",
            "--compress",      "lz4"};
  }

  std::string primary_position() {
    return MysqlConnection(cluster_.cnf(cluster_.primary())).scalar("SELECT @@global.gtid_binlog_pos");
  }

  void kill_snapshot() {
    ToolProcess snapshot(tool_binary("mzl-snapshot"), snapshot_args(), log("snapshot-killed"));
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(20, 1500)));
    if (snapshot.running()) {
      snapshot.signal(SIGKILL);
      ++report_.snapshots_killed;
    }
    snapshot.wait_for(10s);
    take_snapshot();  // the next one completes, beside whatever the killed one left
  }

  void kill_replica() {
    std::vector<int> replicas;
    for (int i = 1; i <= kServers; ++i) {
      if (i != cluster_.primary()) replicas.push_back(i);
    }
    const int victim = replicas[static_cast<size_t>(pick(0, static_cast<int>(replicas.size()) - 1))];
    REQUIRE(::kill(cluster_.server_pid(victim), SIGKILL) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(300, 1500)));
    cluster_.start_server(victim);
    MysqlConnection(cluster_.cnf(victim)).query("SET GLOBAL read_only = 1");
  }

  // SIGKILL of the primary under the write load, then what the runbook says: mzl-promote (gap fill from the
  // archive), the new primary's semi-synchronous settings (a post-promotion hook's job), the old primary
  // started again and rejoined with --flashback.
  void fail_over() {
    const int old_primary = cluster_.primary();
    REQUIRE(::kill(cluster_.server_pid(old_primary), SIGKILL) == 0);
    const int other = old_primary % kServers + 1;
    ToolResult r = run_program(tool_binary("mzl-promote"),
                               {"--defaults-file", cluster_.cnf(other).string(), "--servers",
                                cluster_.servers_flag(), "--repo", cluster_.repo().string(), "--json"},
                               log("failover"));
    INFO("mzl-promote: exit " << r.exit_code << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("\"nothing_acknowledged_lost\":true"));
    const std::string marker = "\"new_primary\":{\"address\":\"";
    const auto at = r.out.find(marker);
    REQUIRE(at != std::string::npos);
    const auto begin = at + marker.size();
    const int promoted = cluster_.index_of(r.out.substr(begin, r.out.find('"', begin) - begin));
    REQUIRE(promoted != 0);
    REQUIRE(promoted != old_primary);
    cluster_.set_primary(promoted);

    cluster_.start_server(old_primary);
    ToolResult rejoin = run_program(
        tool_binary("mzl-promote"),
        {"--defaults-file", cluster_.cnf(promoted).string(), "--servers", cluster_.servers_flag(), "--repo",
         cluster_.repo().string(), "--rejoin", cluster_.address(old_primary), "--flashback"},
        log("rejoin"));
    INFO("mzl-promote --rejoin: exit " << rejoin.exit_code << "\n" << rejoin.out << rejoin.err);
    REQUIRE(rejoin.exit_code == 0);
    // The archiver follows the failover record by itself; one that joined the new primary before its
    // semi-synchronous settings were on is started again.
    if (!wait_until([&] { return cluster_.semi_sync_clients() == 1; }, 15s)) {
      WARN("the archiver is not the new primary's semi-synchronous replica after 15 s: restarting it");
      cluster_.restart_archiver();
      REQUIRE(wait_until([&] { return cluster_.semi_sync_clients() == 1; }, 30s));
    }
  }

  // The repository's file system is left with a few kB free for 2-4 s; a snapshot taken meanwhile must fail
  // with exit 4 and say so (or fit); then the space comes back.
  void fill_disk() {
    struct statvfs fs_stat {};
    REQUIRE(::statvfs(cluster_.repo().c_str(), &fs_stat) == 0);
    const uint64_t used = (fs_stat.f_blocks - fs_stat.f_bfree) * fs_stat.f_frsize;
    cluster_.repo_disk().resize(std::to_string(used + 16 * 1024));
    const auto until = Clock::now() + std::chrono::milliseconds(pick(2000, 4000));
    ToolResult r = run_program(tool_binary("mzl-snapshot"), snapshot_args(), log("snapshot-disk-full"));
    INFO("mzl-snapshot on a full disk: " << r.out << r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 4));
    if (r.exit_code == 4) {
      ++report_.disk_full_refusals;
      CHECK_THAT(r.err, Catch::Contains("No space left on device"));
    }
    std::this_thread::sleep_until(until);
    cluster_.repo_disk().resize("1g");
  }

  // A byte in the middle of a file of the newest complete snapshot, flipped: mzl-verify --repo exits 1 and
  // names the file; flipped back, the repository verifies again.
  void damage_snapshot() {
    fs::path newest;
    for (const auto& entry : fs::directory_iterator(cluster_.repo() / "snapshots")) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(".") || !fs::exists(entry.path() / "manifest.json")) continue;
      if (newest.empty() || name > newest.filename().string()) newest = entry.path();
    }
    REQUIRE_FALSE(newest.empty());
    std::vector<std::string> files;
    const std::string manifest = file_text(newest / "manifest.json");
    for (size_t at = manifest.find("\"path\":\""); at != std::string::npos;
         at = manifest.find("\"path\":\"", at + 1)) {
      const size_t begin = at + 8;
      const std::string path = manifest.substr(begin, manifest.find('"', begin) - begin);
      if (fs::file_size(newest / path) > 0) files.push_back(path);
    }
    REQUIRE_FALSE(files.empty());
    const std::string victim = files[static_cast<size_t>(pick(0, static_cast<int>(files.size()) - 1))];
    const auto flip = [&] {
      std::fstream f(newest / victim, std::ios::in | std::ios::out | std::ios::binary);
      const auto middle = static_cast<std::streamoff>(fs::file_size(newest / victim) / 2);
      char byte = 0;
      f.seekg(middle);
      f.get(byte);
      f.seekp(middle);
      f.put(static_cast<char>(byte ^ 0x5a));
    };
    flip();
    ToolResult r =
        run_program(tool_binary("mzl-verify"), {"--repo", cluster_.repo().string()}, log("verify-damaged"));
    INFO("mzl-verify on a damaged " << victim << ": " << r.out << r.err);
    CHECK(r.exit_code == 1);
    const bool named = (r.out + r.err).find(victim) != std::string::npos;
    CHECK(named);
    if (r.exit_code == 1 && named) ++report_.damage_found;
    flip();
  }

  // Until the clients commit again and the archive holds the primary's position; returns the commits
  // acknowledged by then (all of them are in the archive).
  std::vector<Commit> recover(const std::string& kind, Clock::time_point injected) {
    const size_t before = cluster_.acknowledged_count();
    INFO("after " << kind << ": the clients commit again");
    REQUIRE(wait_until([&] { return cluster_.acknowledged_count() > before; }, 120s));
    std::vector<Commit> acknowledged = cluster_.acknowledged();
    const uint64_t position = domain0_seq(primary_position());
    INFO("after " << kind << ": the archive reaches the primary's GTID sequence " << position);
    if (!wait_until([&] { return cluster_.archived_seq() >= position; }, 120s)) {
      FAIL("the archive is at GTID sequence " << cluster_.archived_seq() << "\n" << diagnosis());
    }
    const long long ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - injected).count();
    Recovery& r = report_.recovery[kind];
    ++r.count;
    r.total_ms += ms;
    r.max_ms = std::max(r.max_ms, ms);
    return acknowledged;
  }

  // What the primary and the network say, for a round that does not recover.
  std::string diagnosis() {
    std::string out;
    std::string error;
    if (auto c = MysqlConnection::try_connect(cluster_.cnf(cluster_.primary()), &error)) {
      for (const Row& row : c->query("SHOW FULL PROCESSLIST")) {
        out += fmt::format("  {}\n", fmt::join(row, " | "));
      }
      for (const Row& row : c->query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master%'")) {
        out += fmt::format("  {} = {}\n", row.at(0), row.at(1));
      }
    } else {
      out += "the primary does not answer: " + error + "\n";
    }
    ToolResult ss =
        run_program("/bin/sh",
                    {"-c", "ss -tnp | grep -E '" + std::to_string(cluster_.proxy(cluster_.primary()).port()) +
                               "|mzl' || true"},
                    log("ss"));
    out += ss.out;
    out += "archiver: " +
           file_text(cluster_.logs() / fmt::format("archiver-{}.err", cluster_.archiver_starts()));
    return out;
  }

  // Every acknowledged commit is where it should be: in a restore of the archive, on the primary and on both
  // replicas. A missing one is a loss, named.
  void check(const std::vector<Commit>& acknowledged) {
    ToolResult verify =
        run_program(tool_binary("mzl-verify"), {"--repo", cluster_.repo().string()}, log("verify"));
    INFO("mzl-verify --repo: " << verify.out << verify.err);
    CHECK(verify.exit_code == 0);

    MysqlConnection scratch(cluster_.scratch_cnf());
    scratch.query("DROP DATABASE IF EXISTS zl");
    scratch.query("DROP DATABASE IF EXISTS mzl");
    ToolResult restore = run_program(tool_binary("mzl-pitr-restore"),
                                     {"--defaults-file", cluster_.scratch_cnf().string(), "--repo",
                                      cluster_.repo().string(), "--to-latest"},
                                     log("restore"));
    INFO("mzl-pitr-restore --to-latest: " << restore.out << restore.err);
    REQUIRE(restore.exit_code == 0);
    count_losses("the restore", MysqlConnection(cluster_.scratch_cnf()), acknowledged);

    const std::string position = primary_position();
    for (int i = 1; i <= kServers; ++i) {
      MysqlConnection server(cluster_.cnf(i));
      if (i != cluster_.primary()) {
        INFO("replica " << cluster_.address(i) << " reaches " << position);
        REQUIRE(server.scalar(fmt::format("SELECT MASTER_GTID_WAIT('{}', 120)", position)) == "0");
      }
      count_losses(i == cluster_.primary() ? "the primary " + cluster_.address(i)
                                           : "the replica " + cluster_.address(i),
                   std::move(server), acknowledged);
    }
  }

  void count_losses(const std::string& where, MysqlConnection server,
                    const std::vector<Commit>& acknowledged) {
    std::set<Commit> held;
    for (const Row& row : server.query("SELECT client, seq FROM zl.t")) {
      held.emplace(std::stoi(row.at(0)), std::stoull(row.at(1)));
    }
    uint64_t lost = 0;
    for (const Commit& c : acknowledged) {
      if (held.count(c)) continue;
      if (lost++ < 5) UNSCOPED_INFO("LOST on " << where << ": client " << c.first << " seq " << c.second);
    }
    report_.checked += acknowledged.size();
    report_.losses += lost;
    CHECK(lost == 0);
  }

  std::mt19937 random_;
  Cluster cluster_;
  Report report_;
  int logs_ = 0;
};

}  // namespace

TEST_CASE("chaos: faults of every kind under a write load, nothing acknowledged lost") {
  const char* minutes_text = std::getenv("MZL_CHAOS_MINUTES");
  const double minutes = minutes_text ? std::stod(minutes_text) : 3.0;
  const char* seed_text = std::getenv("MZL_CHAOS_SEED");
  const unsigned seed = seed_text ? static_cast<unsigned>(std::stoul(seed_text)) : std::random_device{}();
  WARN("chaos: seed " << seed << " (MZL_CHAOS_SEED), " << minutes << " min (MZL_CHAOS_MINUTES)");
  std::mt19937 deck_random(seed + 1);

  ChaosRun run(seed);
  run.take_snapshot();
  const auto started = Clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double, std::ratio<60>>(Clock::now() - started).count();
  };
  std::vector<std::string> deck;
  int dealt = 0;
  while (elapsed() < minutes || dealt < static_cast<int>(kFaultKinds.size())) {
    if (deck.empty()) {
      deck = kFaultKinds;
      std::shuffle(deck.begin(), deck.end(), deck_random);
    }
    const std::string kind = deck.back();
    deck.pop_back();
    ++dealt;
    INFO("round " << dealt << ": " << kind);
    run.round(kind);
  }
  const std::string report = run.report().text(seed, elapsed());
  WARN(report);
  if (const char* file = std::getenv("MZL_CHAOS_REPORT")) std::ofstream(file) << report;
  CHECK(run.report().losses == 0);
}

}  // namespace mzl::test::chaos
