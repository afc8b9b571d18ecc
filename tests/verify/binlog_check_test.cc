#include "mzl/verify/binlog_check.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "archive/archive_test_support.h"
#include "mzl/archive/archive_state.h"
#include "mzl/archive/compress_binlog.h"
#include "mzl/codec/event_header.h"
#include "mzl/util/crc32.h"
#include "mzl/util/durable_file.h"
#include "test_support.h"

namespace mzl::verify {
namespace {

namespace fs = std::filesystem;
using test::ServerBinlog;

// One top-level row of a fixture folder's events.tsv.
struct TsvEvent {
  uint64_t offset = 0;
  std::string type_name;
  std::string event_size;
  std::string log_pos;
  std::string crc;
  std::string info;
};

std::map<std::string, std::vector<TsvEvent>> read_events_tsv(const fs::path& tsv) {
  std::map<std::string, std::vector<TsvEvent>> out;
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) f.push_back(field);
    f.resize(12);
    if (f[2] != "0") continue;  // events inside a TRANSACTION_PAYLOAD
    out[f[0]].push_back(TsvEvent{std::stoull(f[1]), f[4], f[7], f[8], f[10], f[11]});
  }
  return out;
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::string describe(const BinlogCheckReport& report) {
  std::string text;
  for (const auto& p : report.problems) text += format_problem(p) + "\n";
  return text;
}

bool mentions(const Problem& p, const std::string& text) {
  return p.what.find(text) != std::string::npos;
}

// Offsets of the events of a file built by ServerBinlog (walks the event_size fields).
std::vector<uint64_t> event_offsets(const std::vector<uint8_t>& bytes) {
  std::vector<uint64_t> offsets;
  for (uint64_t at = codec::kBinlogMagicSize; at < bytes.size();) {
    offsets.push_back(at);
    at += test::header_of(std::vector<uint8_t>(bytes.begin() + at, bytes.begin() + at + 19)).event_size;
  }
  return offsets;
}

// A three-file MariaDB archive: .000001 holds 0-1-1..3, .000002 0-1-4..5, .000003 (current) 0-1-6..7.
struct Archive {
  test::TempRepo repo;
  ServerBinlog server;
  fs::path dir;
  archive::ArchiveState state;

  explicit Archive(ServerBinlog model, const std::string& rotate_to_3 = "mariadb-bin.000003")
      : server(std::move(model)) {
    server.begin_file("mariadb-bin.000001");
    for (uint64_t seq = 1; seq <= 3; ++seq) server.transaction(seq);
    server.rotate("mariadb-bin.000002");
    server.begin_file("mariadb-bin.000002");
    server.transaction(4);
    server.ddl(5);
    server.rotate(rotate_to_3);
    server.begin_file("mariadb-bin.000003");
    server.transaction(6);
    server.transaction(7);
    dir = repo.path / "binlogs" / "db1_3306";
    fs::create_directories(dir);
    state.source = "db1_3306";
    state.server.flavour = "mariadb";
    for (size_t i = 0; i < server.files().size(); ++i) {
      const auto& file = server.files()[i];
      write_file(dir / file.name, file.bytes);
      if (i + 1 < server.files().size()) {
        state.closed_files.push_back(archive::ClosedFileInfo{file.name, file.bytes.size(), 0, "", ""});
      } else {
        state.current_file = file.name;
        state.durable_position = file.bytes.size();
      }
    }
    write_state();
  }
  void write_state() {
    const std::string json = archive::encode_archive_state(state);
    write_file(dir / "state.json", std::vector<uint8_t>(json.begin(), json.end()));
  }
  const std::vector<uint8_t>& bytes(size_t i) const { return server.files()[i].bytes; }
  std::string where(size_t i) const { return "binlogs/db1_3306/" + server.files()[i].name; }
  BinlogCheckReport check(const BinlogCheckOptions& options = {}) const {
    auto report = check_binlog_source(repo.path, "db1_3306", options);
    REQUIRE(report.ok());
    return *report;
  }
};

}  // namespace

