#include "mzl/snapshot/data_file_writer.h"

#include <sys/stat.h>

#include <chrono>
#include <random>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "format_test_support.h"
#include "mzl/snapshot/data_file_reader.h"

using namespace mzl;
using namespace mzl::snapshot;
using mzl::test::read_bytes;
using mzl::test::run_command;
using mzl::test::sample_data;
using mzl::test::TempDir;

namespace {

std::string decompress(const std::string& path, Compression c, const ExpectedDigest* expected = nullptr) {
  auto in = open_data_file(path, c, expected);
  REQUIRE(in.ok());
  auto bytes = read_all(**in);
  if (!bytes.ok()) FAIL(bytes.error().to_string());
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

TEST_CASE("sha256_hex: FIPS 180-2 test vectors") {
  const std::string abc = "abc";
  CHECK(sha256_hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(abc.data()), abc.size())) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex({}) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("DataFileWriter: round trips, sizes, SHA-256 as openssl computes it, readable by lz4/zstd") {
  TempDir dir;
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{100000}, size_t{3} << 20}) {
      const std::string data = sample_data(size, size + 7);
      const std::string path = dir.str(fmt::format("f{}{}", size, compression_suffix(c)));
      INFO(path);
      auto writer = DataFileWriter::create_file(path, c);
      REQUIRE(writer.ok());
      // Written in uneven pieces, some larger than the writer's buffers.
      size_t done = 0;
      size_t piece = 1;
      while (done < data.size()) {
        const size_t n = std::min(piece, data.size() - done);
        REQUIRE((*writer)->write(std::string_view(data).substr(done, n)).ok());
        done += n;
        piece = piece * 7 + 3;
      }
      CHECK((*writer)->raw_bytes() == data.size());
      auto digest = (*writer)->finish();
      REQUIRE(digest.ok());
      writer->reset();
      const std::string on_disk = read_bytes(path);
      CHECK(digest->size == on_disk.size());
      CHECK(digest->raw_bytes == data.size());
      const std::string openssl = run_command("openssl dgst -sha256 -r " + path);
      CHECK(openssl.substr(0, 64) == digest->sha256);
      struct stat st;
      REQUIRE(::stat(path.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
      if (c == Compression::kNone) CHECK(on_disk == data);
      if (c == Compression::kLz4) {
        CHECK(run_command("lz4 -dc " + path) == data);
        if (size > 100000) CHECK(on_disk.size() < data.size());
      }
      if (c == Compression::kZstd) CHECK(run_command("zstd -dc " + path) == data);
      ExpectedDigest expected{digest->size, digest->sha256};
      CHECK(decompress(path, c, &expected) == data);
      CHECK(decompress(path, c) == data);
    }
  }
}

TEST_CASE("DataFileWriter: the memory sink holds the same bytes as the file (lz4: plus a content checksum)") {
  TempDir dir;
  const std::string data = sample_data(2 << 20, 3);
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    for (int level : {0, 3}) {
      std::vector<uint8_t> sink = {'x'};  // appended to, not replaced
      auto mem = DataFileWriter::to_memory(sink, c, level, "part");
      REQUIRE(mem.ok());
      REQUIRE((*mem)->write(data).ok());
      auto mem_digest = (*mem)->finish();
      REQUIRE(mem_digest.ok());
      const std::string path = dir.str(fmt::format("m{}{}", level, compression_suffix(c)));
      auto file = DataFileWriter::create_file(path, c, level);
      REQUIRE(file.ok());
      REQUIRE((*file)->write(data).ok());
      auto file_digest = (*file)->finish();
      REQUIRE(file_digest.ok());
      const std::string on_disk = read_bytes(path);
      const std::string in_memory(sink.begin() + 1, sink.end());
      if (c == Compression::kLz4) {
        // LZ4 frame format: magic (4 bytes), then FLG, whose bit 2 is C.Checksum (a 4-byte XXH32 of the
        // content after the end mark). Only the stream member carries it; the rest is the same frame.
        REQUIRE(on_disk.size() > 4);
        REQUIRE(in_memory.size() == on_disk.size() + 4);
        CHECK((static_cast<uint8_t>(on_disk[4]) & 0x04) == 0);
        CHECK((static_cast<uint8_t>(in_memory[4]) & 0x04) == 0x04);
        CHECK(in_memory.substr(7, on_disk.size() - 7) == on_disk.substr(7));
      } else {
        CHECK(*mem_digest == *file_digest);
        CHECK(in_memory == on_disk);
      }
      auto in =
          open_data_file(make_memory_input(std::vector<uint8_t>(sink.begin() + 1, sink.end()), "part"), c);
      auto back = read_all(*in);
      REQUIRE(back.ok());
      CHECK(std::string(back->begin(), back->end()) == data);
    }
  }
}

