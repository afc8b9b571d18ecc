// ArchiveReader over archived files built from the real fixture events (archive_test_support.h), a real
// MySQL 8.0 fixture with a compressed transaction, and a hand-built XA transaction: files crossed in order,
// an .lz4 file read like its plain twin, truncation named by file and offset, and the transaction
// boundaries TransactionTracker gives each event; past damage (continue_past_damage, mzl-verify): a damaged
// event handed out with its file and offset and the events after it still read.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "archive_test_support.h"
#include "hand_built_binlog.h"
#include "mzl/archive/archive_reader.h"
#include "mzl/archive/binlog_file_list.h"
#include "mzl/archive/compress_binlog.h"
#include "mzl/codec/event_type.h"
#include "mzl/util/crc32.h"
#include "mzl/util/durable_file.h"
#include "test_support.h"

namespace mzl::test {
namespace {

using archive::ArchiveEvent;
using archive::ArchiveReader;
using archive::ArchiveReaderOptions;

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// What a test checks of each event handed out.
struct Seen {
  std::string file;
  uint64_t offset = 0;
  uint8_t type = 0;
  bool starts = false, ends = false, inside = false;
  std::string gtid;
};

struct ReadAll {
  std::vector<Seen> events;
  std::optional<Error> error;
};

ReadAll read_all_events(ArchiveReader& reader) {
  ReadAll out;
  while (true) {
    auto next = reader.next();
    if (!next.ok()) {
      out.error = next.error();
      return out;
    }
    if (*next == nullptr) return out;
    const ArchiveEvent& e = **next;
    out.events.push_back(Seen{e.file, e.raw.offset, e.raw.header.type_code, e.starts_transaction,
                              e.ends_transaction, e.in_transaction, e.gtid});
  }
}

std::vector<Seen> starting(const std::vector<Seen>& events) {
  std::vector<Seen> out;
  for (const Seen& e : events)
    if (e.starts) out.push_back(e);
  return out;
}
std::vector<Seen> ending(const std::vector<Seen>& events) {
  std::vector<Seen> out;
  for (const Seen& e : events)
    if (e.ends) out.push_back(e);
  return out;
}

// Two files as a MariaDB server writes them: 000001 holds transaction 0-1-1, the DDL 0-1-2 and a ROTATE;
// 000002 holds transaction 0-1-3.
std::optional<ServerBinlog> two_files() {
  auto server = ServerBinlog::from_fixture();
  if (!server) return std::nullopt;
  server->begin_file("mariadb-bin.000001");
  server->transaction(1);
  server->ddl(2);
  server->rotate("mariadb-bin.000002");
  server->begin_file("mariadb-bin.000002");
  server->transaction(3);
  return server;
}

void write_files(const ServerBinlog& server, const std::filesystem::path& dir) {
  for (const ServerFile& f : server.files()) write_bytes(dir / f.name, f.bytes);
}

// The transaction boundaries of two_files(), from the model's own record of where each transaction ends
// (ServerFile::boundaries lists the end of every event after which no transaction is open: the file's
// first three events, then each transaction's last event, then the ROTATE).
void check_two_files(const ServerBinlog& server, const std::vector<Seen>& events) {
  const auto& f1 = server.files()[0];
  const auto& f2 = server.files()[1];
  REQUIRE(f1.boundaries.size() == 6);  // FD, GTID_LIST, CHECKPOINT, XID of 0-1-1, DDL 0-1-2, ROTATE
  REQUIRE(f2.boundaries.size() == 4);  // FD, GTID_LIST, CHECKPOINT, XID of 0-1-3

  const auto starts = starting(events);
  REQUIRE(starts.size() == 3);
  CHECK(starts[0].file == "mariadb-bin.000001");
  CHECK(starts[0].offset == f1.boundaries[2]);  // the GTID event right after the checkpoint
  CHECK(starts[0].gtid == "0-1-1");
  CHECK(starts[1].offset == f1.boundaries[3]);
  CHECK(starts[1].gtid == "0-1-2");
  CHECK(starts[2].file == "mariadb-bin.000002");
  CHECK(starts[2].offset == f2.boundaries[2]);
  CHECK(starts[2].gtid == "0-1-3");

  const auto ends = ending(events);
  REQUIRE(ends.size() == 3);
  CHECK(ends[0].type == codec::code(codec::EventType::kXid));
  CHECK(ends[0].gtid == "0-1-1");
  CHECK(ends[1].type == codec::code(codec::EventType::kQuery));  // the DDL ends its own group
  CHECK(ends[1].gtid == "0-1-2");
  CHECK(ends[2].file == "mariadb-bin.000002");
  CHECK(ends[2].gtid == "0-1-3");

  size_t in_file2 = 0;
  for (const Seen& e : events) {
    if (e.file == "mariadb-bin.000002") ++in_file2;
    if (e.type == codec::code(codec::EventType::kFormatDescription) ||
        e.type == codec::code(codec::EventType::kRotate)) {
      CHECK_FALSE(e.inside);
    }
    if (e.type == codec::code(codec::EventType::kTableMap)) {
      CHECK(e.inside);
      CHECK_FALSE(e.starts);
      CHECK_FALSE(e.ends);
    }
  }
  CHECK(in_file2 == 8);  // FD, GTID_LIST, CHECKPOINT, GTID, ANNOTATE_ROWS, TABLE_MAP, WRITE_ROWS, XID
  CHECK(events.front().offset == codec::kBinlogMagicSize);
  CHECK(events.back().file == "mariadb-bin.000002");
}

// What a test checks of each item read past damage.
struct Item {
  archive::ArchiveItem kind = archive::ArchiveItem::kEvent;
  std::string file;
  uint64_t offset = 0;  // raw.offset (kFileEnd: stopped_at)
  uint8_t type = 0;
  bool starts = false, ends = false, inside = false;
  std::string gtid;
  std::optional<Error> damage;
};

std::vector<Item> read_items(ArchiveReader& reader, std::optional<Error>& error) {
  std::vector<Item> items;
  while (true) {
    auto next = reader.next();
    if (!next.ok()) {
      error = next.error();
      return items;
    }
    if (*next == nullptr) return items;
    const ArchiveEvent& e = **next;
    const bool end = e.item == archive::ArchiveItem::kFileEnd;
    items.push_back(Item{e.item, e.file, end ? e.stopped_at : e.raw.offset, e.raw.header.type_code,
                         e.starts_transaction, e.ends_transaction, e.in_transaction, e.gtid, e.damage});
  }
}

const Item* item_at(const std::vector<Item>& items, const std::string& file, uint64_t offset) {
  for (const Item& i : items)
    if (i.file == file && i.offset == offset && i.kind != archive::ArchiveItem::kFileEnd) return &i;
  return nullptr;
}

// Two files of hand-built transactions: 000001 holds 0-1-1, 0-1-2 (GTID, BEGIN, INSERT, XID) and 0-1-3;
// 000002 holds 0-1-4. The offsets of 0-1-2's events are kept for the damage the tests do.
struct DamageFiles {
  HandBuiltBinlog first, second;
  uint64_t t1 = 0, gtid2 = 0, begin2 = 0, insert2 = 0, xid2 = 0, t3 = 0, t4 = 0;
  std::filesystem::path path1, path2;

