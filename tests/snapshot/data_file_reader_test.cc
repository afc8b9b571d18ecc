// open_data_file's checks: what it refuses (size, SHA-256, damaged or cut compressed data) and that its
// verdict holds when asked twice. Round trips of every compression are in data_file_writer_test.cc.
#include "mzl/snapshot/data_file_reader.h"

#include <catch2/catch.hpp>

#include "format_test_support.h"
#include "mzl/snapshot/data_file_writer.h"

using namespace mzl;
using namespace mzl::snapshot;
using mzl::test::sample_data;
using mzl::test::TempDir;

TEST_CASE("open_data_file: wrong size, wrong SHA-256, truncated or damaged compressed data") {
  TempDir dir;
  const std::string data = sample_data(500000, 5);
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    INFO(compression_name(c));
    std::vector<uint8_t> bytes;
    auto w = DataFileWriter::to_memory(bytes, c);
    REQUIRE(w.ok());
    REQUIRE((*w)->write(data).ok());
    auto digest = (*w)->finish();
    REQUIRE(digest.ok());

    auto check_finish = [&](std::vector<uint8_t> file, const ExpectedDigest* expected) {
      auto in = open_data_file(make_memory_input(std::move(file), "d.tsv"), c, expected);
      std::vector<uint8_t> buf(100000);
      for (;;) {
        auto n = in->read(buf);
        if (!n.ok()) return Status(n.error());
        if (*n == 0) break;
      }
      return in->finish();
    };
    ExpectedDigest good{digest->size, digest->sha256};
    CHECK(check_finish(bytes, &good).ok());
    ExpectedDigest wrong_sha{digest->size, std::string(64, '0')};
    auto e1 = check_finish(bytes, &wrong_sha);
    REQUIRE_FALSE(e1.ok());
    CHECK(e1.error().code == ErrorCode::kChecksumMismatch);
    CHECK(e1.error().where == "d.tsv");
    ExpectedDigest wrong_size{digest->size + 1, digest->sha256};
    CHECK(check_finish(bytes, &wrong_size).error().code == ErrorCode::kChecksumMismatch);

    std::vector<uint8_t> truncated(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(bytes.size() / 2));
    auto e2 = check_finish(truncated, &good);
    REQUIRE_FALSE(e2.ok());
    if (c == Compression::kNone) {
      CHECK(e2.error().code == ErrorCode::kChecksumMismatch);
    } else {
      CHECK(e2.error().code == ErrorCode::kCorrupt);  // the frame is incomplete
      CHECK_FALSE(check_finish(truncated, nullptr).ok());
    }
    if (c != Compression::kNone) {
      std::vector<uint8_t> damaged = bytes;
      damaged[damaged.size() / 2] ^= 0x55;
      auto e3 = check_finish(damaged, nullptr);
      REQUIRE_FALSE(e3.ok());
      CHECK(e3.error().code == ErrorCode::kCorrupt);
    }
  }
}

// read_all() finishes the stream; a caller finishing it again gets the same verdict, not a false mismatch.
TEST_CASE("open_data_file: finish() twice gives the same verdict") {
  TempDir dir;
  const std::string path = dir.str("twice.tsv.zst");
  const std::string data = sample_data(300000, 3);
  auto writer = DataFileWriter::create_file(path, Compression::kZstd);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->write(data).ok());
  auto digest = (*writer)->finish();
  REQUIRE(digest.ok());
  ExpectedDigest good{digest->size, digest->sha256};
  auto in = open_data_file(path, Compression::kZstd, &good);
  REQUIRE(in.ok());
  REQUIRE(read_all(**in).ok());
  CHECK((*in)->finish().ok());
  ExpectedDigest bad{digest->size, std::string(64, '0')};
  auto in2 = open_data_file(path, Compression::kZstd, &bad);
  REQUIRE(in2.ok());
  CHECK_FALSE(read_all(**in2).ok());
  CHECK((*in2)->finish().error().code == ErrorCode::kChecksumMismatch);
}
