// BinlogSender over an archive directory holding the model server's files (archive_test_support.h): what it
// sends, fed through mzl's own replica side (StreamCursor, StreamPlacement, as mzl-binlog-tail receives a
// real server's dump; tested against real servers there), must place as the server's files byte for byte, for
// a dump by file and position and for a GTID dump that skips what the replica has.
#include "mzl/serve/binlog_sender.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "archive_test_support.h"
#include "mzl/archive/tail_output.h"
#include "mzl/net/event_placement.h"
#include "mzl/net/stream_cursor.h"
#include "mzl/util/output_stream.h"

namespace mzl::test {
namespace {

using namespace mzl::archive;
using namespace mzl::serve;

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

// A closed archive: nothing is being written (the end names no file).
class ClosedArchive final : public ArchiveEndSource {
 public:
  explicit ClosedArchive(ArchiveEnd end = {}) : end_(std::move(end)) {}
  Result<ArchiveEnd> end() override { return end_; }
  void wait(std::chrono::milliseconds) override {}

 private:
  ArchiveEnd end_;
};

class CollectingSink final : public EventSink {
 public:
  Status event(Bytes event) override {
    events.emplace_back(event.begin(), event.end());
    return ok_status();
  }
  Status flush() override { return ok_status(); }
  std::vector<std::vector<uint8_t>> events;
};

// The sent events as a replica of mzl places them: the raw stream of what it would archive.
std::vector<uint8_t> placed(const std::vector<std::vector<uint8_t>>& events, bool gtid_dump) {
  std::vector<uint8_t> sink;
  auto out = make_memory_output(sink);
  TailOutput output(OutputFormat::kRaw, *out);
  REQUIRE(output.begin().ok());
  net::StreamPlacement placement;
  placement.start_dump(gtid_dump);
  net::StreamCursor cursor(
      "served", codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32), "",
      4, false, true);
  for (const auto& bytes : events) {
    std::vector<uint8_t> packet{0x00};
    packet.insert(packet.end(), bytes.begin(), bytes.end());
    auto event = cursor.accept(packet);
    INFO((event.ok() ? std::string() : event.error().to_string()));
    REQUIRE(event.ok());
    REQUIRE(event->has_value());
    auto place = placement.place(**event);
    INFO((place.ok() ? std::string() : place.error().to_string()));
    REQUIRE(place.ok());
    if (!*place) continue;
    REQUIRE(output.add_tracked((*place)->file, (*place)->offset, (*place)->event).ok());
  }
  REQUIRE(output.release().ok());
  return sink;
}

void write_archive(const ServerBinlog& server, const std::string& dir) {
  for (const auto& file : server.files()) {
    std::ofstream(dir + "/" + file.name, std::ios::binary)
        .write(reinterpret_cast<const char*>(file.bytes.data()),
               static_cast<std::streamsize>(file.bytes.size()));
  }
}

std::vector<uint8_t> server_stream(const ServerBinlog& server) {
  std::vector<uint8_t> out(codec::kBinlogMagic, codec::kBinlogMagic + codec::kBinlogMagicSize);
  for (const auto& file : server.files()) out.insert(out.end(), file.bytes.begin() + 4, file.bytes.end());
  return out;
}

TEST_CASE("binlog sender: a dump from the first file is the archive, placed byte for byte by a replica") {
  auto server = two_file_server();
  if (!server) return;
  TempRepo dir;
  write_archive(*server, dir.path.string());
  ClosedArchive end;
  CollectingSink sink;
  std::atomic<bool> stop{false};
  BinlogSender sender(dir.path.string(), "mariadb", 1, end, sink, stop);
  DumpRequest request;
  request.non_blocking = true;
  REQUIRE(sender.run(request).ok());
  CHECK(placed(sink.events, false) == server_stream(*server));
}

TEST_CASE("binlog sender: a dump from a file and position, and a file the archive does not have") {
  auto server = two_file_server();
  if (!server) return;
  TempRepo dir;
  write_archive(*server, dir.path.string());
  ClosedArchive end;
  std::atomic<bool> stop{false};
  {
    CollectingSink sink;
    BinlogSender sender(dir.path.string(), "mariadb", 1, end, sink, stop);
    DumpRequest request;
    request.file = "mariadb-bin.000002";
    request.non_blocking = true;
    REQUIRE(sender.run(request).ok());
    const auto& second = server->files()[1].bytes;
    std::vector<uint8_t> expected(second.begin(), second.end());
    CHECK(placed(sink.events, false) == expected);
  }
  CollectingSink sink;
  BinlogSender sender(dir.path.string(), "mariadb", 1, end, sink, stop);
  DumpRequest request;
  request.file = "mariadb-bin.000009";
  const Status status = sender.run(request);
  REQUIRE(!status.ok());
  CHECK(status.error().code == ErrorCode::kNotFound);
  CHECK(status.error().message.find("Could not find first log file name") != std::string::npos);
}

// (One file: the model writes the same empty GTID list at the start of every file, where a server's second
// file would list 0-1-3.)
TEST_CASE("binlog sender: a GTID dump skips what the replica has and sends the rest") {
  auto server = ServerBinlog::from_fixture();
  if (!server) return;
  server->begin_file("mariadb-bin.000001");
  server->transaction(1);
  server->transaction(2);
  server->ddl(3);
  server->transaction(4);
  TempRepo dir;
  write_archive(*server, dir.path.string());
  ClosedArchive end;
  std::atomic<bool> stop{false};
  for (const auto& [state, expected] :
       std::vector<std::pair<std::string, size_t>>{{"0-1-2", 2}, {"0-1-4", 0}, {"", 4}, {"0-1-1,1-5-7", 3}}) {
    CollectingSink sink;
    BinlogSender sender(dir.path.string(), "mariadb", 1, end, sink, stop);
    DumpRequest request;
    request.gtid_dump = true;
    request.gtid_position = state;
    request.non_blocking = true;
    const Status status = sender.run(request);
    INFO("replica state '" << state << "': " << (status.ok() ? "" : status.error().to_string()));
    REQUIRE(status.ok());
    size_t gtids = 0;
    for (const auto& event : sink.events) gtids += event.size() > 4 && event[4] == 162;
    CHECK(gtids == expected);
    // What a replica of mzl makes of it: the file from its start, without the transactions it had.
    CHECK((placed(sink.events, true).size() < server->files()[0].bytes.size() || expected == 4));
  }
}

TEST_CASE("binlog sender: a damaged event is never sent, the dump ends naming the file and offset") {
  auto server = two_file_server();
  if (!server) return;
  TempRepo dir;
  write_archive(*server, dir.path.string());
  // One byte of the first file's second transaction flipped (inside its rows event's body).
  const auto& first = server->files()[0].bytes;
  const size_t damaged_at = first.size() - 120;
  {
    std::fstream file(dir.path / "mariadb-bin.000001", std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(damaged_at));
    const char flipped = static_cast<char>(first[damaged_at] ^ 0x5A);
    file.write(&flipped, 1);
  }
  ClosedArchive end;
  std::atomic<bool> stop{false};
  CollectingSink sink;
  BinlogSender sender(dir.path.string(), "mariadb", 1, end, sink, stop);
  DumpRequest request;
  request.non_blocking = true;
  const Status status = sender.run(request);
  REQUIRE(!status.ok());
  CHECK(status.error().code == ErrorCode::kChecksumMismatch);
  CHECK(status.error().where.find("mariadb-bin.000001") != std::string::npos);
  // Every event sent is one of the server's, byte for byte, and all of them lie before the damage.
  size_t sent_bytes = 0;
  for (const auto& event : sink.events) {
    if (event.size() > 17 && (event[17] & 0x20)) continue;  // artificial (the ROTATE that names the file)
    const auto at = std::search(first.begin(), first.end(), event.begin(), event.end());
    REQUIRE(at != first.end());
    CHECK(static_cast<size_t>(at - first.begin()) + event.size() <= damaged_at);
    sent_bytes += event.size();
  }
  CHECK(sent_bytes > 0);
}

// START SLAVE UNTIL master_gtid_pos: the dump ends after the transaction that reaches the position, also in a
// later file than the dump started in; a replica that already holds the position gets nothing.
TEST_CASE("binlog sender: @slave_until_gtid ends the dump there, across files, and at once when held") {
  auto server = two_file_server();
  if (!server) return;
  TempRepo dir;
  write_archive(*server, dir.path.string());
  ClosedArchive end;
  std::atomic<bool> stop{false};
  const auto gtid_events = [](const CollectingSink& sink) {
    size_t gtids = 0;
    for (const auto& event : sink.events) gtids += event.size() > 4 && event[4] == 162;
    return gtids;
  };
  struct Case {
    bool gtid_dump;  // else from the first file
    std::string state, until;
    size_t gtids;
    bool reached;
  };
  for (const Case& c : std::vector<Case>{{false, "", "0-1-4", 4, true},
                                         {false, "", "0-1-2", 2, true},
                                         {false, "", "0-1-9", 5, false},
                                         {true, "0-1-3", "0-1-3", 0, true},
                                         {true, "0-1-5", "0-1-4", 0, true}}) {
    CollectingSink sink;
    BinlogSender sender(dir.path.string(), "mariadb", 1, end, sink, stop);
    DumpRequest request;
    request.gtid_dump = c.gtid_dump;
    request.gtid_position = c.state;
    request.until_gtid = c.until;
    request.non_blocking = true;
    const Status status = sender.run(request);
    INFO("state '" << c.state << "' until '" << c.until
                   << "': " << (status.ok() ? "" : status.error().to_string()));
    REQUIRE(status.ok());
    CHECK(gtid_events(sink) == c.gtids);
    CHECK(sender.stats().until_reached == c.reached);
  }
}

}  // namespace
}  // namespace mzl::test