  explicit DamageFiles(const std::filesystem::path& dir)
      : path1(dir / "mariadb-bin.000001"), path2(dir / "mariadb-bin.000002") {
    t1 = first.transaction(1);
    gtid2 = first.gtid(2);
    begin2 = first.query("BEGIN");
    insert2 = first.query("INSERT INTO t VALUES (2)");
    xid2 = first.xid();
    t3 = first.transaction(3);
    t4 = second.transaction(4);
    first.write(path1);
    second.write(path2);
  }
  // file 000001 with `bytes` instead of what was built.
  void replace_first(const std::vector<uint8_t>& bytes) const { write_bytes(path1, bytes); }
};

ArchiveReaderOptions past_damage() {
  return ArchiveReaderOptions{.continue_past_damage = true};
}

}  // namespace

TEST_CASE("ArchiveReader crosses files in order with each transaction's start, end and GTID") {
  auto server = two_files();
  if (!server) return skip_or_fail("fixtures/binlogs/mariadb-10.5 is missing");
  TempRepo dir;
  write_files(*server, dir.path);
  auto files = archive::archive_files_from(dir.path.string(), "mariadb-bin.000001");
  REQUIRE(files.ok());
  REQUIRE(files->size() == 2);
  ArchiveReader reader(*files);
  const ReadAll read = read_all_events(reader);
  REQUIRE_FALSE(read.error);
  check_two_files(*server, read.events);
  CHECK(reader.files_opened() == 2);
  CHECK(reader.file() == "mariadb-bin.000002");
  CHECK(reader.tracker().gtid_position() == "0-1-3");
}

TEST_CASE("ArchiveReader reads a compressed file like its plain twin") {
  auto server = two_files();
  if (!server) return skip_or_fail("fixtures/binlogs/mariadb-10.5 is missing");
  TempRepo dir;
  write_files(*server, dir.path);
  const auto& first = server->files()[0];
  const std::string plain = (dir.path / first.name).string();
  REQUIRE(archive::compress_closed_binlog(real_file_system(), plain, first.bytes.size(), crc32(first.bytes))
              .ok());
  REQUIRE_FALSE(std::filesystem::exists(plain));
  auto files = archive::archive_files_from(dir.path.string(), "mariadb-bin.000001");
  REQUIRE(files.ok());
  REQUIRE(files->size() == 2);
  CHECK((*files)[0].filename() == "mariadb-bin.000001.lz4");
  ArchiveReader reader(*files);
  const ReadAll read = read_all_events(reader);
  REQUIRE_FALSE(read.error);
  check_two_files(*server, read.events);  // the same offsets: those of the server's (uncompressed) file
  CHECK(read.events.front().file == "mariadb-bin.000001");
}

TEST_CASE(
    "ArchiveReader skips the first file's events before the start position, except its FORMAT_DESCRIPTION") {
  auto server = two_files();
  if (!server) return skip_or_fail("fixtures/binlogs/mariadb-10.5 is missing");
  TempRepo dir;
  write_files(*server, dir.path);
  const uint64_t ddl_gtid = server->files()[0].boundaries[3];
  ArchiveReader reader({dir.path / "mariadb-bin.000001", dir.path / "mariadb-bin.000002"},
                       ArchiveReaderOptions{.start_position = ddl_gtid});
  const ReadAll read = read_all_events(reader);
  REQUIRE_FALSE(read.error);
  REQUIRE(read.events.size() >= 2);
  CHECK(read.events[0].offset == codec::kBinlogMagicSize);
  CHECK(read.events[1].offset == ddl_gtid);
  const auto starts = starting(read.events);
  REQUIRE(starts.size() == 2);
  CHECK(starts[0].gtid == "0-1-2");
  CHECK(starts[1].gtid == "0-1-3");
}

TEST_CASE("ArchiveReader names the file and offset of a truncated event") {
  auto server = two_files();
  if (!server) return skip_or_fail("fixtures/binlogs/mariadb-10.5 is missing");
  TempRepo dir;
  write_files(*server, dir.path);
  const auto& f1 = server->files()[0];
  const auto& f2 = server->files()[1];
  const std::vector<std::filesystem::path> files{dir.path / f1.name, dir.path / f2.name};
  // The last file cut 10 bytes into the GTID event of 0-1-3 (it starts where the checkpoint ends).
  const uint64_t cut_event = f2.boundaries[2];
  write_bytes(dir.path / f2.name, std::vector<uint8_t>(f2.bytes.begin(), f2.bytes.begin() + cut_event + 10));

  SECTION("an error by default") {
    ArchiveReader reader(files);
    const ReadAll read = read_all_events(reader);
    REQUIRE(read.error);
    CHECK(read.error->code == ErrorCode::kNeedMoreData);
    CHECK(read.error->where == files[1].string());
    CHECK(read.error->offset == cut_event);
    CHECK(read.events.back().file == "mariadb-bin.000002");
    CHECK(starting(read.events).size() == 2);
  }
  SECTION("the end of the archive when the last file may be being written") {
    ArchiveReader reader(files, ArchiveReaderOptions{.last_file_may_be_partial = true});
    const ReadAll read = read_all_events(reader);
    REQUIRE_FALSE(read.error);
    CHECK(read.events.back().offset == f2.boundaries[1]);  // the checkpoint, the last complete event
    auto again = reader.next();                            // stays at the end
    REQUIRE(again.ok());
    CHECK(*again == nullptr);
  }
  SECTION("a file before the last cut short is corrupt") {
    write_bytes(dir.path / f2.name, f2.bytes);
    const uint64_t rotate = f1.boundaries[4];  // the ROTATE starts where the DDL ends
    write_bytes(dir.path / f1.name, std::vector<uint8_t>(f1.bytes.begin(), f1.bytes.begin() + rotate + 3));
    ArchiveReader reader(files, ArchiveReaderOptions{.last_file_may_be_partial = true});
    const ReadAll read = read_all_events(reader);
    REQUIRE(read.error);
    CHECK(read.error->code == ErrorCode::kCorrupt);
    CHECK(read.error->where == files[0].string());
    CHECK(read.error->offset == rotate);
    CHECK(read.error->message.find("truncated") != std::string::npos);
  }
}

TEST_CASE("ArchiveReader names the file and offset of a CRC32 mismatch") {
  auto server = two_files();
  if (!server) return skip_or_fail("fixtures/binlogs/mariadb-10.5 is missing");
  TempRepo dir;
  write_files(*server, dir.path);
  const auto& f2 = server->files()[1];
  std::vector<uint8_t> damaged = f2.bytes;
  const uint64_t gtid = f2.boundaries[2];
  damaged[gtid + 20] ^= 0x40;  // a byte of the GTID event's body
  write_bytes(dir.path / f2.name, damaged);
  ArchiveReader reader({dir.path / server->files()[0].name, dir.path / f2.name});
  const ReadAll read = read_all_events(reader);
  REQUIRE(read.error);
  CHECK(read.error->code == ErrorCode::kChecksumMismatch);
  CHECK(read.error->where == (dir.path / f2.name).string());
  CHECK(read.error->offset == gtid);
}

TEST_CASE("ArchiveReader ends an XA transaction at XA_PREPARE, and XA COMMIT is a transaction of its own") {
  HandBuiltBinlog binlog;
  const uint64_t first = binlog.transaction(1);
  const uint64_t xa_gtid = binlog.gtid(2, codec::kMariaFlPreparedXa);
  binlog.query("XA START X'78',X'',1");
  binlog.query("INSERT INTO t VALUES (2)");
  binlog.query("XA END X'78',X'',1");
  const uint64_t prepare = binlog.xa_prepare();
  // MariaDB 10.11 logs XA COMMIT under a standalone GTID (no terminating COMMIT event follows).
  const uint64_t commit_gtid = binlog.gtid(3, codec::kMariaFlCompletedXa | codec::kMariaFlStandalone);
  const uint64_t commit = binlog.query("XA COMMIT X'78',X'',1");
  const uint64_t last = binlog.transaction(4);
  TempRepo dir;
  binlog.write(dir.path / "mariadb-bin.000001");
  ArchiveReader reader({dir.path / "mariadb-bin.000001"});
  const ReadAll read = read_all_events(reader);
  REQUIRE_FALSE(read.error);
  const auto starts = starting(read.events);
  const auto ends = ending(read.events);
  REQUIRE(starts.size() == 4);
  REQUIRE(ends.size() == 4);
  CHECK(starts[0].offset == first);
  CHECK(starts[1].offset == xa_gtid);
  CHECK(starts[1].gtid == "0-1-2");
  CHECK(ends[1].offset == prepare);
  CHECK(ends[1].type == codec::code(codec::EventType::kXaPrepare));
  CHECK(ends[1].gtid == "0-1-2");
  CHECK(starts[2].offset == commit_gtid);
  CHECK(ends[2].offset == commit);
  CHECK(ends[2].gtid == "0-1-3");
  CHECK(starts[3].offset == last);
  CHECK(reader.tracker().gtid_position() == "0-1-4");
}

// Statement-logged transactions as MariaDB 10.11 writes them (checked with SHOW BINLOG EVENTS and
// mzl-binlog-tail --read on a sandbox, binlog_format=STATEMENT): no BEGIN query, the GTID event without
// FL_STANDALONE opens the transaction, which ends at XID (InnoDB) or QUERY "COMMIT" (MyISAM); a DDL's GTID is
// standalone. A tracker that took the first QUERY for the end split every such transaction in two and set
// a resume point inside it.
TEST_CASE(
    "ArchiveReader: a MariaDB GTID without FL_STANDALONE opens a transaction that ends at XID or COMMIT") {
  HandBuiltBinlog binlog;
  const uint64_t one = binlog.gtid(1, codec::kMariaFlTransactional);
  binlog.query("INSERT INTO t VALUES (3)");
  const uint64_t one_end = binlog.xid();
  const uint64_t two = binlog.gtid(2, codec::kMariaFlTransactional);
  binlog.query("INSERT INTO t VALUES (4)");
  binlog.query("INSERT INTO t VALUES (5)");
  const uint64_t two_end = binlog.xid();
  const uint64_t three = binlog.gtid(3, codec::kMariaFlAllowParallel);  // MyISAM: not transactional
  binlog.query("INSERT INTO m VALUES (1)");
  const uint64_t three_end = binlog.query("COMMIT");
  const uint64_t four = binlog.gtid(4, codec::kMariaFlStandalone | codec::kMariaFlDdl);
  const uint64_t four_end = binlog.query("CREATE TABLE u (a INT)");
  TempRepo dir;
  binlog.write(dir.path / "mariadb-bin.000001");
  ArchiveReader reader({dir.path / "mariadb-bin.000001"});
  const ReadAll read = read_all_events(reader);
  REQUIRE_FALSE(read.error);
  const auto starts = starting(read.events);
  const auto ends = ending(read.events);
  REQUIRE(starts.size() == 4);
  REQUIRE(ends.size() == 4);
  const std::vector<uint64_t> start_offsets{one, two, three, four};
  const std::vector<uint64_t> end_offsets{one_end, two_end, three_end, four_end};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(starts[i].offset == start_offsets[i]);
    CHECK(ends[i].offset == end_offsets[i]);
    CHECK(ends[i].gtid == "0-1-" + std::to_string(i + 1));
  }
  CHECK(reader.tracker().gtid_position() == "0-1-4");
}

