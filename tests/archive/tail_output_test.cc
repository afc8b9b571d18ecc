// StreamPlacement and TailOutput (the archiver's --output) on the dump model of archive_test_support.h: the
// events a dump sends, framed by the real StreamCursor, come out as the server's files (raw) or as the JSON
// lines --read gives for those files, restarted dumps add no duplicate, and nothing past the last marked
// transaction boundary is released.
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include <fstream>

#include "archive_test_support.h"
#include "mzl/archive/read_binlogs.h"
#include "mzl/archive/tail_output.h"
#include "mzl/net/event_placement.h"
#include "mzl/net/stream_cursor.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::archive;
using mzl::net::StreamPlacement;
using mzl::test::DumpEvent;
using mzl::test::ServerBinlog;

namespace {

std::optional<ServerBinlog> two_file_server() {
  auto server = ServerBinlog::from_fixture();
  if (!server) return std::nullopt;
  server->begin_file("mariadb-bin.000001");
  server->transaction(1);
  server->transaction(2);
  server->ddl(3);
  server->rotate("mariadb-bin.000002");
  server->begin_file("mariadb-bin.000002");
  server->transaction(4);
  server->ddl(5);
  return server;
}

// The server's files as one raw stream: the magic once, then each file after its magic.
std::vector<uint8_t> server_stream(const ServerBinlog& server) {
  std::vector<uint8_t> out(codec::kBinlogMagic, codec::kBinlogMagic + codec::kBinlogMagicSize);
  for (const auto& file : server.files()) out.insert(out.end(), file.bytes.begin() + 4, file.bytes.end());
  return out;
}

// Feeds a dump through a StreamCursor (as ReplicaStream does) and the placement into `output`, marking
// every event as a boundary. Stops after `limit` dump events.
void place_dump(const std::vector<DumpEvent>& dump, StreamPlacement& placement, TailOutput& output,
                size_t limit = SIZE_MAX) {
  net::StreamCursor cursor(
      "model", codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32),
      placement.file(), placement.position() == 0 ? 4 : placement.position(), false, true);
  for (size_t i = 0; i < dump.size() && i < limit; ++i) {
    std::vector<uint8_t> packet{0x00};
    packet.insert(packet.end(), dump[i].bytes.begin(), dump[i].bytes.end());
    auto event = cursor.accept(packet);
    INFO((event.ok() ? std::string() : event.error().to_string()));
    REQUIRE(event.ok());
    REQUIRE(event->has_value());
    auto placed = placement.place(**event);
    INFO((placed.ok() ? std::string() : placed.error().to_string()));
    REQUIRE(placed.ok());
    if (!*placed) continue;
    // As the stream without a repository does: the output finds the transaction boundaries itself.
    REQUIRE(output.add_tracked((*placed)->file, (*placed)->offset, (*placed)->event).ok());
  }
}

}  // namespace

// What TailOutput writes for a whole dump placed by StreamPlacement; `placement` ends where the dump did.
std::vector<uint8_t> output_of(const std::vector<DumpEvent>& dump, OutputFormat format,
                               StreamPlacement& placement) {
  std::vector<uint8_t> sink;
  auto out = make_memory_output(sink);
  TailOutput output(format, *out);
  REQUIRE(output.begin().ok());
  place_dump(dump, placement, output);
  REQUIRE(output.release().ok());
  return sink;
}

TEST_CASE("tail output: a dump placed and written raw is the server's files, also across a restart") {
  auto server = two_file_server();
  if (!server) return;
  const std::vector<uint8_t> expected = server_stream(*server);

  SECTION("one dump") {
    StreamPlacement placement;
    CHECK(output_of(server->dump_from("", 4), OutputFormat::kRaw, placement) == expected);
    CHECK(placement.file() == "mariadb-bin.000002");
    CHECK(placement.position() == server->files()[1].bytes.size());
  }
  SECTION("a dump cut at every event, restarted at the last transaction boundary before it") {
    const auto dump = server->dump_from("", 4);
    for (size_t cut = 1; cut < dump.size(); ++cut) {
      INFO("cut after " << cut << " dump events");
      std::vector<uint8_t> sink;
      auto out = make_memory_output(sink);
      TailOutput output(OutputFormat::kRaw, *out);
      REQUIRE(output.begin().ok());
      StreamPlacement placement;
      place_dump(dump, placement, output, cut);
      // Restart earlier than what was passed on (as a server would at a transaction boundary): the events
      // already written are skipped, not repeated.
      std::string file = placement.file().empty() ? "" : placement.file();
      uint64_t restart = 4;
      if (!file.empty()) {
        const auto& boundaries =
            std::find_if(server->files().begin(), server->files().end(), [&](const auto& f) {
              return f.name == file;
            })->boundaries;
        for (uint64_t b : boundaries) {
          if (b <= placement.position()) restart = b;
        }
      }
      StreamPlacement again = placement;
      const auto resumed = server->dump_from(file, restart);
      place_dump(resumed, again, output);
      REQUIRE(output.release().ok());
      CHECK(sink == expected);
    }
  }
}