TEST_CASE("every intact fixture binlog verifies without problems, the broken ones are named") {
  const fs::path dir = test::fixtures_dir();
  if (dir.empty()) return;
  int intact = 0;
  for (const auto& folder : fs::directory_iterator(dir)) {
    if (!folder.is_directory()) continue;
    for (const auto& [name, events] : read_events_tsv(folder.path() / "events.tsv")) {
      const fs::path path = folder.path() / name;
      CAPTURE(path);
      auto report = check_binlog_files({path});
      REQUIRE(report.ok());
      CAPTURE(describe(*report));
      // From events.tsv: a truncated event, the first header chain break (log_pos other than 0 and other
      // than offset + event_size), a checksum the scanner did not accept, a MySQL GTID whose GNO does not
      // follow the last one of its UUID (PREVIOUS_GTIDS "uuid:1-52" or "(empty)"; "uuid:gno flags=.." rows).
      std::optional<uint64_t> truncated_at, chain_break_at, bad_crc_at, gtid_hole_at;
      std::map<std::string, uint64_t> last_gno;
      auto gno_of = [](const std::string& text) {
        const auto colon = text.find(':');
        const auto end = text.find_first_of(" -", colon);
        return std::stoull(text.substr(colon + 1, end - colon - 1));
      };
      for (const auto& e : events) {
        if (e.type_name == "PREVIOUS_GTIDS" && e.info != "(empty)") {
          const std::string interval = e.info.substr(37);  // "1-52" or "1"
          const auto dash = interval.find('-');
          last_gno[e.info.substr(0, 36)] =
              std::stoull(dash == std::string::npos ? interval : interval.substr(dash + 1));
        }
        if (e.type_name == "GTID") {
          const uint64_t gno = gno_of(e.info);
          if (gno > last_gno[e.info.substr(0, 36)] + 1 && !gtid_hole_at) gtid_hole_at = e.offset;
          last_gno[e.info.substr(0, 36)] = gno;
        }
        if (e.crc == "TRUNCATED" && !truncated_at) truncated_at = e.offset;
        if (e.crc != "ok" && e.crc != "none" && e.crc.rfind("ok(", 0) != 0 && e.crc != "TRUNCATED" &&
            !bad_crc_at)
          bad_crc_at = e.offset;
        if (!e.log_pos.empty() && e.log_pos != "0" && !chain_break_at &&
            std::stoull(e.log_pos) != e.offset + std::stoull(e.event_size))
          chain_break_at = e.offset;
      }
      REQUIRE_FALSE(bad_crc_at);  // no fixture has one (README)
      if (gtid_hole_at) {
        REQUIRE(report->problems.size() == 1);
        CHECK(report->problems[0].offset == gtid_hole_at);
        CHECK(mentions(report->problems[0], "GTID hole"));
        continue;
      }
      if (!truncated_at && !chain_break_at) {
        CHECK(report->problems.empty());
        ++intact;
        continue;
      }
      if (truncated_at) {
        bool named = false;
        for (const auto& p : report->problems)
          named |= p.where == path.string() && p.offset == truncated_at && mentions(p, "truncated");
        CHECK(named);
      }
      if (chain_break_at) {
        REQUIRE_FALSE(report->problems.empty());
        CHECK(report->problems.front().offset == chain_break_at);
        CHECK(mentions(report->problems.front(), "header chain broken"));
      }
    }
  }
  CHECK(intact > 30);
}