TEST_CASE("ArchiveReader ends a MySQL compressed transaction at its TRANSACTION_PAYLOAD, fixture mysql-8.0") {
  const auto dir = fixtures_dir();
  if (dir.empty()) return skip_or_fail("fixtures/binlogs is missing");
  // fixtures/binlogs/mysql-8.0/events.tsv: FORMAT_DESCRIPTION 4, PREVIOUS_GTIDS 126, ANONYMOUS_GTID 197,
  // TRANSACTION_PAYLOAD 274, ROTATE 431.
  ArchiveReader reader({dir / "mysql-8.0" / "transaction_compression.000001"});
  const ReadAll read = read_all_events(reader);
  REQUIRE_FALSE(read.error);
  REQUIRE(read.events.size() == 5);
  const std::vector<uint64_t> offsets{4, 126, 197, 274, 431};
  for (size_t i = 0; i < offsets.size(); ++i) CHECK(read.events[i].offset == offsets[i]);
  CHECK_FALSE(read.events[1].inside);
  CHECK(read.events[2].starts);
  CHECK_FALSE(read.events[2].ends);
  CHECK(read.events[3].ends);
  CHECK(read.events[3].inside);
  CHECK(read.events[3].gtid.empty());  // anonymous
  CHECK_FALSE(read.events[4].inside);
}

