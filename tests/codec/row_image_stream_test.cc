// stream_row_changes against decode_row_changes: the same rows (or the same error) for every rows event of
// every fixture binlog, and for random row images over tables of every column type with random metadata.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <random>

#include "mzl/codec/binlog_file_reader.h"
#include "mzl/codec/column_type.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/row_image.h"
#include "mzl/codec/row_image_stream.h"
#include "mzl/codec/transaction_payload.h"
#include "row_change_collector.h"
#include "test_support.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

// Both decoders on one rows event; returns whether they succeeded.
bool same_result(const RowsEvent& rows, const TableMapEvent& table) {
  auto changes = decode_row_changes(rows, table);
  test::RowChangeCollector streamed(rows.column_count);
  const Status status = stream_row_changes(rows, table, row_decode_plan(table), streamed);
  REQUIRE(status.ok() == changes.ok());
  if (!changes.ok()) {
    CHECK(status.error().code == changes.error().code);
    CHECK(status.error().message == changes.error().message);
    CHECK(status.error().where == changes.error().where);
    return false;
  }
  CHECK(streamed.changes == *changes);
  return true;
}

struct Walk {
  std::map<uint64_t, TableMapEvent> tables;
  size_t compared = 0;
  size_t rows = 0;
};

void walk_event(const RawEvent& raw, const FormatDescription& fd, Walk& walk) {
  const uint8_t type = raw.header.type_code;
  ByteReader body(raw.body);
  if (type == code(EventType::kTableMap)) {
    auto tm = decode_table_map_event(body, fd);
    if (tm.ok()) walk.tables[tm->table_id] = *tm;
  } else if (type == code(EventType::kTransactionPayload)) {
    auto payload = decode_transaction_payload_event(body, fd);
    if (!payload.ok()) return;
    auto inner = decompress_transaction_payload(*payload);
    if (!inner.ok()) return;
    auto events = frame_payload_events(*inner, fd);
    if (!events.ok()) return;
    for (const auto& e : *events) walk_event(e, without_checksum(fd), walk);
  } else if (is_rows_event(type)) {
    auto rows = decode_rows_event(type, body, fd);
    if (!rows.ok()) return;
    const auto table = walk.tables.find(rows->table_id);
    if (table == walk.tables.end()) return;
    INFO("at " << raw.offset);
    ++walk.compared;
    if (same_result(*rows, table->second)) ++walk.rows;
  }
}

}  // namespace

TEST_CASE("row_image_stream: every rows event of every fixture decodes as decode_row_changes does") {
  const auto dir = test::fixtures_dir();
  REQUIRE(!dir.empty());
  Walk walk;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || ext == ".md" || ext == ".tsv" || ext == ".sql") continue;
    INFO(entry.path().string());
    auto reader = BinlogFileReader::open(entry.path().string());
    if (!reader.ok()) continue;
    walk.tables.clear();
    while (true) {
      auto next = reader->next();
      if (!next.ok() || !next->has_value()) break;
      walk_event(**next, reader->format(), walk);
    }
  }
  // The fixtures hold ~1400 rows events (README.md's histograms), nearly all of which decode.
  CHECK(walk.compared > 1400);
  CHECK(walk.rows > 1300);
}

TEST_CASE("row_image_stream: random row images over every column type give decode_row_changes's result") {
  std::mt19937 rng(20261207);
  // Metadata that makes each type readable, and random metadata, so that both the fast paths (integers,
  // strings) and every decode_column_value path and error are taken.
  auto metadata_for = [&](uint8_t type) -> uint16_t {
    if (rng() % 4 == 0) return static_cast<uint16_t>(rng());
    switch (static_cast<ColumnType>(type)) {
      case ColumnType::kString:
        return static_cast<uint16_t>(rng() % 2 ? 0xFE00 | (rng() % 40) : 0xF700 | 1);  // CHAR/ENUM
      case ColumnType::kVarchar:
        return static_cast<uint16_t>(rng() % 2 ? 20 : 300);
      case ColumnType::kBlob:
      case ColumnType::kJson:
      case ColumnType::kGeometry:
        return static_cast<uint16_t>(1 + rng() % 4);
      case ColumnType::kNewDecimal:
        return static_cast<uint16_t>((1 + rng() % 30) << 8 | rng() % 10);
      case ColumnType::kTimestamp2:
      case ColumnType::kDateTime2:
      case ColumnType::kTime2:
        return static_cast<uint16_t>(rng() % 7);
      default:
        return static_cast<uint16_t>(rng() % 3);
    }
  };
  static constexpr uint8_t kTypes[] = {1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,
                                       12,  13,  14,  15,  16,  17,  18,  19,  20, 245, 246,
                                       247, 248, 249, 250, 251, 252, 253, 254, 255};
  size_t ok = 0;
  for (int trial = 0; trial < 30000; ++trial) {
    const size_t columns = 1 + rng() % 8;
    TableMapEvent table;
    table.table_id = 5;
    table.database = "db";
    table.table = "t";
    table.flavour = rng() % 2 ? Flavour::kMariaDB : Flavour::kMySQL;
    for (size_t i = 0; i < columns; ++i) {
      const uint8_t type = kTypes[rng() % std::size(kTypes)];
      table.column_types.push_back(type);
      table.column_metadata.push_back(metadata_for(type));
    }
    if (rng() % 2) table.optional.default_charset = rng() % 2 ? 63 : 33;
    RowsEvent rows;
    static constexpr uint8_t kRowsTypes[] = {30, 31, 32, 39, 23, 24, 25};
    rows.type_code = kRowsTypes[rng() % std::size(kRowsTypes)];
    rows.table_id = 5;
    rows.column_count = columns;
    const size_t bitmap = (columns + 7) / 8;
    for (size_t i = 0; i < bitmap; ++i) {
      rows.columns_before.push_back(rng() % 3 ? 0xFF : static_cast<uint8_t>(rng()));
      if (rows.has_after_bitmap())
        rows.columns_after.push_back(rng() % 3 ? 0xFF : static_cast<uint8_t>(rng()));
    }
    rows.rows.resize(rng() % 96);
    for (auto& b : rows.rows) b = static_cast<uint8_t>(rng() % 4 ? rng() % 8 : rng());  // short lengths often
    INFO("trial " << trial);
    ok += same_result(rows, table);
  }
  CHECK(ok > 1000);
}