TEST_CASE("the mariadb-10.5 fixture: window, a flipped byte, a truncation") {
  const fs::path dir = test::fixtures_dir();
  if (dir.empty()) return;
  const fs::path original = dir / "mariadb-10.5" / "mariadb-bin.000001";
  auto report = check_binlog_files({original});
  REQUIRE(report.ok());
  CHECK(report->problems.empty());
  CHECK(report->flavour == "mariadb");
  CHECK(report->files == 1);
  CHECK(report->events == 13);   // events.tsv rows
  CHECK(report->bytes == 1074);  // end of the last event (XID at 1043, 31 bytes)
  REQUIRE(report->first);
  REQUIRE(report->last);
  // events.tsv: GTID 0-1-1 at 330, its XID (timestamp 1650493084) ends at 702; 0-1-2 at 702, XID 1650493195.
  CHECK(*report->first == TransactionPoint{original.string(), 330, 702, 1650493084, "0-1-1"});
  CHECK(*report->last == TransactionPoint{original.string(), 702, 1074, 1650493195, "0-1-2"});
  CHECK(format_window(*report) ==
        "restorable from 2022-04-20 22:18:04 UTC (0-1-1) to 2022-04-20 22:19:55 UTC (0-1-2)");

  test::TempRepo tmp;
  auto bytes = test::read_file(original);
  const fs::path copy = tmp.path / "mariadb-bin.000001";

  SECTION("a flipped byte inside the WRITE_ROWS event at 612") {
    bytes[612 + 30] ^= 0x10;
    write_file(copy, bytes);
    auto damaged = check_binlog_files({copy});
    REQUIRE(damaged.ok());
    REQUIRE(damaged->problems.size() == 1);
    CHECK(damaged->problems[0].where == copy.string());
    CHECK(damaged->problems[0].offset == 612);
    CHECK(mentions(damaged->problems[0], "CRC32 mismatch"));
    // The damaged transaction 0-1-1 is not restorable; 0-1-2 after it is complete.
    REQUIRE(damaged->first);
    CHECK(damaged->first->gtid == "0-1-2");
    CHECK_FALSE(damaged->last_before_problem);
    CHECK(format_window(*damaged) ==
          "nothing restorable: a problem comes before the first complete transaction");
  }
  SECTION("a truncation inside the WRITE_ROWS event at 984") {
    bytes.resize(1000);
    write_file(copy, bytes);
    auto damaged = check_binlog_files({copy});
    REQUIRE(damaged.ok());
    REQUIRE(damaged->problems.size() == 1);
    CHECK(damaged->problems[0].offset == 984);
    CHECK(mentions(damaged->problems[0], "truncated"));
    REQUIRE(damaged->last);
    CHECK(damaged->last->gtid == "0-1-1");
  }
  SECTION("a file that does not start with a FORMAT_DESCRIPTION") {
    // Drop the FD (4..256) and the GTID_LIST: the file starts with the BINLOG_CHECKPOINT at 285.
    bytes.erase(bytes.begin() + 4, bytes.begin() + 285);
    write_file(copy, bytes);
    auto damaged = check_binlog_files({copy});
    REQUIRE(damaged.ok());
    REQUIRE_FALSE(damaged->problems.empty());
    CHECK(damaged->problems[0].offset == 4);
    CHECK(mentions(damaged->problems[0], "not a FORMAT_DESCRIPTION"));
  }
  SECTION("not a binlog") {
    bytes[1] = 'x';
    write_file(copy, bytes);
    auto damaged = check_binlog_files({copy});
    REQUIRE(damaged.ok());
    REQUIRE(damaged->problems.size() == 1);
    CHECK(damaged->problems[0].offset == 0);
    CHECK(mentions(damaged->problems[0], "magic"));
  }
}