TEST_CASE("ArchiveReader names a file that cannot be opened") {
  TempRepo dir;
  ArchiveReader reader({dir.path / "mariadb-bin.000009"});
  auto next = reader.next();
  REQUIRE_FALSE(next.ok());
  CHECK(next.error().code == ErrorCode::kNotFound);
  CHECK(next.error().where.find("mariadb-bin.000009") != std::string::npos);
}

TEST_CASE("ArchiveReader past damage hands out a CRC32 mismatch with file and offset, then reads on") {
  TempRepo dir;
  DamageFiles files(dir.path);
  std::vector<uint8_t> damaged = files.first.bytes();
  damaged[files.insert2 + 30] ^= 0x08;  // a byte of the INSERT statement's body; its CRC32 is left as it was
  files.replace_first(damaged);

  SECTION("by default reading stops there") {
    ArchiveReader reader({files.path1, files.path2});
    const ReadAll read = read_all_events(reader);
    REQUIRE(read.error);
    CHECK(read.error->code == ErrorCode::kChecksumMismatch);
    CHECK(read.error->offset == files.insert2);
  }
  SECTION("past damage, the event is named and the rest of both files is read") {
    ArchiveReader reader({files.path1, files.path2}, past_damage());
    std::optional<Error> error;
    const std::vector<Item> items = read_items(reader, error);
    REQUIRE_FALSE(error);
    const Item* bad = item_at(items, "mariadb-bin.000001", files.insert2);
    REQUIRE(bad);
    CHECK(bad->kind == archive::ArchiveItem::kUnreadableEvent);
    REQUIRE(bad->damage);
    CHECK(bad->damage->code == ErrorCode::kChecksumMismatch);
    CHECK(bad->damage->where == files.path1.string());
    CHECK(bad->damage->offset == files.insert2);
    CHECK_FALSE(bad->inside);

    // 0-1-2 is abandoned: its XID ends nothing; 0-1-3 and, in the next file, 0-1-4 are whole.
    const Item* xid = item_at(items, "mariadb-bin.000001", files.xid2);
    REQUIRE(xid);
    CHECK(xid->kind == archive::ArchiveItem::kEvent);
    CHECK_FALSE(xid->damage);
    CHECK_FALSE(xid->ends);
    CHECK_FALSE(xid->inside);
    const Item* t3 = item_at(items, "mariadb-bin.000001", files.t3);
    REQUIRE(t3);
    CHECK(t3->starts);
    CHECK(t3->gtid == "0-1-3");
    const Item* t4 = item_at(items, "mariadb-bin.000002", files.t4);
    REQUIRE(t4);
    CHECK(t4->starts);
    CHECK(t4->gtid == "0-1-4");

    // Each file ends with a clean kFileEnd at its size: 1 FD + 3 x 4 events, then 1 FD + 4 events.
    REQUIRE(items.size() == 13 + 1 + 5 + 1);
    CHECK(items[13].kind == archive::ArchiveItem::kFileEnd);
    CHECK(items[13].file == "mariadb-bin.000001");
    CHECK(items[13].offset == files.first.size());
    CHECK_FALSE(items[13].damage);
    CHECK(items.back().kind == archive::ArchiveItem::kFileEnd);
    CHECK(items.back().file == "mariadb-bin.000002");
    CHECK(items.back().offset == files.second.size());
    CHECK(reader.tracker().gtid_position() == "0-1-4");
  }
}

