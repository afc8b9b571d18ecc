#include "mzl/snapshot/row_text.h"

#include <chrono>
#include <random>

#include <catch2/catch.hpp>

#include "integration/load_data_reference.h"

using namespace mzl;
using namespace mzl::snapshot;

namespace {

using Row = std::vector<std::optional<std::string>>;

std::string row_text(const Row& row) {
  std::vector<const char*> fields;
  std::vector<unsigned long> lengths;
  for (const auto& f : row) {
    fields.push_back(f ? f->data() : nullptr);
    lengths.push_back(f ? f->size() : 0);
  }
  std::string out;
  append_row(out, fields.data(), lengths.data(), static_cast<unsigned>(row.size()));
  return out;
}

std::vector<Row> read_rows(std::string_view text) {
  RowTextReader reader(text, "t.tsv");
  std::vector<Row> rows;
  Row row;
  for (;;) {
    auto more = reader.next(row);
    REQUIRE(more.ok());
    if (!*more) break;
    rows.push_back(row);
  }
  return rows;
}

Error read_error(std::string_view text) {
  RowTextReader reader(text, "t.tsv");
  Row row;
  for (;;) {
    auto more = reader.next(row);
    if (!more.ok()) return more.error();
    REQUIRE(*more);
  }
}

}  // namespace

TEST_CASE("append_field: the six special bytes and nothing else are escaped") {
  // Expected bytes from the MariaDB/MySQL LOAD DATA documentation (ESCAPED BY '\\', the default).
  const std::string in("a\\b\tc\nd\re\0f\x1Ag\"h'i,j\x1b\xff", 21);
  std::string out;
  append_field(out, in);
  CHECK(out == std::string("a\\\\b\\tc\\nd\\re\\0f\\Zg\"h'i,j\x1b\xff", 27));
  std::string plain;
  append_field(plain, "NULL N \\N");
  CHECK(plain == "NULL N \\\\N");
}

TEST_CASE("append_field and RowTextBuffer: every special byte at every position of values of every length") {
  // The escaper copies 16 bytes at a time: each special byte is put at each offset of values from 0 to 70
  // bytes (one, two or three 16-byte steps plus a tail), among bytes just below and above the specials.
  const std::string specials("\\\t\n\r\0\x1a", 6);
  const std::string neighbours("\x1f\x1b\x01 []\x7f\x80\xff", 9);
  std::mt19937 random(7);
  for (size_t length = 0; length <= 70; ++length) {
    for (size_t at = 0; at < std::max<size_t>(length, 1); ++at) {
      std::string value(length, 'a');
      for (char& c : value) c = neighbours[random() % neighbours.size()];
      if (length > 0) value[at] = specials[(length + at) % specials.size()];
      if (length > 3 && at + 3 < length) value[at + 3] = specials[at % specials.size()];
      std::string expected;
      mzl::test::append_reference_escaped(expected, value);
      std::string out = "x";
      append_field(out, value);
      REQUIRE(out == "x" + expected);

      RowTextBuffer buffer;
      const char* fields[] = {value.data(), nullptr, value.data()};
      const unsigned long lengths[] = {value.size(), 0, value.size()};
      buffer.append_row(fields, lengths, 3);
      buffer.append_row(fields, lengths, 1);
      const std::string text(reinterpret_cast<const char*>(buffer.bytes().data()), buffer.size());
      REQUIRE(text == expected + "\t\\N\t" + expected + "\n" + expected + "\n");
    }
  }
}

TEST_CASE("append_row: NULL, empty and the string \\N are three different fields") {
  const Row row = {std::nullopt, std::string(), std::string("\\N"), std::string("N")};
  const std::string text = row_text(row);
  CHECK(text == "\\N\t\t\\\\N\tN\n");
  auto rows = read_rows(text);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == row);
  CHECK(row_text({std::nullopt}) == "\\N\n");
  CHECK(row_text({std::string()}) == "\n");
}