TEST_CASE("a MariaDB archive of three files") {
  auto model = ServerBinlog::from_fixture();
  if (!model) return;
  Archive archive(*model);

  SECTION("undamaged: no problem, the window from 0-1-1 to 0-1-7") {
    auto report = archive.check();
    CAPTURE(describe(report));
    CHECK(report.problems.empty());
    CHECK(report.files == 3);
    REQUIRE(report.first);
    REQUIRE(report.last_before_problem);
    CHECK(report.first->gtid == "0-1-1");
    CHECK(report.first->file == archive.where(0));
    CHECK(report.last_before_problem->gtid == "0-1-7");
    CHECK(report.last_before_problem->file == archive.where(2));
    CHECK(report.last_before_problem->end == archive.bytes(2).size());
  }
  SECTION("the missing middle file is named, and so are the ROTATE and the GTID hole it leaves") {
    fs::remove(archive.dir / "mariadb-bin.000002");
    auto report = archive.check();
    CAPTURE(describe(report));
    REQUIRE(report.problems.size() == 3);
    CHECK(report.problems[0].where == archive.where(0));
    CHECK(mentions(report.problems[0],
                   "ROTATE names mariadb-bin.000002 but the next file is mariadb-bin.000003"));
    CHECK(report.problems[1].where == archive.where(1));
    CHECK(mentions(report.problems[1], "missing"));
    // The first GTID of .000003 (0-1-6) follows the checkpoint: the fourth event.
    CHECK(report.problems[2].where == archive.where(2));
    CHECK(report.problems[2].offset == event_offsets(archive.bytes(2))[3]);
    CHECK(mentions(report.problems[2], "domain 0 seq_no 4-5 (2 transactions)"));
    REQUIRE(report.last_before_problem);
    CHECK(report.last_before_problem->gtid == "0-1-3");
  }
  SECTION("a ROTATE naming the wrong file") {
    auto other = ServerBinlog::from_fixture();
    Archive wrong(*other, "mariadb-bin.000009");
    auto report = wrong.check();
    CAPTURE(describe(report));
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].where == wrong.where(1));
    const auto offsets = event_offsets(wrong.bytes(1));
    CHECK(report.problems[0].offset == offsets.back());
    CHECK(mentions(report.problems[0], "ROTATE names mariadb-bin.000009"));
  }
  SECTION("a closed file cut cleanly before its ROTATE") {
    auto bytes = archive.bytes(0);
    const uint64_t rotate_at = event_offsets(bytes).back();
    bytes.resize(rotate_at);
    write_file(archive.dir / "mariadb-bin.000001", bytes);
    auto report = archive.check();
    CAPTURE(describe(report));
    REQUIRE(report.problems.size() == 2);
    CHECK(report.problems[0].where == archive.where(0));
    CHECK(report.problems[0].offset == rotate_at);
    CHECK(mentions(report.problems[0], "ends without a ROTATE"));
    CHECK(mentions(report.problems[1], "state.json records"));
  }
  SECTION(
      "a closed file without ROTATE at the size state.json recorded: the server crashed, nothing is lost") {
    // A crashed server's file ends with its last event; mzl-binlog-tail records the size the server's dump
    // thread moved on to the next file at.
    auto bytes = archive.bytes(0);
    const uint64_t rotate_at = event_offsets(bytes).back();
    bytes.resize(rotate_at);
    write_file(archive.dir / "mariadb-bin.000001", bytes);
    archive.state.closed_files[0].size = rotate_at;
    archive.write_state();
    auto report = archive.check();
    CAPTURE(describe(report));
    CHECK(report.problems.empty());
  }
  SECTION("two missing files are named as a range") {
    fs::rename(archive.dir / "mariadb-bin.000003", archive.dir / "mariadb-bin.000004");
    auto report =
        check_binlog_files({archive.dir / "mariadb-bin.000001", archive.dir / "mariadb-bin.000004"});
    REQUIRE(report.ok());
    CAPTURE(describe(*report));
    bool named = false;
    for (const auto& p : report->problems) {
      named |= p.where == (archive.dir / "mariadb-bin.000002").string() &&
               mentions(p, "the 2 files mariadb-bin.000002 to mariadb-bin.000003");
    }
    CHECK(named);
  }
  SECTION("a closed file truncated") {
    auto bytes = archive.bytes(0);
    bytes.resize(bytes.size() - 10);  // inside the ROTATE
    write_file(archive.dir / "mariadb-bin.000001", bytes);
    auto report = archive.check();
    CAPTURE(describe(report));
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].where == archive.where(0));
    CHECK(report.problems[0].offset == event_offsets(archive.bytes(0)).back());
    CHECK(mentions(report.problems[0], "truncated"));
  }
  SECTION("a torn event past the durable position of the current file is not a problem, before it is") {
    auto bytes = archive.bytes(2);
    const uint64_t size = bytes.size();
    // Half of another transaction's GTID event, as a crash mid-write leaves it.
    const auto offsets = event_offsets(bytes);
    bytes.insert(bytes.end(), bytes.begin() + offsets[3], bytes.begin() + offsets[3] + 20);
    write_file(archive.dir / "mariadb-bin.000003", bytes);
    auto report = archive.check();
    CAPTURE(describe(report));
    CHECK(report.problems.empty());

    archive.state.durable_position = size + 20;
    archive.write_state();
    report = archive.check();
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].offset == size);
    CHECK(mentions(report.problems[0], "truncated"));
  }
  SECTION("a closed file listed in state.json but gone from the start of the archive") {
    fs::remove(archive.dir / "mariadb-bin.000001");
    auto report = archive.check();
    CAPTURE(describe(report));
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].where == archive.where(0));
    CHECK(mentions(report.problems[0], "state.json lists this closed file"));
  }
  SECTION("closed files compressed to LZ4 verify like plain ones; a damaged frame is named") {
    for (size_t i = 0; i < 2; ++i) {
      const auto path = (archive.dir / archive.server.files()[i].name).string();
      REQUIRE(archive::compress_closed_binlog(real_file_system(), path, archive.bytes(i).size(),
                                              crc32(archive.bytes(i)))
                  .ok());
      REQUIRE(fs::exists(path + ".lz4"));
      REQUIRE_FALSE(fs::exists(path));
    }
    auto report = archive.check();
    CAPTURE(describe(report));
    CHECK(report.problems.empty());
    REQUIRE(report.last_before_problem);
    CHECK(report.last_before_problem->gtid == "0-1-7");
    CHECK(report.first->file == archive.where(0) + ".lz4");

    auto lz4 = test::read_file(archive.dir / "mariadb-bin.000002.lz4");
    lz4[lz4.size() / 2] ^= 0x01;
    write_file(archive.dir / "mariadb-bin.000002.lz4", lz4);
    report = archive.check();
    CAPTURE(describe(report));
    REQUIRE_FALSE(report.problems.empty());
    CHECK(report.problems[0].where == archive.where(1) + ".lz4");
  }
  SECTION("a size that differs from state.json") {
    archive.state.closed_files[1].size += 1;
    archive.write_state();
    auto report = archive.check();
    REQUIRE(report.problems.size() == 1);
    CHECK(report.problems[0].where == archive.where(1));
    CHECK(mentions(report.problems[0], "state.json records"));
  }
}