TEST_CASE("DataFileWriter: zstd levels change the output, lz4 HC levels too") {
  const std::string data = sample_data(1 << 20, 9);
  auto size_at = [&](Compression c, int level) {
    std::vector<uint8_t> sink;
    auto w = DataFileWriter::to_memory(sink, c, level);
    REQUIRE(w.ok());
    REQUIRE((*w)->write(data).ok());
    return (*w)->finish()->size;
  };
  CHECK(size_at(Compression::kZstd, 1) != size_at(Compression::kZstd, 19));
  CHECK(size_at(Compression::kLz4, 0) != size_at(Compression::kLz4, 9));
  std::vector<uint8_t> sink;
  CHECK(DataFileWriter::to_memory(sink, Compression::kZstd, 20).error().code == ErrorCode::kInvalidArgument);
  CHECK(DataFileWriter::to_memory(sink, Compression::kLz4, -1).error().code == ErrorCode::kInvalidArgument);
}

TEST_CASE("DataFileWriter: errors name the path, an unfinished file is removed") {
  TempDir dir;
  const std::string path = dir.str("exists.tsv");
  mzl::test::write_bytes(path, "old");
  auto exists = DataFileWriter::create_file(path, Compression::kNone);
  REQUIRE_FALSE(exists.ok());
  CHECK(exists.error().code == ErrorCode::kIo);
  CHECK(exists.error().where == path);
  CHECK(read_bytes(path) == "old");
  auto no_dir = DataFileWriter::create_file(dir.str("missing/x.tsv"), Compression::kLz4);
  REQUIRE_FALSE(no_dir.ok());
  CHECK(no_dir.error().where == dir.str("missing/x.tsv"));
  {
    auto w = DataFileWriter::create_file(dir.str("abandoned.lz4"), Compression::kLz4);
    REQUIRE(w.ok());
    REQUIRE((*w)->write("abc").ok());
    CHECK(std::filesystem::exists(dir.str("abandoned.lz4")));
  }
  CHECK_FALSE(std::filesystem::exists(dir.str("abandoned.lz4")));
  auto w = DataFileWriter::create_file(dir.str("done"), Compression::kNone);
  REQUIRE(w.ok());
  REQUIRE((*w)->finish().ok());
  CHECK_FALSE((*w)->finish().ok());
  CHECK_FALSE((*w)->write("x").ok());
}

// Incompressible stretches are stored as uncompressed LZ4 blocks after a failed probe; compressible data
// after them is compressed again. The frame stays valid for the lz4 tool and for our reader.
TEST_CASE("DataFileWriter: lz4 stores incompressible runs and compresses again after them") {
  TempDir dir;
  std::mt19937_64 rng(42);
  std::string random_part(8 << 20, '\0');
  for (auto& ch : random_part) ch = static_cast<char>(rng());
  const std::string row = "42\tsome text that repeats over and over\t\\N\n";
  std::string text_part;
  while (text_part.size() < (8u << 20)) text_part += row;
  const std::string data = random_part + text_part + random_part.substr(0, 1 << 20) + text_part;
  const std::string path = dir.str("mixed.tsv.lz4");
  auto writer = DataFileWriter::create_file(path, Compression::kLz4);
  REQUIRE(writer.ok());
  for (size_t at = 0; at < data.size(); at += 1 << 20) {
    REQUIRE((*writer)->write(std::string_view(data).substr(at, 1 << 20)).ok());
  }
  auto digest = (*writer)->finish();
  REQUIRE(digest.ok());
  // Random bytes cost at most their size plus block headers; the text shrinks to a small fraction.
  CHECK(digest->size < random_part.size() + (1 << 20) + 2 * text_part.size() / 10);
  CHECK(digest->size > random_part.size());
  CHECK(run_command("lz4 -dc " + path) == data);
  CHECK(decompress(path, Compression::kLz4) == data);
}

TEST_CASE("DataFileWriter throughput", "[.bench]") {
  // sysbench-like rows: two integers and two strings of digits and dashes.
  std::string rows;
  std::mt19937_64 rng(1);
  while (rows.size() < (16 << 20)) {
    rows += fmt::format("{}\t{}\t", rng() % 1000000, rng() % 1000000);
    for (int i = 0; i < 11; ++i) rows += fmt::format("{:011}-", rng() % 100000000000ull);
    rows += '\t';
    for (int i = 0; i < 5; ++i) rows += fmt::format("{:011}-", rng() % 100000000000ull);
    rows += '\n';
  }
  for (Compression c : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
    std::vector<uint8_t> sink;
    sink.reserve(rows.size() * 2);
    auto w = DataFileWriter::to_memory(sink, c);
    REQUIRE(w.ok());
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 8; ++i) {
      sink.clear();
      for (size_t at = 0; at < rows.size(); at += 1 << 20)
        REQUIRE((*w)->write(std::string_view(rows).substr(at, 1 << 20)).ok());
    }
    auto d = (*w)->finish();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN(compression_name(c) << ": " << 8 * rows.size() / s / 1e6 << " MB/s raw, ratio "
                             << static_cast<double>(d->raw_bytes) / static_cast<double>(d->size));
  }
}
