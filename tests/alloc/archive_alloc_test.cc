// No heap allocation per event on the archive path (issue 16): the events of OLTP-like transactions, taken
// by a net::StreamCursor and appended by a BinlogArchive as mzl-binlog-tail does, allocate nothing once the
// buffers have grown (the counter: alloc/allocation_counter.h).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "alloc/allocation_counter.h"
#include "hand_built_binlog.h"
#include "mzl/archive/binlog_archive.h"
#include "mzl/codec/control_events.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/net/stream_cursor.h"
#include "test_support.h"

namespace mzl::test {
namespace {

using codec::EventType;

std::vector<uint8_t> filler(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 7);
  return bytes;
}

// A sysbench oltp_write_only transaction as MariaDB 10.11 logs it with annotate_rows (ROW format): GTID,
// then per statement ANNOTATE_ROWS, TABLE_MAP and a rows event, then XID; 14 events. The archive does not
// decode the statement events, so their bodies are opaque bytes of typical sizes.
void oltp_transaction(HandBuiltBinlog& binlog, uint64_t seq_no) {
  codec::MariaGtidEvent gtid;  // the 19-byte body of the server: flags2, then flags_extra and padding
  gtid.seq_no = seq_no;
  gtid.flags2 = codec::kMariaFlTransactional | codec::kMariaFlAllowParallel;
  codec::pad_maria_gtid_event(gtid);
  binlog.add(EventType::kMariaGtid, gtid);
  const EventType rows[] = {EventType::kUpdateRowsV1, EventType::kUpdateRowsV1, EventType::kDeleteRowsV1,
                            EventType::kWriteRowsV1};
  for (size_t i = 0; i < 4; ++i) {
    binlog.add(EventType::kMariaAnnotateRows,
               codec::OpaqueEvent{codec::code(EventType::kMariaAnnotateRows), filler(60, 1)});
    binlog.add(EventType::kTableMap, codec::OpaqueEvent{codec::code(EventType::kTableMap), filler(40, 2)});
    binlog.add(rows[i], codec::OpaqueEvent{codec::code(rows[i]), filler(i < 2 ? 250 : 200, 3)});
  }
  binlog.xid();
}

// A fresh directory under /dev/shm (fsync is cheap there) or the temp directory, removed at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    path = base / ("mzl-alloc-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

uint32_t u32_at(const std::vector<uint8_t>& bytes, size_t at) {
  return uint32_t{bytes[at]} | uint32_t{bytes[at + 1]} << 8 | uint32_t{bytes[at + 2]} << 16 |
         uint32_t{bytes[at + 3]} << 24;
}

TEST_CASE("archive path: no allocation per event once warmed up (StreamCursor + BinlogArchive)") {
  constexpr int kWarmUpTransactions = 100;
  constexpr int kTransactions = 800;  // 11200 events measured
  HandBuiltBinlog binlog;
  // Sequence numbers past 10^12 make each GTID text ("0-1-1000000000001") longer than a std::string holds
  // without the heap, so a GTID copied per event would show.
  constexpr uint64_t kFirstSeqNo = 1'000'000'000'000;
  for (int i = 0; i < kWarmUpTransactions + kTransactions; ++i) oltp_transaction(binlog, kFirstSeqNo + i);
  const std::vector<uint8_t> file = binlog.bytes();

  // The dump as a server sends it: an artificial ROTATE, the FORMAT_DESCRIPTION, then the file's events,
  // each packet an OK byte and the event.
  const auto format = codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32);
  std::vector<std::vector<uint8_t>> packets;
  auto push = [&](const uint8_t* event, size_t size) {
    std::vector<uint8_t> packet(1, 0x00);
    packet.insert(packet.end(), event, event + size);
    packets.push_back(std::move(packet));
  };
  const auto rotate =
      codec::encode_event(codec::Event{codec::EventHeader{0, 4, 1, 0, 0, codec::kFlagArtificial},
                                       codec::RotateEvent{4, "mariadb-bin.000001"}, std::nullopt, 0},
                          format);
  push(rotate.data(), rotate.size());
  std::vector<size_t> transaction_ends;  // packet index after which a transaction ended (its XID)
  for (size_t offset = codec::kBinlogMagicSize; offset < file.size();) {
    const uint32_t size = u32_at(file, offset + 9);
    REQUIRE(size >= 19);
    push(file.data() + offset, size);
    if (file[offset + 4] == codec::code(EventType::kXid)) transaction_ends.push_back(packets.size());
    offset += size;
  }
  REQUIRE(transaction_ends.size() == kWarmUpTransactions + kTransactions);

  TempDir dir;
  archive::BinlogArchiveOptions options;
  options.repo = (dir.path / "repo").string();
  options.source = "alloc";
  auto archive = archive::BinlogArchive::open(options);
  REQUIRE(archive.ok());
  net::StreamCursor cursor("alloc", format, "", codec::kBinlogMagicSize, false, true);

  // Appends packets [from, to); syncs every 8 transactions (a group commit). Counts the allocations of
  // the events and of the syncs apart.
  uint64_t event_allocations = 0, sync_allocations = 0, syncs = 0;
  size_t next_end = 0;
  auto feed = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const uint64_t before = allocations();
      auto taken = cursor.accept(packets[i]);
      REQUIRE(taken.ok());
      REQUIRE(taken->has_value());
      auto appended = (*archive)->append_event(**taken);
      event_allocations += allocations() - before;
      REQUIRE(appended.ok());
      if (next_end < transaction_ends.size() && i + 1 == transaction_ends[next_end]) {
        if (++next_end % 8 == 0) {
          const uint64_t before_sync = allocations();
          auto synced = (*archive)->sync();
          sync_allocations += allocations() - before_sync;
          ++syncs;
          REQUIRE(synced.ok());
        }
      }
    }
  };
  const size_t warm_end = transaction_ends[kWarmUpTransactions - 1];
  feed(0, warm_end);
  event_allocations = sync_allocations = syncs = 0;
  feed(warm_end, packets.size());
  const size_t events = packets.size() - warm_end;
  INFO(events << " events, " << syncs << " syncs");
  REQUIRE(events == kTransactions * 14);
  CHECK(event_allocations == 0);
  // Per sync, that is per group of transactions and never per event, a few allocations remain: sync()
  // returns the DurablePoint by value (the file name and the resume point's strings) and renders the GTID
  // position text of the new boundary (MariaGtidPosition::to_string). 5 today.
  CHECK(sync_allocations <= 8 * syncs);
  REQUIRE((*archive)->sync().ok());
  CHECK((*archive)->current_size() == file.size());
}

}  // namespace
}  // namespace mzl::test