TEST_CASE("ArchiveReader past damage hands out an event whose body does not decode, then reads on") {
  TempRepo dir;
  HandBuiltBinlog binlog;
  const uint64_t t1 = binlog.transaction(1);
  // A GTID event with a body too short for a GTID, and a valid CRC32.
  const uint64_t bad_gtid = binlog.add(
      codec::EventType::kMariaGtid, codec::OpaqueEvent{codec::code(codec::EventType::kMariaGtid), {1, 2, 3}});
  const uint64_t t3 = binlog.transaction(3);
  const auto path = dir.path / "mariadb-bin.000001";
  binlog.write(path);

  ArchiveReader strict({path});
  const ReadAll read = read_all_events(strict);
  REQUIRE(read.error);
  CHECK(read.error->code == ErrorCode::kCorrupt);
  CHECK(read.error->offset == bad_gtid);

  ArchiveReader reader({path}, past_damage());
  std::optional<Error> error;
  const std::vector<Item> items = read_items(reader, error);
  REQUIRE_FALSE(error);
  const Item* bad = item_at(items, "mariadb-bin.000001", bad_gtid);
  REQUIRE(bad);
  CHECK(bad->kind == archive::ArchiveItem::kEvent);
  REQUIRE(bad->damage);
  CHECK(bad->damage->code == ErrorCode::kCorrupt);
  CHECK(bad->damage->where == path.string());
  CHECK(bad->damage->offset == bad_gtid);
  CHECK(bad->type == codec::code(codec::EventType::kMariaGtid));
  CHECK_FALSE(bad->inside);
  CHECK_FALSE(bad->starts);
  const Item* first = item_at(items, "mariadb-bin.000001", t1);
  REQUIRE(first);
  CHECK(first->gtid == "0-1-1");
  const Item* last = item_at(items, "mariadb-bin.000001", t3);
  REQUIRE(last);
  CHECK(last->starts);
  CHECK(last->gtid == "0-1-3");
  REQUIRE(items.size() == 1 + 4 + 1 + 4 + 1);  // FD, 0-1-1, the bad GTID, 0-1-3, the file's end
  CHECK(items.back().kind == archive::ArchiveItem::kFileEnd);
  CHECK_FALSE(items.back().damage);
}

