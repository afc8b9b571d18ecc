// Allocation counts of the --output json path. After a warm-up, decoding a sysbench-like transaction (its
// repeated TABLE_MAP, a WRITE and an UPDATE rows event) and rendering it to JSON lines must allocate nothing.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "alloc/allocation_counter.h"
#include "mzl/archive/event_writer.h"
#include "mzl/codec/decoder_context.h"
#include "mzl/codec/event_decoder.h"
#include "mzl/codec/raw_event.h"

namespace {

using namespace mzl;

// Discards what it is given, without allocating.
class NullOutput final : public OutputStream {
 public:
  Status write(std::span<const uint8_t> data) override {
    bytes += data.size();
    return ok_status();
  }
  Status flush() override { return ok_status(); }
  Status sync() override { return ok_status(); }
  Status close() override { return ok_status(); }
  const std::string& name() const override { return name_; }
  size_t bytes = 0;

 private:
  std::string name_ = "<null>";
};

void put_le(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void put_text(std::vector<uint8_t>& out, const std::string& s) {
  out.push_back(static_cast<uint8_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

// A whole event (checksums off): the 19-byte v4 header, then the body.
std::vector<uint8_t> event_bytes(uint8_t type, const std::vector<uint8_t>& body, uint64_t offset) {
  std::vector<uint8_t> e;
  const uint64_t size = 19 + body.size();
  put_le(e, 1796593172, 4);
  e.push_back(type);
  put_le(e, 1, 4);
  put_le(e, size, 4);
  put_le(e, offset + size, 4);
  put_le(e, 0, 2);
  e.insert(e.end(), body.begin(), body.end());
  return e;
}

constexpr uint64_t kTableId = 25;

// sbtest1 as MariaDB logs it with binlog_row_metadata=FULL: INT id, INT k, CHAR(120) c, CHAR(60) pad.
std::vector<uint8_t> table_map_body() {
  std::vector<uint8_t> b;
  put_le(b, kTableId, 6);
  put_le(b, 1, 2);
  b.insert(b.end(), {6, 's', 'b', 't', 'e', 's', 't', 0, 7, 's', 'b', 't', 'e', 's', 't', '1', 0});
  b.push_back(4);
  b.insert(b.end(), {3, 3, 254, 254});
  b.insert(b.end(), {4, 0xFE, 120, 0xFE, 60});  // metadata: CHAR real type and length
  b.push_back(0x00);                            // no column is nullable
  b.insert(b.end(), {1, 1, 0x00});              // SIGNEDNESS: both INTs signed
  b.insert(b.end(), {2, 1, 8});                 // DEFAULT_CHARSET latin1
  std::vector<uint8_t> names;
  for (const char* n : {"id", "k", "c", "pad"}) put_text(names, n);
  b.push_back(4);
  b.push_back(static_cast<uint8_t>(names.size()));
  b.insert(b.end(), names.begin(), names.end());
  return b;
}

void put_row(std::vector<uint8_t>& b, uint32_t id, uint32_t k) {
  b.push_back(0x00);  // NULL bitmap
  put_le(b, id, 4);
  put_le(b, k, 4);
  put_text(b,
           "35128648859-78697723439-51973790139-56811871876-64232152715-22029940972-07780888700-"
           "85390185461-43540167726-96884635024");
  put_text(b, "05483467732-14158742896-87119928323-73337523784-40388004588");
}

std::vector<uint8_t> rows_body(bool update) {
  std::vector<uint8_t> b;
  put_le(b, kTableId, 6);
  put_le(b, 1, 2);  // STMT_END
  b.push_back(4);
  b.push_back(0x0F);
  if (update) b.push_back(0x0F);
  put_row(b, 49917, 50379);
  if (update) put_row(b, 49917, 50380);
  return b;
}

}  // namespace

TEST_CASE("decode allocations: the counter sees allocations") {
  const uint64_t before = test::allocations();
  auto* text = new std::string(100, 'x');
  delete text;
  CHECK(test::allocations() - before >= 1);
}

TEST_CASE(
    "decode allocations: a TABLE_MAP and rows transaction decodes and renders to JSON without allocating") {
  const auto fd = codec::default_format_description(codec::Flavour::kMariaDB, codec::ChecksumAlg::kOff);
  const auto table_map = event_bytes(19, table_map_body(), 1000);
  const auto write_rows = event_bytes(23, rows_body(false), 2000);
  const auto update_rows = event_bytes(24, rows_body(true), 3000);
  auto table_map_raw = codec::frame_event(table_map, 1000, fd, true);
  auto write_raw = codec::frame_event(write_rows, 2000, fd, true);
  auto update_raw = codec::frame_event(update_rows, 3000, fd, true);
  REQUIRE(table_map_raw.ok());
  REQUIRE(write_raw.ok());
  REQUIRE(update_raw.ok());

  codec::DecoderContext ctx("mariadb-bin.000001", fd);
  NullOutput out;
  archive::EventWriter writer(archive::OutputFormat::kJson, out);
  writer.set_file("mariadb-bin.000001");
  // Decoded and rendered as mzl-binlog-tail --output json does it: the TABLE_MAP (identical after the first:
  // it shares the context's map) and the rows events (decoded into the writer's reused rows event).
  auto transaction = [&] {
    REQUIRE(writer.write(*table_map_raw, ctx).ok());
    REQUIRE(writer.write(*write_raw, ctx).ok());
    REQUIRE(writer.write(*update_raw, ctx).ok());
  };
  for (int i = 0; i < 5000; ++i) transaction();  // warm-up: the line batch reaches its size once
  const uint64_t before = test::allocations();
  constexpr int kTransactions = 20000;
  for (int i = 0; i < kTransactions; ++i) transaction();
  const size_t allocations = test::allocations() - before;
  REQUIRE(writer.flush().ok());
  INFO(allocations << " allocations for " << kTransactions * 3 << " events");
  CHECK(allocations == 0);
  CHECK(out.bytes > size_t{kTransactions} * 3 * 200);  // the lines were written
}
