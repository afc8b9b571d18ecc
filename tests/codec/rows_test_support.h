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
#include "test_support.h"

namespace mzl::test {

struct FixtureRows {
  uint64_t offset = 0;
  codec::RowsEvent rows;
  codec::TableMapEvent table;
  std::vector<codec::RowChange> changes;  // filled when decode_row_changes succeeded
};

// Every rows event of the file, in order, with decoded row changes. REQUIREs that every TABLE_MAP and rows
// event decodes and that decode_row_changes succeeds (pre-GA rows events are skipped).
inline std::vector<FixtureRows> fixture_rows(const std::filesystem::path& path) {
  std::vector<FixtureRows> out;
  auto reader = codec::BinlogFileReader::open(path.string());
  REQUIRE(reader.ok());
  std::map<uint64_t, codec::TableMapEvent> tables;
  while (true) {
    auto next = reader->next();
    REQUIRE(next.ok());
    if (!next->has_value()) break;
    const codec::RawEvent& raw = **next;
    const uint8_t type = raw.header.type_code;
    ByteReader body(raw.body);
    if (type == 19) {
      auto tm = codec::decode_table_map_event(body, reader->format());
      INFO(path.filename().string() << " @" << raw.offset);
      REQUIRE(tm.ok());
      tables[tm->table_id] = *tm;
    } else if (codec::is_rows_event(type)) {
      auto rows = codec::decode_rows_event(type, body, reader->format());
      INFO(path.filename().string() << " @" << raw.offset);
      REQUIRE(rows.ok());
      FixtureRows fr;
      fr.offset = raw.offset;
      fr.rows = *rows;
      REQUIRE(tables.count(rows->table_id) == 1);
      fr.table = tables[rows->table_id];
      if (type < 20 || type > 22) {
        auto changes = codec::decode_row_changes(*rows, fr.table);
        INFO((changes.ok() ? std::string() : changes.error().to_string()));
        REQUIRE(changes.ok());
        fr.changes = *changes;
      }
      out.push_back(std::move(fr));
    }
  }
  return out;
}

inline std::filesystem::path fixture(const std::string& relative) {
  auto dir = fixtures_dir();
  if (dir.empty()) return {};
  return dir / relative;
}

}  // namespace mzl::test