TEST_CASE("tail output: JSON lines are those --read writes for the same files") {
  auto server = two_file_server();
  if (!server) return;
  test::TempRepo dir;
  std::vector<std::filesystem::path> files;
  for (const auto& file : server->files()) {
    files.push_back(dir.path / file.name);
    std::ofstream(files.back(), std::ios::binary)
        .write(reinterpret_cast<const char*>(file.bytes.data()),
               static_cast<std::streamsize>(file.bytes.size()));
  }
  std::vector<uint8_t> read_sink;
  auto read_out = make_memory_output(read_sink);
  ReadBinlogsOptions read_options;
  read_options.files = files;
  REQUIRE(read_binlogs(read_options, *read_out).ok());
  std::string expected(read_sink.begin(), read_sink.end());
  const std::string prefix = "\"file\":\"" + dir.path.string() + "/";
  for (size_t at = expected.find(prefix); at != std::string::npos; at = expected.find(prefix, at)) {
    expected.replace(at, prefix.size(), "\"file\":\"");
  }

  StreamPlacement placement;
  const auto sink = output_of(server->dump_from("", 4), OutputFormat::kJson, placement);
  // The stream's rows lines also carry their transaction's gtid and xid, and the last one "commit":true
  // (CHANGE STREAM): each is checked, then taken off to compare the rest with --read's lines.
  const std::regex fields(R"re(,"gtid":"0-1-([0-9]+)","xid":([0-9]+)(,"commit":true)?\}$)re");
  std::istringstream lines(std::string(sink.begin(), sink.end()));
  std::string line, stripped;
  size_t rows_lines = 0, commits = 0;
  while (std::getline(lines, line)) {
    if (line.find("\"rows\":") != std::string::npos) {
      std::smatch match;
      INFO(line);
      REQUIRE(std::regex_search(line, match, fields));
      ++rows_lines;
      commits += match[3].matched;
      line = match.prefix().str() + "}";
    }
    stripped += line + "\n";
  }
  CHECK(rows_lines > 0);
  size_t xids = 0;
  for (size_t at = expected.find("\"type\":\"XID\""); at != std::string::npos;
       at = expected.find("\"type\":\"XID\"", at + 1)) {
    ++xids;
  }
  CHECK(commits == xids);
  CHECK(stripped == expected);
}

TEST_CASE("tail output: only events up to the last marked boundary are released") {
  auto server = two_file_server();
  if (!server) return;
  const auto& first = server->files()[0].bytes;
  std::vector<uint8_t> sink;
  auto out = make_memory_output(sink);
  TailOutput output(OutputFormat::kRaw, *out);
  REQUIRE(output.begin().ok());
  const size_t fd_size = server->files()[0].boundaries.at(0) - 4;
  output.add("mariadb-bin.000001", 4, Bytes(first.data() + 4, fd_size));
  output.mark_boundary();
  const uint64_t next = 4 + fd_size;
  const uint64_t next_end = server->files()[0].boundaries.at(1);
  output.add("mariadb-bin.000001", next, Bytes(first.data() + next, next_end - next));
  CHECK(output.held_bytes() == next_end - 4);
  REQUIRE(output.release().ok());
  CHECK(sink == std::vector<uint8_t>(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(next)));
  CHECK(output.held_bytes() == next_end - next);
  output.mark_boundary();
  REQUIRE(output.release().ok());
  CHECK(sink == std::vector<uint8_t>(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(next_end)));
  CHECK(output.held_bytes() == 0);
}