TEST_CASE("ArchiveReader past damage ends only the file that is cut short or badly framed") {
  TempRepo dir;
  DamageFiles files(dir.path);
  std::vector<uint8_t> bytes = files.first.bytes();
  ErrorCode expected = ErrorCode::kNeedMoreData;
  SECTION("cut inside an event") {
    bytes.resize(files.insert2 + 10);
  }
  SECTION("an event_size below the 19-byte header") {
    bytes[files.insert2 + 9] = 5;  // event_size, bytes 9..12 of the header
    bytes[files.insert2 + 10] = bytes[files.insert2 + 11] = bytes[files.insert2 + 12] = 0;
    expected = ErrorCode::kCorrupt;
  }
  files.replace_first(bytes);
  ArchiveReader reader({files.path1, files.path2}, past_damage());
  std::optional<Error> error;
  const std::vector<Item> items = read_items(reader, error);
  REQUIRE_FALSE(error);
  // FD, 0-1-1, GTID and BEGIN of 0-1-2, then the end of the file where reading stopped.
  REQUIRE(items.size() == 1 + 4 + 2 + 1 + 5 + 1);
  const Item& end = items[7];
  CHECK(end.kind == archive::ArchiveItem::kFileEnd);
  CHECK(end.file == "mariadb-bin.000001");
  CHECK(end.offset == files.insert2);
  REQUIRE(end.damage);
  CHECK(end.damage->code == expected);
  CHECK(end.damage->where == files.path1.string());
  CHECK(end.damage->offset == files.insert2);
  // The next file is read whole, outside 0-1-2.
  CHECK(items[8].file == "mariadb-bin.000002");
  CHECK(items[8].offset == codec::kBinlogMagicSize);
  CHECK_FALSE(items[8].inside);
  CHECK(items[9].starts);
  CHECK(items[9].gtid == "0-1-4");
  CHECK(items.back().kind == archive::ArchiveItem::kFileEnd);
  CHECK_FALSE(items.back().damage);
}