TEST_CASE("a GTID hole made by cutting one transaction out of a file") {
  auto model = ServerBinlog::from_fixture();
  if (!model) return;
  Archive archive(*model);
  // .000001: FD, GTID_LIST, BINLOG_CHECKPOINT, then 0-1-1 .. 0-1-3 (5 events each), ROTATE.
  const auto& file = archive.server.files()[0];
  REQUIRE(file.boundaries.size() >= 5);
  const uint64_t cut_from = file.boundaries[3];  // after 0-1-1
  const uint64_t cut_to = file.boundaries[4];    // after 0-1-2
  std::vector<uint8_t> bytes(file.bytes.begin(), file.bytes.begin() + cut_from);
  const std::vector<uint8_t> rest(file.bytes.begin() + cut_to, file.bytes.end());
  const bool fix_log_pos = GENERATE(true, false);
  CAPTURE(fix_log_pos);
  for (uint64_t at = 0; at < rest.size();) {
    const uint32_t size =
        test::header_of(std::vector<uint8_t>(rest.begin() + at, rest.begin() + at + 19)).event_size;
    std::vector<uint8_t> event(rest.begin() + at, rest.begin() + at + size);
    if (fix_log_pos) test::set_log_pos(event, static_cast<uint32_t>(bytes.size() + size));
    bytes.insert(bytes.end(), event.begin(), event.end());
    at += size;
  }
  write_file(archive.dir / file.name, bytes);
  archive.state.closed_files[0].size = bytes.size();
  archive.write_state();

  auto report = archive.check();
  CAPTURE(describe(report));
  const auto gtid_problem = std::find_if(report.problems.begin(), report.problems.end(),
                                         [](const Problem& p) { return mentions(p, "GTID hole"); });
  REQUIRE(gtid_problem != report.problems.end());
  CHECK(gtid_problem->where == archive.where(0));
  CHECK(gtid_problem->offset == cut_from);  // the GTID event of 0-1-3 now starts where 0-1-2 did
  CHECK(mentions(*gtid_problem, "domain 0 seq_no 2 (1 transaction) is missing between 0-1-1 and 0-1-3"));
  if (fix_log_pos) {
    CHECK(report.problems.size() == 1);
  } else {
    REQUIRE(report.problems.size() == 2);
    CHECK(report.problems[0].offset == cut_from);
    CHECK(mentions(report.problems[0], "header chain broken"));
    CHECK(mentions(report.problems[0], std::to_string(cut_to - cut_from) + " bytes are missing"));
  }
}

