#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <random>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "archive_test_support.h"
#include "mzl/archive/binlog_archive.h"
#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/util/crc32.h"
#include "mzl/util/fault_injecting_file.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::archive;
using mzl::test::DumpEvent;
using mzl::test::ServerBinlog;
using mzl::test::TempRepo;

namespace {

BinlogArchiveOptions options_for(const TempRepo& repo, FileSystem* fs = nullptr, bool compress = false) {
  BinlogArchiveOptions options;
  options.repo = repo.path.string();
  options.source = "db1_3306";
  options.server.server_id = 1;
  options.compress_closed_files = compress;
  options.fs = fs;
  return options;
}

std::unique_ptr<BinlogArchive> open_archive(const TempRepo& repo, bool compress = false) {
  auto archive = BinlogArchive::open(options_for(repo, nullptr, compress));
  INFO((archive.ok() ? std::string() : archive.error().to_string()));
  REQUIRE(archive.ok());
  return std::move(*archive);
}

std::string dir_of(const TempRepo& repo) {
  return (repo.path / "binlogs" / "db1_3306").string();
}

// Two files: the first closed by a ROTATE, the second still being written.
ServerBinlog two_files(ServerBinlog server) {
  server.begin_file("mariadb-bin.000001");
  server.transaction(1);
  server.transaction(2);
  server.ddl(3);
  server.rotate("mariadb-bin.000002");
  server.begin_file("mariadb-bin.000002");
  server.transaction(4);
  server.ddl(5);
  return server;
}

// two_files() on the fixture's events; std::nullopt (the test passes) when the fixtures are not there.
std::optional<ServerBinlog> two_file_server() {
  auto base = ServerBinlog::from_fixture();
  if (!base) return std::nullopt;
  return two_files(*base);
}

size_t index_of(const ServerBinlog& server, const std::string& name) {
  const auto& files = server.files();
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].name == name) return i;
  }
  FAIL("no server file " << name);
  return 0;
}

// The archive holds a prefix of the server's files that ends at a transaction boundary, and at least what
// was reported durable.
void check_prefix(const std::string& dir, const ServerBinlog& server, const ResumePoint& rp,
                  const std::optional<DurablePoint>& acked) {
  const auto& files = server.files();
  if (rp.file.empty()) {
    for (const auto& file : files) CHECK_FALSE(test::archived_content(dir, file.name));
    CHECK_FALSE(acked);
    return;
  }
  size_t current = index_of(server, rp.file);
  for (size_t i = 0; i < files.size(); ++i) {
    auto content = test::archived_content(dir, files[i].name);
    INFO("file " << files[i].name << ", resume point " << rp.file << ":" << rp.position);
    if (i < current) {
      REQUIRE(content);
      CHECK(*content == files[i].bytes);
    } else if (i > current) {
      CHECK_FALSE(content);
    } else if (rp.position == codec::kBinlogMagicSize) {
      CHECK_FALSE(content);
      CHECK(rp.gtid_position == (i == 0 ? "" : files[i - 1].boundary_gtids.back()));
    } else {
      REQUIRE(content);
      REQUIRE(content->size() == rp.position);
      CHECK(std::equal(content->begin(), content->end(), files[i].bytes.begin()));
      auto at = std::find(files[i].boundaries.begin(), files[i].boundaries.end(), rp.position);
      REQUIRE(at != files[i].boundaries.end());
      CHECK(rp.gtid_position == files[i].boundary_gtids[at - files[i].boundaries.begin()]);
    }
  }
  if (acked) {
    size_t acked_file = index_of(server, acked->file);
    CHECK((acked_file < current || (acked_file == current && acked->end <= rp.position)));
  }
}