TEST_CASE("row text: every byte value round-trips, alone and in runs") {
  Row row;
  std::string all;
  for (int b = 0; b < 256; ++b) {
    row.emplace_back(std::string(1, static_cast<char>(b)));
    all += static_cast<char>(b);
  }
  row.emplace_back(all);
  row.emplace_back(all + all + all);  // long enough for the 8-byte scan
  const std::string text = row_text(row);
  // Exactly the six special bytes took one extra byte each, 5 times (alone, all, 3x all).
  size_t raw = 0;
  for (const auto& f : row) raw += f->size();
  CHECK(text.size() == raw + row.size() + 6 * 5);
  auto rows = read_rows(text);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == row);
}

TEST_CASE("row text: random binary rows round-trip through a chunked stream") {
  std::mt19937_64 rng(42);
  std::vector<Row> rows;
  std::string text;
  for (int r = 0; r < 2000; ++r) {
    Row row;
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      const int kind = static_cast<int>(rng() % 5);
      if (kind == 0) {
        row.emplace_back(std::nullopt);
        continue;
      }
      std::string v(rng() % (kind == 4 ? 700000 : 40), '\0');
      for (auto& c : v) c = static_cast<char>(kind == 1 ? "\\\t\n\r\x1A\0N"[rng() % 7] : rng() % 256);
      row.emplace_back(std::move(v));
    }
    text += row_text(row);
    rows.push_back(std::move(row));
  }
  // Through an InputStream read in 256 KiB chunks: escapes and rows cross chunk boundaries.
  auto in = make_memory_input(std::vector<uint8_t>(text.begin(), text.end()), "rows.tsv");
  RowTextReader reader(*in);
  Row row;
  size_t i = 0;
  for (;;) {
    auto more = reader.next(row);
    REQUIRE(more.ok());
    if (!*more) break;
    REQUIRE(i < rows.size());
    REQUIRE(row == rows[i]);
    ++i;
  }
  CHECK(i == rows.size());
  CHECK(reader.rows() == rows.size());
  CHECK(reader.offset() == text.size());
}

TEST_CASE("RowTextReader: empty input has no rows, an empty line is one empty field") {
  CHECK(read_rows("").empty());
  auto rows = read_rows("\n\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == Row{std::string()});
  CHECK(read_rows("a\t\\N\t\n")[0] == Row{std::string("a"), std::nullopt, std::string()});
}

TEST_CASE("RowTextReader: bad input is kCorrupt naming the row and offset") {
  struct Case {
    std::string text;
    uint64_t offset;
    const char* part;
  };
  const Case cases[] = {
      {"a\tb", 3, "row 1: the data ends inside a row"},
      {"a\n\\", 2, "row 2: the data ends inside an escape"},
      {"ok\n\\x\n", 3, "row 2: unknown escape \\x78"},
      {"\\Nx\n", 0, "\\N followed by more bytes"},
      {"\\N\\t\n", 0, "\\N followed by more bytes"},
      {"a\\N\n", 1, "\\N after other bytes"},
      {"a\nb\nc\t\\", 6, "row 3:"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    Error e = read_error(c.text);
    CHECK(e.code == ErrorCode::kCorrupt);
    CHECK(e.where == "t.tsv");
    CHECK(e.offset == c.offset);
    CHECK_THAT(e.message, Catch::Contains(c.part));
  }
}

TEST_CASE("append_row throughput", "[.bench]") {
  std::string value(200, 'x');
  std::vector<const char*> fields(8, value.data());
  std::vector<unsigned long> lengths(8, value.size());
  std::string out;
  out.reserve(64 << 20);
  const auto start = std::chrono::steady_clock::now();
  uint64_t bytes = 0;
  for (int round = 0; round < 20; ++round) {
    out.clear();
    while (out.size() < (60 << 20)) append_row(out, fields.data(), lengths.data(), 8);
    bytes += out.size();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("append_row: " << bytes / s / 1e9 << " GB/s");
  RowTextBuffer buffer;
  const auto buffer_start = std::chrono::steady_clock::now();
  bytes = 0;
  for (int round = 0; round < 20; ++round) {
    buffer.clear();
    while (buffer.size() < (60 << 20)) buffer.append_row(fields.data(), lengths.data(), 8);
    bytes += buffer.size();
  }
  const double b = std::chrono::duration<double>(std::chrono::steady_clock::now() - buffer_start).count();
  WARN("RowTextBuffer::append_row: " << bytes / b / 1e9 << " GB/s");
}
