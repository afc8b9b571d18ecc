#pragma once
// Test helpers for the rows tests: walks a fixture binlog with BinlogFileReader and collects the decoded
// TABLE_MAP and rows events, each rows event paired with the TABLE_MAP in force for its table id.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/codec/transaction_payload.h"
#include "test_support.h"

namespace mzl::test {

struct FixtureRows {
  uint64_t offset = 0;
  codec::RowsEvent rows;
  codec::TableMapEvent table;
  std::vector<codec::RowChange> changes;  // filled when decode_row_changes succeeded
  bool in_payload = false;                // inside a TRANSACTION_PAYLOAD (offset is then the payload's)
  std::string rows_query;                 // text of the last ROWS_QUERY before it, if any
  uint32_t timestamp = 0;                 // the rows event's header timestamp (statement start)
  std::vector<uint8_t> body;              // the event body as read (for re-encoding checks)
  codec::FormatDescription fd;            // the FORMAT_DESCRIPTION it was read with
};

struct FixtureWalk {
  std::map<uint64_t, codec::TableMapEvent> tables;
  std::string rows_query;
  std::vector<FixtureRows> out;
};

// Decodes one event; TRANSACTION_PAYLOAD events are inflated and their inner events walked too.
inline void walk_event(const codec::RawEvent& raw, const codec::FormatDescription& fd,
                       const std::string& file, bool in_payload, uint64_t payload_offset, FixtureWalk& walk) {
  const uint8_t type = raw.header.type_code;
  ByteReader body(raw.body);
  INFO(file << " @" << raw.offset << (in_payload ? " (in payload)" : ""));
  if (type == 19) {
    auto tm = codec::decode_table_map_event(body, fd);
    REQUIRE(tm.ok());
    walk.tables[tm->table_id] = *tm;
  } else if (type == 29) {
    body.skip(1);  // ROWS_QUERY: a length byte the server does not use, then the statement
    walk.rows_query = std::string(body.string(body.remaining()));
  } else if (type == 40) {
    auto payload = codec::decode_transaction_payload_event(body, fd);
    REQUIRE(payload.ok());
    auto inner = codec::decompress_transaction_payload(*payload);
    REQUIRE(inner.ok());
    auto events = codec::frame_payload_events(*inner, fd);
    REQUIRE(events.ok());
    for (const auto& e : *events) walk_event(e, codec::without_checksum(fd), file, true, raw.offset, walk);
  } else if (codec::is_rows_event(type)) {
    auto rows = codec::decode_rows_event(type, body, fd);
    REQUIRE(rows.ok());
    FixtureRows fr;
    fr.offset = in_payload ? payload_offset : raw.offset;
    fr.in_payload = in_payload;
    fr.rows_query = walk.rows_query;
    fr.timestamp = raw.header.timestamp;
    fr.body.assign(raw.body.begin(), raw.body.end());
    fr.fd = fd;
    fr.rows = *rows;
    REQUIRE(walk.tables.count(rows->table_id) == 1);
    fr.table = walk.tables[rows->table_id];
    if (type < 20 || type > 22) {
      auto changes = codec::decode_row_changes(*rows, fr.table);
      INFO((changes.ok() ? std::string() : changes.error().to_string()));
      REQUIRE(changes.ok());
      fr.changes = *changes;
    }
    walk.out.push_back(std::move(fr));
  }
}

// Every rows event of the file (including those inside TRANSACTION_PAYLOAD events), in order, with
// decoded row changes. REQUIREs that every TABLE_MAP and rows event decodes and that decode_row_changes
// succeeds (pre-GA rows events are skipped).
inline std::vector<FixtureRows> fixture_rows(const std::filesystem::path& path) {
  auto reader = codec::BinlogFileReader::open(path.string());
  REQUIRE(reader.ok());
  FixtureWalk walk;
  while (true) {
    auto next = reader->next();
    REQUIRE(next.ok());
    if (!next->has_value()) break;
    walk_event(**next, reader->format(), path.filename().string(), false, 0, walk);
  }
  return std::move(walk.out);
}

inline std::filesystem::path fixture(const std::string& relative) {
  auto dir = fixtures_dir();
  if (dir.empty()) return {};
  return dir / relative;
}

}  // namespace mzl::test