void check_complete(const std::string& dir, const ServerBinlog& server, const BinlogArchive& archive) {
  const auto& files = server.files();
  for (const auto& file : files) {
    auto content = test::archived_content(dir, file.name);
    INFO("file " << file.name);
    REQUIRE(content);
    CHECK(*content == file.bytes);
  }
  ResumePoint end{files.back().name, files.back().bytes.size(), server.last_gtid_position()};
  CHECK(archive.resume_point() == end);
  CHECK(archive.state().durable_position == files.back().bytes.size());
  REQUIRE(archive.state().closed_files.size() == files.size() - 1);
  for (size_t i = 0; i + 1 < files.size(); ++i) {
    const ClosedFileInfo& info = archive.state().closed_files[i];
    CHECK(info.name == files[i].name);
    CHECK(info.size == files[i].bytes.size());
    CHECK(info.crc32 == crc32(files[i].bytes));
  }
}

// Runs the whole dump through a fault-injecting file system, reopens the archive without faults, checks the
// prefix it kept, resumes the dump at its resume point and checks the result is exactly the server's files.
uint64_t run_with_faults(const ServerBinlog& server, const FaultPlan& plan, bool compress) {
  TempRepo repo;
  FaultInjectingFileSystem fs(real_file_system(), plan);
  test::FeedResult fed;
  {
    auto archive = BinlogArchive::open(options_for(repo, &fs, compress));
    if (archive.ok()) {
      fed = test::feed(**archive, server.dump_from("", 4));
    } else {
      fed.error = archive.error();
    }
  }
  if (plan.crash_at != 0 && plan.crash_at <= fs.operations()) {
    REQUIRE(fed.error);
    CHECK(fed.error->code == ErrorCode::kInterrupted);
  } else if (plan.fail_at != 0 && plan.fail_at <= fs.operations()) {
    REQUIRE(fed.error);
    CHECK(fed.error->code == ErrorCode::kIo);
    CHECK_THAT(fed.error->message, Catch::Contains("disk or quota is full"));
  } else if (fed.error) {
    FAIL(fed.error->to_string());
  }

  auto reopened = BinlogArchive::open(options_for(repo, nullptr, compress));
  if (!reopened.ok()) FAIL(reopened.error().to_string());
  ResumePoint rp = (*reopened)->resume_point();
  check_prefix(dir_of(repo), server, rp, fed.acked);
  auto rest = test::feed(**reopened, server.dump_from(rp.file, rp.position));
  if (rest.error) FAIL(rest.error->to_string());
  check_complete(dir_of(repo), server, **reopened);
  for (const auto& entry : std::filesystem::directory_iterator(dir_of(repo))) {
    CHECK_FALSE(entry.path().string().ends_with(".tmp"));
  }
  return fs.operations();
}

}  // namespace