TEST_CASE("ArchiveReader past damage lets the caller skip the rest of a file and abandon a transaction") {
  TempRepo dir;
  DamageFiles files(dir.path);
  ArchiveReader reader({files.path1, files.path2}, past_damage());
  auto fd = reader.next();
  REQUIRE(fd.ok());
  REQUIRE(*fd);
  CHECK((*fd)->raw.offset == codec::kBinlogMagicSize);
  auto gtid1 = reader.next();
  REQUIRE(gtid1.ok());
  REQUIRE(*gtid1);
  CHECK((*gtid1)->raw.offset == files.t1);
  CHECK((*gtid1)->starts_transaction);
  // Abandoned: 0-1-1's GTID no longer holds; its BEGIN opens a transaction without one (as on a server
  // without GTID events) that its XID ends.
  reader.abandon_transaction();
  for (int i = 0; i < 3; ++i) {
    auto next = reader.next();
    REQUIRE(next.ok());
    REQUIRE(*next);
    CHECK((*next)->gtid.empty());
    CHECK((*next)->starts_transaction == (i == 0));
  }
  reader.skip_rest_of_file();
  std::optional<Error> error;
  const std::vector<Item> rest = read_items(reader, error);
  REQUIRE_FALSE(error);
  REQUIRE(rest.size() == 5 + 1);  // no end item for the skipped file: 000002's FD, 0-1-4, its end
  CHECK(rest.front().file == "mariadb-bin.000002");
  CHECK(rest.front().offset == codec::kBinlogMagicSize);
  CHECK(rest[1].gtid == "0-1-4");
}

}  // namespace mzl::test