TEST_CASE("tail output: an event past the end of what was passed on is refused") {
  auto server = two_file_server();
  if (!server) return;
  auto dump = server->dump_from("", 4);
  dump.erase(dump.begin() + 3);  // ROTATE, FORMAT_DESCRIPTION, GTID_LIST, [BINLOG_CHECKPOINT], GTID ...
  net::StreamCursor cursor(
      "model", codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32), "", 4,
      false, true);
  StreamPlacement placement;
  std::optional<Error> refused;
  for (const auto& e : dump) {
    std::vector<uint8_t> packet{0x00};
    packet.insert(packet.end(), e.bytes.begin(), e.bytes.end());
    auto event = cursor.accept(packet);
    REQUIRE(event.ok());
    auto placed = placement.place(**event);
    if (!placed.ok()) {
      refused = placed.error();
      break;
    }
  }
  REQUIRE(refused);
  CHECK(refused->code == ErrorCode::kCorrupt);
  CHECK(refused->where == "mariadb-bin.000001");
}

TEST_CASE("tail output: closed_file_format_description restores log_pos and clears the in-use flag") {
  auto server = two_file_server();
  if (!server) return;
  const auto& file = server->files()[0].bytes;
  const size_t fd_size = server->files()[0].boundaries.at(0) - 4;
  const std::vector<uint8_t> closed(file.begin() + 4,
                                    file.begin() + 4 + static_cast<std::ptrdiff_t>(fd_size));
  // As a dump sends it past position 4: log_pos 0; as the open file holds it: LOG_EVENT_BINLOG_IN_USE_F.
  std::vector<uint8_t> dumped = closed;
  test::set_log_pos(dumped, 0);
  std::vector<uint8_t> in_use = closed;
  in_use[17] |= 0x01;  // the CRC32 is computed with the flag clear: still valid
  for (const auto& variant : {closed, dumped, in_use}) {
    auto fixed = codec::closed_file_format_description(variant);
    INFO((fixed.ok() ? std::string() : fixed.error().to_string()));
    REQUIRE(fixed.ok());
    CHECK(fixed->event == closed);
  }
  std::vector<uint8_t> misplaced = closed;
  test::set_log_pos(misplaced, 1000);
  auto refused = codec::closed_file_format_description(misplaced);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::kCorrupt);
}

// MySQL's binlog_transaction_compression: each transaction is one TRANSACTION_PAYLOAD whose XID and rows
// events are inside it; the stream's rows lines still carry the transaction's xid and its last one
// "commit":true.
TEST_CASE("tail output: rows inside a TRANSACTION_PAYLOAD carry their transaction's xid and commit") {
  const auto path = test::fixtures_dir() / "mysql-8.0" / "transaction_compression.000001";
  if (!std::filesystem::exists(path)) {
    test::skip_or_fail("fixture " + path.string() + " is missing");
    return;
  }
  const std::vector<uint8_t> bytes = test::read_file(path);
  std::vector<uint8_t> sink;
  auto out = make_memory_output(sink);
  TailOutput output(OutputFormat::kJson, *out);
  for (size_t at = 4; at + 19 <= bytes.size();) {
    const uint32_t size = static_cast<uint32_t>(bytes[at + 9]) | static_cast<uint32_t>(bytes[at + 10]) << 8 |
                          static_cast<uint32_t>(bytes[at + 11]) << 16 |
                          static_cast<uint32_t>(bytes[at + 12]) << 24;
    REQUIRE(size >= 19);
    REQUIRE(at + size <= bytes.size());
    REQUIRE(output.add_tracked("transaction_compression.000001", at, Bytes(bytes.data() + at, size)).ok());
    at += size;
  }
  auto released = output.release();
  INFO((released.ok() ? "" : released.error().to_string()));
  REQUIRE(released.ok());
  const std::string lines(sink.begin(), sink.end());
  size_t rows_lines = 0, commits = 0, payloads = 0;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"type\":\"TRANSACTION_PAYLOAD\"") != std::string::npos) ++payloads;
    if (line.find("\"rows\":") == std::string::npos) continue;
    ++rows_lines;
    INFO(line);
    CHECK(line.find("\"xid\":") != std::string::npos);  // (the fixture's transactions are ANONYMOUS: no gtid)
    commits += line.find("\"commit\":true") != std::string::npos;
  }
  CHECK(payloads > 0);
  CHECK(rows_lines > 0);
  CHECK(commits == payloads);  // each payload is one transaction with rows
}