TEST_CASE("archive: the fixture file streamed through a dump is archived byte for byte") {
  auto dir = test::fixtures_dir();
  if (dir.empty()) return;
  auto path = dir / "mariadb-10.5" / "mariadb-bin.000001";
  std::vector<uint8_t> fixture = test::read_file(path);
  TempRepo repo;
  auto archive = open_archive(repo);

  std::vector<DumpEvent> dump;
  codec::Event fake{codec::EventHeader{0, 4, 1, 0, 0, codec::kFlagArtificial},
                    codec::RotateEvent{4, "mariadb-bin.000001"}, std::nullopt, 0};
  auto fake_bytes = codec::encode_event(
      fake, codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32));
  dump.push_back(DumpEvent{fake_bytes, test::header_of(fake_bytes)});
  auto reader = codec::BinlogFileReader::open(path.string());
  REQUIRE(reader.ok());
  while (true) {
    auto event = reader->next();
    REQUIRE(event.ok());
    if (!*event) break;
    dump.push_back(
        DumpEvent{std::vector<uint8_t>((*event)->data.begin(), (*event)->data.end()), (*event)->header});
  }
  auto fed = test::feed(*archive, dump);
  REQUIRE_FALSE(fed.error);

  // README: the fixture's FD has LOG_EVENT_BINLOG_IN_USE_F set (file not closed cleanly); the archive keeps
  // it clear, as the server's closed file has it. Byte 21 = offset 4 + 17 (the header's flags).
  std::vector<uint8_t> expected = fixture;
  expected[21] &= static_cast<uint8_t>(~codec::kFlagBinlogInUse);
  auto archived = test::archived_content(dir_of(repo), "mariadb-bin.000001");
  REQUIRE(archived);
  CHECK(*archived == expected);
  // events.tsv: the file ends at 1074 with the XID of GTID 0-1-2; the first transaction is 0-1-1.
  CHECK(archive->resume_point() == ResumePoint{"mariadb-bin.000001", 1074, "0-1-2"});
  CHECK(archive->state().current_first_gtid == "0-1-1");
  CHECK(archive->state().current_last_gtid == "0-1-2");
  CHECK(archive->state().server.flavour == "mariadb");
  CHECK(archive->state().server.version == "10.5.15-MariaDB-1:10.5.15+maria~focal-log");
  struct stat st {};
  REQUIRE(::stat((dir_of(repo) + "/mariadb-bin.000001").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir_of(repo) + "/state.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("archive: rotation closes the file and records it in the state") {
  auto two = two_file_server();
  if (!two) return;
  const ServerBinlog& server = *two;
  TempRepo repo;
  auto archive = open_archive(repo);
  auto fed = test::feed(*archive, server.dump_from("", 4));
  REQUIRE_FALSE(fed.error);
  check_complete(dir_of(repo), server, *archive);
  const ClosedFileInfo& closed = archive->state().closed_files.at(0);
  CHECK(closed.first_gtid == "0-1-1");
  CHECK(closed.last_gtid == "0-1-3");
  CHECK(archive->state().current_first_gtid == "0-1-4");
  CHECK(archive->state().current_last_gtid == "0-1-5");

  SECTION("reopening resumes at the end; a dump restarted earlier is skipped, not duplicated") {
    archive.reset();
    auto again = BinlogArchive::open(options_for(repo));
    REQUIRE(again.ok());
    CHECK((*again)->resume_point() ==
          ResumePoint{"mariadb-bin.000002", server.files()[1].bytes.size(), "0-1-5"});
    uint64_t mid = server.files()[1].boundaries.at(2);  // after GTID_LIST, before transaction 4
    auto replay = test::feed(**again, server.dump_from("mariadb-bin.000002", mid));
    REQUIRE_FALSE(replay.error);
    check_complete(dir_of(repo), server, **again);
  }
}

TEST_CASE("archive: closed files compressed to .lz4 read back identical") {
  auto two = two_file_server();
  if (!two) return;
  const ServerBinlog& server = *two;
  TempRepo repo;
  auto archive = open_archive(repo, true);
  REQUIRE_FALSE(test::feed(*archive, server.dump_from("", 4)).error);
  std::string plain = dir_of(repo) + "/mariadb-bin.000001";
  CHECK_FALSE(std::filesystem::exists(plain));
  REQUIRE(std::filesystem::exists(plain + ".lz4"));
  CHECK(std::filesystem::exists(dir_of(repo) + "/mariadb-bin.000002"));  // the open file stays plain
  check_complete(dir_of(repo), server, *archive);

  // BinlogFileReader reads the .lz4 file event by event with every checksum verified.
  auto reader = codec::BinlogFileReader::open(plain + ".lz4");
  REQUIRE(reader.ok());
  uint64_t end = 4;
  int events = 0;
  while (true) {
    auto event = reader->next();
    REQUIRE(event.ok());
    if (!*event) break;
    CHECK((*event)->offset == end);
    end += (*event)->header.event_size;
    ++events;
  }
  CHECK(end == server.files()[0].bytes.size());
  CHECK(events == 3 + 5 + 5 + 2 + 1);
}

// run_with_faults() once with the fault plan_for(n) at each file operation n of a fault-free run, with and
// without compression.
void fault_at_every_operation(const ServerBinlog& server, const std::string& what,
                              const std::function<FaultPlan(uint64_t n)>& plan_for) {
  for (bool compress : {false, true}) {
    uint64_t operations = run_with_faults(server, FaultPlan{}, compress);
    REQUIRE(operations > 20);
    for (uint64_t n = 1; n <= operations; ++n) {
      INFO(what << " at operation " << n << " of " << operations << ", compress " << compress);
      run_with_faults(server, plan_for(n), compress);
    }
  }
}

TEST_CASE(
    "archive: a crash after any write boundary loses nothing durable and resumes without gap or duplicate") {
  auto two = two_file_server();
  if (!two) return;
  const ServerBinlog& server = *two;
  for (bool lose_unsynced : {false, true}) {
    for (size_t torn : {size_t{0}, size_t{7}, size_t{40}}) {
      fault_at_every_operation(
          server, fmt::format("crash (torn {}, lose_unsynced {})", torn, lose_unsynced), [&](uint64_t n) {
            return FaultPlan{.crash_at = n, .torn_bytes = torn, .lose_unsynced = lose_unsynced};
          });
    }
  }
}

TEST_CASE("archive: a full disk on any write or sync is kIo and keeps the durable part") {
  auto two = two_file_server();
  if (!two) return;
  const ServerBinlog& server = *two;
  for (size_t torn : {size_t{0}, size_t{11}}) {
    fault_at_every_operation(server, fmt::format("ENOSPC (partial write {})", torn),
                             [&](uint64_t n) { return FaultPlan{.fail_at = n, .torn_bytes = torn}; });
  }
}

TEST_CASE("archive: a different server is refused unless a new source is allowed") {
  auto two = two_file_server();
  if (!two) return;
  const ServerBinlog& server = *two;
  TempRepo repo;
  {
    auto options = options_for(repo);
    options.server.server_uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    auto archive = BinlogArchive::open(options);
    REQUIRE(archive.ok());
    REQUIRE_FALSE(test::feed(**archive, server.dump_from("", 4)).error);
  }
  auto options = options_for(repo);
  options.server.server_uuid = "4f22ab58-71ca-11e1-9e33-c80aa9429562";
  auto refused = BinlogArchive::open(options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kInvalidArgument);
  CHECK_THAT(refused.error().message, Catch::Contains("3e11fa47-71ca-11e1-9e33-c80aa9429562") &&
                                          Catch::Contains("4f22ab58-71ca-11e1-9e33-c80aa9429562"));

  auto other_id = options_for(repo);
  other_id.server.server_id = 2;
  CHECK_FALSE(BinlogArchive::open(other_id).ok());

  options.allow_new_source = true;
  {
    auto allowed = BinlogArchive::open(options);
    REQUIRE(allowed.ok());
    CHECK((*allowed)->state().server.server_uuid == "4f22ab58-71ca-11e1-9e33-c80aa9429562");
  }
  // The same server (uuid unknown to the caller this time) is accepted.
  auto same = options_for(repo);
  CHECK(BinlogArchive::open(same).ok());
}

TEST_CASE("archive: one archiver per source, a second open is refused until the first ends") {
  TempRepo repo;
  auto first = open_archive(repo);
  auto second = BinlogArchive::open(options_for(repo));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == ErrorCode::kIo);
  CHECK_THAT(second.error().message, Catch::Contains("locked") && Catch::Contains("another mzl-binlog-tail"));
  CHECK_THAT(second.error().where, Catch::Contains("binlogs"));
  first.reset();
  CHECK(BinlogArchive::open(options_for(repo)).ok());
}

