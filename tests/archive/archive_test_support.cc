#include "archive_test_support.h"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>

#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/event.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/raw_event.h"
#include "mzl/util/input_stream.h"
#include "test_support.h"

namespace mzl::test {
namespace {

void store_u32le(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

void recompute_crc(std::vector<uint8_t>& event) {
  store_u32le(event.data() + event.size() - 4, codec::event_crc32(Bytes(event.data(), event.size() - 4)));
}

const codec::FormatDescription& maria_fd() {
  static const codec::FormatDescription fd =
      codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32);
  return fd;
}

}  // namespace

codec::EventHeader header_of(const std::vector<uint8_t>& event) {
  ByteReader reader(event);
  return codec::read_event_header(reader);
}

void set_log_pos(std::vector<uint8_t>& event, uint32_t log_pos) {
  store_u32le(event.data() + 13, log_pos);
  recompute_crc(event);
}

std::optional<ServerBinlog> ServerBinlog::from_fixture() {
  auto dir = fixtures_dir();
  if (dir.empty()) return std::nullopt;
  auto reader = codec::BinlogFileReader::open((dir / "mariadb-10.5" / "mariadb-bin.000001").string());
  REQUIRE(reader.ok());
  ServerBinlog server;
  // Event offsets from the fixture's events.tsv.
  std::map<uint64_t, std::vector<uint8_t>*> wanted = {
      {4, &server.fd_},         {256, &server.gtid_list_}, {285, &server.checkpoint_}, {330, &server.gtid_},
      {372, &server.annotate_}, {476, &server.table_map_}, {612, &server.write_rows_}, {671, &server.xid_}};
  while (true) {
    auto event = reader->next();
    REQUIRE(event.ok());
    if (!*event) break;
    auto it = wanted.find((*event)->offset);
    if (it != wanted.end()) it->second->assign((*event)->data.begin(), (*event)->data.end());
  }
  for (auto& [offset, bytes] : wanted) REQUIRE_FALSE(bytes->empty());
  // The server clears LOG_EVENT_BINLOG_IN_USE_F when it closes a file (the CRC32 does not cover it).
  server.fd_[17] &= static_cast<uint8_t>(~codec::kFlagBinlogInUse);
  return server;
}

void ServerBinlog::add(std::vector<uint8_t> event, bool boundary) {
  ServerFile& file = files_.back();
  set_log_pos(event, static_cast<uint32_t>(file.bytes.size() + event.size()));
  file.bytes.insert(file.bytes.end(), event.begin(), event.end());
  if (boundary) {
    file.boundaries.push_back(file.bytes.size());
    file.boundary_gtids.push_back(last_gtid_);
  }
}

void ServerBinlog::begin_file(const std::string& name) {
  files_.push_back(ServerFile{name, {}, {}, {}});
  files_.back().bytes.assign(codec::kBinlogMagic, codec::kBinlogMagic + codec::kBinlogMagicSize);
  add(fd_, true);
  add(gtid_list_, true);
  add(checkpoint_, true);
}

void ServerBinlog::transaction(uint64_t seq_no) {
  std::vector<uint8_t> gtid = gtid_;
  for (int i = 0; i < 8; ++i)
    gtid[19 + i] = static_cast<uint8_t>(seq_no >> (8 * i));  // KB gtid_event: seq_no
  add(gtid, false);
  add(annotate_, false);
  add(table_map_, false);
  add(write_rows_, false);
  last_gtid_ = "0-1-" + std::to_string(seq_no);
  add(xid_, true);
}

void ServerBinlog::ddl(uint64_t seq_no) {
  std::vector<uint8_t> gtid = gtid_;
  for (int i = 0; i < 8; ++i) gtid[19 + i] = static_cast<uint8_t>(seq_no >> (8 * i));
  gtid[19 + 12] = codec::kMariaFlStandalone;  // flags2
  add(gtid, false);
  codec::QueryEvent query;
  query.db = "toddy_test";
  query.query = "CREATE TABLE t" + std::to_string(seq_no) + " (a INT)";
  codec::Event event{codec::EventHeader{1650493200, 2, 1, 0, 0, 0}, query, std::nullopt, 0};
  last_gtid_ = "0-1-" + std::to_string(seq_no);
  add(codec::encode_event(event, maria_fd()), true);
}

void ServerBinlog::rotate(const std::string& next) {
  codec::Event event{codec::EventHeader{1650493300, 4, 1, 0, 0, 0}, codec::RotateEvent{4, next}, std::nullopt,
                     0};
  add(codec::encode_event(event, maria_fd()), true);
}

std::vector<DumpEvent> ServerBinlog::dump_from(const std::string& file, uint64_t position) const {
  std::vector<DumpEvent> out;
  auto push = [&](std::vector<uint8_t> bytes) {
    auto header = header_of(bytes);
    out.push_back(DumpEvent{std::move(bytes), header});
  };
  size_t first = 0;
  while (!file.empty() && first < files_.size() && files_[first].name != file) ++first;
  REQUIRE(first < files_.size());
  if (position < codec::kBinlogMagicSize) position = codec::kBinlogMagicSize;
  codec::Event fake{codec::EventHeader{0, 4, 1, 0, 0, codec::kFlagArtificial},
                    codec::RotateEvent{position, files_[first].name}, std::nullopt, 0};
  push(codec::encode_event(fake, maria_fd()));
  for (size_t i = first; i < files_.size(); ++i) {
    const auto& bytes = files_[i].bytes;
    if (i > first) {
      // After a file's real ROTATE the dump thread sends an artificial one naming the next file.
      codec::Event next{codec::EventHeader{0, 4, 1, 0, 0, codec::kFlagArtificial},
                        codec::RotateEvent{4, files_[i].name}, std::nullopt, 0};
      push(codec::encode_event(next, maria_fd()));
    }
    std::vector<uint8_t> fd = fd_;
    set_log_pos(fd, 0);
    push(fd);
    uint64_t offset = codec::kBinlogMagicSize + fd_.size();
    uint64_t start = i == first ? std::max<uint64_t>(position, offset) : offset;
    while (offset < bytes.size()) {
      auto header = header_of(std::vector<uint8_t>(bytes.begin() + offset, bytes.begin() + offset + 19));
      if (offset >= start)
        push(std::vector<uint8_t>(bytes.begin() + offset, bytes.begin() + offset + header.event_size));
      offset += header.event_size;
    }
    // An idle server sends heartbeats (not part of any file).
    codec::HeartbeatEvent beat;
    beat.log_filename = files_[i].name;
    codec::Event heartbeat{
        codec::EventHeader{0, 27, 1, 0, static_cast<uint32_t>(bytes.size()), codec::kFlagArtificial}, beat,
        std::nullopt, 0};
    push(codec::encode_event(heartbeat, maria_fd()));
  }
  return out;
}

TempRepo::TempRepo() {
  static std::atomic<int> counter{0};
  std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                   ? std::filesystem::path("/dev/shm")
                                   : std::filesystem::temp_directory_path();
  path = base / ("mzl-archive-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
}

TempRepo::~TempRepo() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::optional<std::vector<uint8_t>> archived_content(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  if (!std::filesystem::exists(path)) path += ".lz4";
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto in = open_input(path);
  REQUIRE(in.ok());
  auto bytes = read_all(**in);
  REQUIRE(bytes.ok());
  return *bytes;
}

const codec::FormatDescription& mariadb_dump_format() {
  return maria_fd();
}

DumpStream::DumpStream(const codec::FormatDescription& negotiated)
    : cursor_("model", negotiated, "", codec::kBinlogMagicSize, false, true) {}

net::StreamEvent DumpStream::take(const DumpEvent& event) {
  packet_.assign(1, 0x00);  // the OK byte before each event of a dump
  packet_.insert(packet_.end(), event.bytes.begin(), event.bytes.end());
  auto taken = cursor_.accept(packet_);
  INFO((taken.ok() ? std::string() : taken.error().to_string()));
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  return **taken;
}

FeedResult feed(archive::BinlogArchive& archive, const std::vector<DumpEvent>& events, int checkpoint_every,
                const codec::FormatDescription& negotiated) {
  FeedResult result;
  DumpStream stream(negotiated);
  int n = 0;
  for (const auto& event : events) {
    auto appended = archive.append_event(stream.take(event));
    if (!appended.ok()) {
      result.error = appended.error();
      return result;
    }
    auto type = static_cast<codec::EventType>(event.header.type_code);
    if (*appended == archive::BinlogArchive::Appended::kWritten &&
        (type == codec::EventType::kXid || type == codec::EventType::kQuery)) {
      auto point = archive.sync();
      if (!point.ok()) {
        result.error = point.error();
        return result;
      }
      result.acked = *point;
    }
    if (++n % checkpoint_every == 0) {
      auto done = archive.checkpoint();
      if (!done.ok()) {
        result.error = done.error();
        return result;
      }
    }
  }
  auto done = archive.checkpoint();
  if (!done.ok()) result.error = done.error();
  return result;
}

}  // namespace mzl::test
