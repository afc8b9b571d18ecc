#pragma once
// A MariaDB binlog file built event by event with the codec's encoder (CRC32 on, each log_pos its end in
// the file), for tests that need event sequences no fixture holds, such as an XA transaction
// (https://mariadb.com/kb/en/xa-transactions/: GTID with FL_PREPARED_XA, XA START, the changes, XA END,
// XA_PREPARE; later a GTID with FL_COMPLETED_XA and XA COMMIT). Header-only: the test programs that use it
// link the codec already.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mzl/codec/event.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/event_header.h"
#include "mzl/codec/event_type.h"

namespace mzl::test {

class HandBuiltBinlog {
 public:
  static constexpr uint32_t kServerId = 1;

  HandBuiltBinlog()
      : fd_(codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kCrc32)) {
    bytes_.assign(codec::kBinlogMagic, codec::kBinlogMagic + codec::kBinlogMagicSize);
    add(codec::EventType::kFormatDescription, fd_);
  }

  // Appends one event; returns its offset.
  uint64_t add(codec::EventType type, codec::EventBody body) {
    const uint64_t offset = bytes_.size();
    codec::Event event{codec::EventHeader{timestamp_++, codec::code(type), kServerId, 0, 0, 0},
                       std::move(body), std::nullopt, 0};
    std::vector<uint8_t> encoded = codec::encode_event(event, fd_);
    // log_pos (header bytes 13..16) is the event's end; the CRC32 covers it, so encode again with it set.
    event.header.log_pos = static_cast<uint32_t>(offset + encoded.size());
    encoded = codec::encode_event(event, fd_);
    bytes_.insert(bytes_.end(), encoded.begin(), encoded.end());
    return offset;
  }

  uint64_t gtid(uint64_t seq_no, uint8_t flags2 = 0) {
    codec::MariaGtidEvent g;
    g.seq_no = seq_no;
    g.flags2 = flags2;
    if (flags2 & (codec::kMariaFlPreparedXa | codec::kMariaFlCompletedXa)) {
      g.xid = codec::MariaGtidEvent::Xid{1, 1, 0, {'x'}};
    }
    return add(codec::EventType::kMariaGtid, g);
  }
  uint64_t query(const std::string& sql) {
    codec::QueryEvent q;
    q.db = "test";
    q.query = sql;
    return add(codec::EventType::kQuery, q);
  }
  uint64_t xid() { return add(codec::EventType::kXid, codec::XidEvent{7, {}}); }
  // XA_PREPARE_LOG_EVENT (38): one_phase u8, then the XID: format_id u32, gtrid and bqual lengths u32, data.
  uint64_t xa_prepare() {
    return add(codec::EventType::kXaPrepare,
               codec::OpaqueEvent{codec::code(codec::EventType::kXaPrepare),
                                  {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 'x'}});
  }
  // A row transaction's stand-in: GTID, BEGIN, one statement, XID. Returns the GTID event's offset.
  uint64_t transaction(uint64_t seq_no) {
    const uint64_t at = gtid(seq_no);
    query("BEGIN");
    query("INSERT INTO t VALUES (" + std::to_string(seq_no) + ")");
    xid();
    return at;
  }

  uint64_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  void write(const std::filesystem::path& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes_.data()), static_cast<std::streamsize>(bytes_.size()));
  }

 private:
  codec::FormatDescription fd_;
  std::vector<uint8_t> bytes_;
  uint32_t timestamp_ = 1700000000;
};

}  // namespace mzl::test