TEST_CASE("archive: events are placed by log_pos, gaps are refused, replays and heartbeats skipped") {
  auto two = two_file_server();
  if (!two) return;
  const ServerBinlog& server = *two;
  auto dump = server.dump_from("", 4);
  TempRepo repo;
  auto archive = open_archive(repo);
  // fake ROTATE, FD, GTID_LIST, BINLOG_CHECKPOINT, then transaction 1 starts at dump[4].
  test::DumpStream stream;
  for (size_t i = 0; i < 4; ++i) REQUIRE(archive->append_event(stream.take(dump[i])).ok());
  uint64_t size = archive->current_size();
  auto gap = archive->append_event(stream.take(dump[5]));
  REQUIRE_FALSE(gap.ok());
  CHECK(gap.error().code == ErrorCode::kCorrupt);
  CHECK(archive->current_size() == size);
  auto replay = archive->append_event(stream.take(dump[3]));
  REQUIRE(replay.ok());
  CHECK(*replay == BinlogArchive::Appended::kSkipped);
  codec::Event heartbeat{codec::EventHeader{0, 27, 1, 0, 0, codec::kFlagArtificial}, codec::HeartbeatEvent{},
                         std::nullopt, 0};
  auto hb = codec::encode_event(
      heartbeat, codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32));
  auto skipped = archive->append_event(stream.take(DumpEvent{hb, test::header_of(hb)}));
  REQUIRE(skipped.ok());
  CHECK(*skipped == BinlogArchive::Appended::kSkipped);
  CHECK(archive->current_size() == size);

  SECTION("a dump broken off mid-transaction is cut back to the boundary") {
    for (size_t i = 4; i < 7; ++i) REQUIRE(archive->append_event(stream.take(dump[i])).ok());
    CHECK(archive->current_size() > size);
    CHECK(archive->resume_point().position == size);
    REQUIRE(archive->discard_partial_transaction().ok());
    CHECK(archive->current_size() == size);
    auto rp = archive->resume_point();
    REQUIRE_FALSE(test::feed(*archive, server.dump_from(rp.file, rp.position)).error);
    check_complete(dir_of(repo), server, *archive);
  }
}

