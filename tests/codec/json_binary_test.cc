// MySQL binary JSON (sql-common/json_binary.h format description) and partial-update diffs
// (sql/json_diff.cc), from hand-built documents.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "mzl/codec/json_binary.h"

using namespace mzl;
using namespace mzl::codec;

namespace {

std::string render(const std::vector<uint8_t>& doc) {
  auto r = json_binary_to_text(doc);
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
  return *r;
}

void le(std::vector<uint8_t>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

std::vector<uint8_t> double_doc(double d) {
  std::vector<uint8_t> doc = {0x0B};
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  le(doc, bits, 8);
  return doc;
}

}  // namespace

TEST_CASE("json_binary: scalars") {
  CHECK(render({}) == "null");
  CHECK(render({0x04, 0x00}) == "null");
  CHECK(render({0x04, 0x01}) == "true");
  CHECK(render({0x04, 0x02}) == "false");
  CHECK(render({0x05, 0xFF, 0xFF}) == "-1");
  CHECK(render({0x06, 0xFF, 0xFF}) == "65535");
  CHECK(render({0x07, 0x00, 0x00, 0x00, 0x80}) == "-2147483648");
  CHECK(render({0x08, 0xFF, 0xFF, 0xFF, 0xFF}) == "4294967295");
  CHECK(render({0x09, 0, 0, 0, 0, 0, 0, 0, 0x80}) == "-9223372036854775808");
  CHECK(render({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}) == "18446744073709551615");
  CHECK(render(double_doc(1.5)) == "1.5");
  CHECK(render(double_doc(1.0)) == "1.0");  // MySQL keeps integral doubles recognisable
  CHECK(render(double_doc(-0.25)) == "-0.25");
  CHECK(render(double_doc(1e100)) == "1e100");
  CHECK(render({0x0C, 0x05, 'a', '"', 'b', '\n', 0x01}) == "\"a\\\"b\\n\\u0001\"");
  // A 130-byte string: the length takes two 7-bit groups (0x82 0x01).
  std::vector<uint8_t> s = {0x0C, 0x82, 0x01};
  s.resize(s.size() + 130, 'x');
  CHECK(render(s) == "\"" + std::string(130, 'x') + "\"");
}

TEST_CASE("json_binary: small object and array") {
  // {"a": 1}: count 1, size 12, key entry (offset 11, length 1), value entry (int16 inlined), key.
  CHECK(render({0x00, 0x01, 0x00, 0x0C, 0x00, 0x0B, 0x00, 0x01, 0x00, 0x05, 0x01, 0x00, 'a'}) ==
        "{\"a\": 1}");
  CHECK(render({0x00, 0x00, 0x00, 0x04, 0x00}) == "{}");
  CHECK(render({0x02, 0x00, 0x00, 0x04, 0x00}) == "[]");
  // [true, null, "x", 1.5]: 4 entries (12 bytes) after the 4-byte header; "x" at 16, the double at 18.
  std::vector<uint8_t> doc = {0x02, 0x04, 0x00, 26,   0x00, 0x04, 0x01, 0x00, 0x04, 0x00,
                              0x00, 0x0C, 16,   0x00, 0x0B, 18,   0x00, 0x01, 'x'};
  uint64_t bits;
  const double d = 1.5;
  std::memcpy(&bits, &d, 8);
  le(doc, bits, 8);
  CHECK(render(doc) == "[true, null, \"x\", 1.5]");
}

TEST_CASE("json_binary: large object with nested array") {
  // {"k": [7]} in the large format: 4-byte count/size/offsets; int32 inlined in a large container.
  std::vector<uint8_t> inner;  // large array [7]
  le(inner, 1, 4);
  le(inner, 4 + 4 + 5, 4);
  inner.push_back(0x07);
  le(inner, 7, 4);
  std::vector<uint8_t> doc = {0x01};
  const uint32_t header = 8 + 6 + 5;  // count, size, key entry (4+2), value entry (1+4)
  le(doc, 1, 4);
  le(doc, header + 1 + inner.size(), 4);
  le(doc, header, 4);  // key offset
  le(doc, 1, 2);       // key length
  doc.push_back(0x03);
  le(doc, header + 1, 4);  // value offset
  doc.push_back('k');
  doc.insert(doc.end(), inner.begin(), inner.end());
  CHECK(render(doc) == "{\"k\": [7]}");
}

TEST_CASE("json_binary: opaque values") {
  // DECIMAL(4,2) 12.34: precision, scale, decimal2bin bytes 8C 22.
  CHECK(render({0x0F, 246, 0x04, 0x04, 0x02, 0x8C, 0x22}) == "12.34");
  // DATETIME 2015-01-15 23:24:25.000010 as a packed int64.
  const int64_t ymd = ((int64_t{2015} * 13 + 1) << 5) | 15;
  const int64_t hms = (23 << 12) | (24 << 6) | 25;
  std::vector<uint8_t> doc = {0x0F, 12, 0x08};
  le(doc, static_cast<uint64_t>((((ymd << 17) | hms) << 24) + 10), 8);
  CHECK(render(doc) == "\"2015-01-15 23:24:25.000010\"");
  doc = {0x0F, 10, 0x08};
  le(doc, static_cast<uint64_t>(((ymd << 17) << 24)), 8);
  CHECK(render(doc) == "\"2015-01-15\"");
  doc = {0x0F, 11, 0x08};
  le(doc, static_cast<uint64_t>(-((((int64_t{100} << 12) | (2 << 6) | 3) << 24) + 500000)), 8);
  CHECK(render(doc) == "\"-100:02:03.500000\"");
  CHECK(render({0x0F, 252, 0x02, 0xFF, 0x00}) == "\"base64:type252:/wA=\"");
}

TEST_CASE("json_binary: corrupt documents are errors") {
  CHECK(!json_binary_to_text(std::vector<uint8_t>{0x0E}).ok());                          // unknown type
  CHECK(!json_binary_to_text(std::vector<uint8_t>{0x04, 0x03}).ok());                    // bad literal
  CHECK(!json_binary_to_text(std::vector<uint8_t>{0x09, 0x01}).ok());                    // short int64
  CHECK(!json_binary_to_text(std::vector<uint8_t>{0x0C, 0x05, 'a'}).ok());               // short string
  CHECK(!json_binary_to_text(std::vector<uint8_t>{0x00, 0x01, 0x00, 0xFF, 0x00}).ok());  // size past end
  // Key offset past the container.
  CHECK(!json_binary_to_text(std::vector<uint8_t>{0x00, 0x01, 0x00, 0x0C, 0x00, 0x40, 0x00, 0x01, 0x00, 0x05,
                                                  0x01, 0x00, 'a'})
             .ok());
  // Nested one-element small arrays: 50 levels render, 200 are deeper than MySQL's limit of 100.
  auto nested = [](int depth) {
    std::vector<uint8_t> doc = {0x02};
    for (int i = 0; i < depth; ++i) {
      le(doc, 1, 2);
      le(doc, static_cast<uint64_t>(depth - i) * 7, 2);
      doc.push_back(i + 1 < depth ? 0x02 : 0x04);
      le(doc, i + 1 < depth ? 7 : 1, 2);
    }
    return doc;
  };
  CHECK(render(nested(50)) == std::string(50, '[') + "true" + std::string(50, ']'));
  auto r = json_binary_to_text(nested(200));
  REQUIRE(!r.ok());
  CHECK(r.error().code == ErrorCode::kCorrupt);
  CHECK(r.error().message.find("deeper") != std::string::npos);
  // Every prefix of a valid document fails cleanly.
  std::vector<uint8_t> doc = {0x00, 0x01, 0x00, 0x0C, 0x00, 0x0B, 0x00, 0x01, 0x00, 0x05, 0x01, 0x00, 'a'};
  for (size_t n = 1; n < doc.size(); ++n) CHECK(!json_binary_to_text(Bytes(doc.data(), n)).ok());
}

TEST_CASE("json_binary: partial update diffs") {
  // replace $.age with 26, remove $.x, insert $.y[0] "z".
  std::vector<uint8_t> diffs = {0x00, 0x05, '$',  '.', 'a',  'g',  'e',  0x03, 0x05, 0x1A,
                                0x00, 0x02, 0x03, '$', '.',  'x',  0x01, 0x06, '$',  '.',
                                'y',  '[',  '0',  ']', 0x03, 0x0C, 0x01, 'z'};
  std::vector<uint8_t> block;
  le(block, diffs.size(), 4);
  block.insert(block.end(), diffs.begin(), diffs.end());
  block.push_back(0xAA);  // the next column's bytes
  ByteReader in(block);
  auto r = decode_json_diffs(in);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0] == JsonDiff{JsonDiffOperation::kReplace, "$.age", "26"});
  CHECK((*r)[1] == JsonDiff{JsonDiffOperation::kRemove, "$.x", std::nullopt});
  CHECK((*r)[2] == JsonDiff{JsonDiffOperation::kInsert, "$.y[0]", "\"z\""});
  CHECK(in.remaining() == 1);
  for (size_t n = 0; n + 1 < block.size(); ++n) {
    ByteReader cut(Bytes(block.data(), n));
    CHECK(!decode_json_diffs(cut).ok());
  }
  std::vector<uint8_t> bad = {0x02, 0x00, 0x00, 0x00, 0x07, 0x00};  // operation 7
  ByteReader bad_in(bad);
  CHECK(!decode_json_diffs(bad_in).ok());
}
