#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "mzl/util/direct_file.h"
#include "snapshot/format_test_support.h"

using mzl::DirectFile;
using mzl::ErrorCode;
using mzl::test::TempDir;

namespace {

std::string pattern(size_t size, unsigned seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_in_pieces(DirectFile& file, const std::string& data, size_t piece) {
  for (size_t at = 0; at < data.size(); at += piece) {
    const size_t n = std::min(piece, data.size() - at);
    REQUIRE(file.append(std::span(reinterpret_cast<const uint8_t*>(data.data() + at), n)).ok());
  }
}

}  // namespace

TEST_CASE("DirectFile: every size and piece size reads back exactly, mode 0600") {
  // Both a disk filesystem (the temp dir) and tmpfs (/dev/shm, where O_DIRECT may be refused).
  TempDir disk;
  std::vector<std::string> roots = {disk.str()};
  if (std::filesystem::is_directory("/dev/shm")) roots.push_back("/dev/shm");
  constexpr size_t kMiB = 1 << 20;
  unsigned seed = 0;
  for (const std::string& root : roots) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097}, 2 * kMiB - 1,
                        2 * kMiB, 2 * kMiB + 1, 5 * kMiB + 17}) {
      for (size_t piece : {size_t{1000}, size_t{3 * kMiB}}) {
        const std::string path =
            root + "/mzl-direct-" + std::to_string(::getpid()) + "-" + std::to_string(++seed);
        const std::string data = pattern(size, seed);
        auto file = DirectFile::create(path);
        REQUIRE(file.ok());
        write_in_pieces(**file, data, piece);
        CHECK((*file)->size() == size);
        REQUIRE((*file)->finish(/*sync=*/seed % 2 == 0).ok());
        file->reset();
        CHECK(file_bytes(path) == data);
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        std::filesystem::remove(path);
      }
    }
  }
}

TEST_CASE("DirectFile: a file destroyed before finish() is removed, an existing file is refused untouched") {
  TempDir dir;
  const std::string path = dir.str("partial");
  {
    auto file = DirectFile::create(path);
    REQUIRE(file.ok());
    const std::string data = pattern(3 << 20, 7);  // one buffer handed to the writer thread, one held
    write_in_pieces(**file, data, 1 << 16);
  }
  CHECK_FALSE(std::filesystem::exists(path));

  std::ofstream(path) << "keep me";
  auto again = DirectFile::create(path);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kIo);
  CHECK(again.error().where == path);
  CHECK(file_bytes(path) == "keep me");
}

TEST_CASE("DirectFile: append after finish() is an error, not a write") {
  TempDir dir;
  auto file = DirectFile::create(dir.str("done"));
  REQUIRE(file.ok());
  REQUIRE((*file)->append(std::span(reinterpret_cast<const uint8_t*>("abc"), 3)).ok());
  REQUIRE((*file)->finish(true).ok());
  CHECK_FALSE((*file)->append(std::span(reinterpret_cast<const uint8_t*>("d"), 1)).ok());
  CHECK_FALSE((*file)->finish(true).ok());
  file->reset();
  CHECK(file_bytes(dir.str("done")) == "abc");
}

TEST_CASE("DirectFile: reserve()/commit() in place, mixed with append(), reads back exactly") {
  TempDir dir;
  const std::string path = dir.str("in-place");
  const std::string data = pattern(9 << 20, 11);
  auto file = DirectFile::create(path);
  REQUIRE(file.ok());
  size_t at = 0;
  size_t step = 0;
  while (at < data.size()) {
    // Commit sizes from 0 to kMaxReserve, so buffers overflow by every amount.
    const size_t want = (step * 77'777) % (DirectFile::kMaxReserve + 1);
    const size_t n = std::min(want, data.size() - at);
    if (step % 3 == 2) {
      REQUIRE((*file)->append(std::span(reinterpret_cast<const uint8_t*>(data.data() + at), n)).ok());
    } else {
      std::span<uint8_t> room = (*file)->reserve();
      REQUIRE(room.size() >= DirectFile::kMaxReserve);
      std::memcpy(room.data(), data.data() + at, n);
      REQUIRE((*file)->commit(n).ok());
    }
    at += n;
    ++step;
  }
  REQUIRE((*file)->finish(true).ok());
  CHECK(file_bytes(path) == data);

  auto other = DirectFile::create(dir.str("refused"));
  REQUIRE(other.ok());
  CHECK_FALSE((*other)->commit(DirectFile::kMaxReserve + 1).ok());  // beyond any reservation
}