TEST_CASE("archive: a new file must start at position 4, and the source name is checked") {
  auto two = two_file_server();
  if (!two) return;
  const ServerBinlog& server = *two;
  TempRepo repo;
  auto archive = open_archive(repo);
  auto dump = server.dump_from("mariadb-bin.000002", server.files()[1].boundaries.at(2));
  test::DumpStream stream;
  auto started = archive->append_event(stream.take(dump[0]));
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().code == ErrorCode::kInvalidArgument);

  auto bad = options_for(repo);
  bad.source = "../etc";
  CHECK(BinlogArchive::open(bad).error().code == ErrorCode::kInvalidArgument);
  CHECK(default_source_name("db1.example.com", 3306) == "db1.example.com_3306");
  CHECK(default_source_name("fe80::1", 3307) == "fe80__1_3307");
  CHECK(default_source_name("", 0) == "localhost_socket");
  CHECK(validate_source_name(default_source_name("fe80::1", 3307)).ok());
}

namespace {

// The child of the SIGKILL test: resumes the archive, follows the dump from its resume point, and after
// every sync() writes "<file> <end>\n" to `ack_fd` (what a semi-sync ACK would name). Never returns.
// Archives what `server` has until the end, or until it kills itself after `kill_after` events (the parent's
// SIGKILL at a random instant usually comes first; this one makes sure a busy machine, on which the parent
// may sleep longer than the child takes to finish, still kills in every round).
[[noreturn]] void archive_until_killed(const BinlogArchiveOptions& options, const ServerBinlog& server,
                                       int ack_fd, int kill_after) {
  auto archive = BinlogArchive::open(options);
  if (!archive.ok()) ::_exit(3);
  ResumePoint rp = (*archive)->resume_point();
  int n = 0;
  test::DumpStream stream;
  for (const auto& event : server.dump_from(rp.file, rp.position)) {
    if (n == kill_after) ::raise(SIGKILL);
    auto appended = (*archive)->append_event(stream.take(event));
    if (!appended.ok()) ::_exit(4);
    if (event.header.type_code == 16 || event.header.type_code == 2) {
      auto point = (*archive)->sync();
      if (!point.ok()) ::_exit(5);
      std::string line = point->file + " " + std::to_string(point->end) + "\n";
      if (::write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(6);
    }
    if (++n % 7 == 0 && !(*archive)->checkpoint().ok()) ::_exit(7);
  }
  ::_exit((*archive)->checkpoint().ok() ? 0 : 8);
}

}  // namespace

TEST_CASE("archive: SIGKILL at random instants, each followed by a restart: no loss, gap or duplicate") {
  auto base = ServerBinlog::from_fixture();
  if (!base) return;
  // A live server: every round it commits more transactions (a DDL now and then) and rotates every third
  // round, while the archiver is killed at a random instant and restarted.
  ServerBinlog server = *base;
  uint64_t seq = 1;
  int file_number = 1;
  server.begin_file("mariadb-bin.000001");
  auto server_works = [&](int round) {
    for (int t = 0; t < 25; ++t) {
      if (t % 13 == 5) {
        server.ddl(seq++);
      } else {
        server.transaction(seq++);
      }
    }
    if (round % 3 == 2) {
      std::string next = fmt::format("mariadb-bin.{:06d}", ++file_number);
      server.rotate(next);
      server.begin_file(next);
    }
  };
  TempRepo repo;
  BinlogArchiveOptions options = options_for(repo, nullptr, true);
  std::mt19937 random(20261122);
  int killed = 0;
  for (int round = 0; round < 80 && killed < 20; ++round) {
    server_works(round);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const int kill_after = std::uniform_int_distribution<int>(0, 120)(random);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(pipe_fds[0]);
      archive_until_killed(options, server, pipe_fds[1], kill_after);
    }
    ::close(pipe_fds[1]);
    ::usleep(std::uniform_int_distribution<useconds_t>(0, 1500)(random));
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    std::string acks;
    char buffer[4096];
    for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) acks.append(buffer, got);
    ::close(pipe_fds[0]);
    if (WIFEXITED(status)) {
      INFO("child exit code " << WEXITSTATUS(status));
      REQUIRE(WEXITSTATUS(status) == 0);
    } else {
      ++killed;
    }
    std::optional<DurablePoint> acked;
    if (auto last = acks.rfind('\n', acks.size() - 2); !acks.empty()) {
      std::string line = acks.substr(last == std::string::npos ? 0 : last + 1);
      auto space = line.find(' ');
      acked = DurablePoint{line.substr(0, space), std::stoull(line.substr(space + 1)), {}};
    }
    auto reopened = BinlogArchive::open(options);
    if (!reopened.ok()) FAIL(reopened.error().to_string());
    INFO("round " << round << ", " << killed << " kills so far");
    check_prefix(dir_of(repo), server, (*reopened)->resume_point(), acked);
  }
  CHECK(killed >= 10);
  auto archive = BinlogArchive::open(options);
  REQUIRE(archive.ok());
  ResumePoint rp = (*archive)->resume_point();
  REQUIRE_FALSE(test::feed(**archive, server.dump_from(rp.file, rp.position)).error);
  check_complete(dir_of(repo), server, **archive);
}