TEST_CASE("a start GTID before the archive's first GTID") {
  auto model = ServerBinlog::from_fixture();
  if (!model) return;
  Archive archive(*model);
  const std::vector<fs::path> files = {archive.dir / "mariadb-bin.000002",
                                       archive.dir / "mariadb-bin.000003"};
  // .000002 starts with 0-1-4: a snapshot at 0-1-3 continues into it, one at 0-1-1 leaves 0-1-2..3 out.
  auto report = check_binlog_files(files, {.start_gtid = "0-1-3"});
  REQUIRE(report.ok());
  CAPTURE(describe(*report));
  CHECK(report->problems.empty());

  report = check_binlog_files(files, {.start_gtid = "0-1-1"});
  REQUIRE(report.ok());
  REQUIRE(report->problems.size() == 1);
  CHECK(report->problems[0].where == files[0].string());
  CHECK(report->problems[0].offset == event_offsets(archive.bytes(1))[3]);
  CHECK(mentions(report->problems[0], "domain 0 seq_no 2-3 (2 transactions) is missing"));

  auto bad = check_binlog_files(files, {.start_gtid = "not a gtid"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("a file without event checksums is checked against the CRC-32 state.json recorded") {
  const fs::path fixtures = test::fixtures_dir();
  if (fixtures.empty()) return;
  // MySQL 5.0.86, no checksums (events.tsv); BEGIN at 299 .. XID at 553, ..., BEGIN at 1302 .. COMMIT at
  // 1556.
  const auto bytes = test::read_file(fixtures / "mysql-5.5-and-older" / "binlog_transaction.000001");
  test::TempRepo repo;
  const fs::path dir = repo.path / "binlogs" / "old";
  fs::create_directories(dir);
  archive::ArchiveState state;
  state.source = "old";
  state.current_file = "binlog_transaction.000002";
  state.closed_files.push_back({"binlog_transaction.000001", bytes.size(), crc32(bytes), "", ""});
  const std::string json = archive::encode_archive_state(state);
  write_file(dir / "state.json", std::vector<uint8_t>(json.begin(), json.end()));
  write_file(dir / "binlog_transaction.000001", bytes);

  auto report = check_binlog_source(repo.path, "old");
  REQUIRE(report.ok());
  CAPTURE(describe(*report));
  CHECK(report->problems.empty());
  const std::string where = "binlogs/old/binlog_transaction.000001";
  REQUIRE(report->first);
  CHECK(*report->first == TransactionPoint{where, 299, 580, 1253783037, ""});
  CHECK(report->last == TransactionPoint{where, 1302, 1626, 1253783037, ""});
  CHECK(format_window(*report) == "restorable from 2009-09-24 09:03:57 UTC to 2009-09-24 09:03:57 UTC");

  auto damaged = bytes;
  damaged[368 + 91] ^= 0x01;  // the last byte of "insert into t1 (a) values (1)"
  write_file(dir / "binlog_transaction.000001", damaged);
  report = check_binlog_source(repo.path, "old");
  REQUIRE(report.ok());
  CAPTURE(describe(*report));
  REQUIRE(report->problems.size() == 1);
  CHECK(report->problems[0].where == where);
  CHECK(mentions(report->problems[0], "CRC-32"));
}

TEST_CASE("a MySQL start GTID set before the archive's first GTID") {
  const fs::path fixtures = test::fixtures_dir();
  if (fixtures.empty()) return;
  // events.tsv: PREVIOUS_GTIDS 58cf6502-63db-11ed-8079-0242ac110002:1-52, then GTIDs :53 (at 194) to :62.
  const fs::path file = fixtures / "mysql-5.7" / "mysql-bin.000080";
  const std::string uuid = "58cf6502-63db-11ed-8079-0242ac110002";
  auto report = check_binlog_files({file}, {.start_gtid = uuid + ":1-52"});
  REQUIRE(report.ok());
  CAPTURE(describe(*report));
  CHECK(report->problems.empty());
  REQUIRE(report->last);
  CHECK(report->last->gtid == uuid + ":62");

  report = check_binlog_files({file}, {.start_gtid = uuid + ":1-50"});
  REQUIRE(report.ok());
  REQUIRE(report->problems.size() == 1);
  CHECK(report->problems[0].offset == 194);
  CHECK(mentions(report->problems[0], uuid + ":51-52 (2 transactions) is missing before " + uuid + ":53"));
}

TEST_CASE("a file a server closed with STOP (shutdown) needs no ROTATE before the next one") {
  // events.tsv: bug27213339-bin.000001 ends with a STOP event at 11102 (23 bytes, to 11125).
  const fs::path original = test::fixtures_dir() / "mysql-5.7" / "bug27213339-bin.000001";
  const auto bytes = test::read_file(original);
  REQUIRE(bytes.size() == 11125);
  test::TempRepo repo;
  write_file(repo.path / "s-bin.000001", bytes);
  write_file(repo.path / "s-bin.000002", bytes);
  auto report = check_binlog_files({repo.path / "s-bin.000001", repo.path / "s-bin.000002"});
  REQUIRE(report.ok());
  CAPTURE(describe(*report));
  for (const Problem& p : report->problems) CHECK_FALSE(mentions(p, "ROTATE"));

  // Without its STOP the first file looks cut short.
  write_file(repo.path / "s-bin.000001", std::vector<uint8_t>(bytes.begin(), bytes.begin() + 11102));
  auto cut = check_binlog_files({repo.path / "s-bin.000001", repo.path / "s-bin.000002"});
  REQUIRE(cut.ok());
  CAPTURE(describe(*cut));
  bool named = false;
  for (const Problem& p : cut->problems)
    named = named || (p.offset == 11102u && mentions(p, "ends without a ROTATE"));
  CHECK(named);
}

TEST_CASE("usage errors") {
  CHECK(check_binlog_files({}).error().code == ErrorCode::kInvalidArgument);
  test::TempRepo repo;
  CHECK(check_binlog_source(repo.path, "nope").error().code == ErrorCode::kNotFound);
  CHECK(check_binlog_files({repo.path / "missing.000001"}).error().code == ErrorCode::kNotFound);
}

}  // namespace mzl::verify