// Not run by default (tag [.]): ./test_archive "[bench]" prints the append + sync throughput on the temp dir.
TEST_CASE("archive: append throughput", "[.][bench]") {
  auto base = ServerBinlog::from_fixture();
  if (!base) return;
  ServerBinlog server = *base;
  server.begin_file("mariadb-bin.000001");
  for (uint64_t seq = 1; seq <= 150000; ++seq) server.transaction(seq);
  auto dump = server.dump_from("", 4);
  auto dir = std::filesystem::temp_directory_path() / ("mzl-archive-bench-" + std::to_string(::getpid()));
  BinlogArchiveOptions options;
  options.repo = dir.string();
  options.source = "bench";
  auto archive = BinlogArchive::open(options);
  REQUIRE(archive.ok());
  auto start = std::chrono::steady_clock::now();
  size_t n = 0;
  test::DumpStream stream;
  for (const auto& event : dump) {
    REQUIRE((*archive)->append_event(stream.take(event)).ok());
    if (++n % 500 == 0) REQUIRE((*archive)->sync().ok());  // a group commit every 100 transactions
  }
  REQUIRE((*archive)->checkpoint().ok());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double mb = server.files()[0].bytes.size() / 1e6;
  WARN(fmt::format("{:.1f} MB in {:.3f} s: {:.0f} MB/s, {:.0f} events/s", mb, seconds, mb / seconds,
                   n / seconds));
  std::filesystem::remove_all(dir);
}
