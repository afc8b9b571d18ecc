#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "archive_test_support.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/fault_injecting_file.h"
#include "test_support.h"

using namespace mzl;
using mzl::test::TempRepo;

namespace {

std::vector<uint8_t> bytes_of(std::string_view text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("durable file: append, sync, truncate and reopen") {
  TempRepo dir;
  std::string path = (dir.path / "data").string();
  {
    auto file = open_append_only_file(path);
    REQUIRE(file.ok());
    CHECK((*file)->size() == 0);
    REQUIRE((*file)->append(bytes_of("hello ")).ok());
    REQUIRE((*file)->append(bytes_of("world")).ok());
    REQUIRE((*file)->sync().ok());
    CHECK((*file)->size() == 11);
    REQUIRE((*file)->truncate(5).ok());
    REQUIRE((*file)->append(bytes_of("!")).ok());
  }
  CHECK(test::read_file(path) == bytes_of("hello!"));
  CHECK(mode_of(path) == 0600);
  auto again = open_append_only_file(path);
  REQUIRE(again.ok());
  CHECK((*again)->size() == 6);
  REQUIRE((*again)->append(bytes_of("?")).ok());
  CHECK(test::read_file(path) == bytes_of("hello!?"));
}

TEST_CASE("durable file: large appends (which start writeback) keep every byte, at unaligned offsets") {
  TempRepo dir;
  std::string path = (dir.path / "data").string();
  std::vector<uint8_t> expected;
  {
    auto file = open_append_only_file(path);
    REQUIRE(file.ok());
    // Sizes around kWritebackMinBytes and page multiples, so ranges start and end inside pages.
    for (size_t size : {size_t{1000}, size_t{kWritebackMinBytes}, size_t{(1 << 20) + 17}, size_t{4095},
                        size_t{kWritebackMinBytes - 1}, size_t{3 << 20}}) {
      std::vector<uint8_t> chunk(size);
      for (size_t i = 0; i < size; ++i) chunk[i] = static_cast<uint8_t>((expected.size() + i) * 131 + 7);
      REQUIRE((*file)->append(chunk).ok());
      expected.insert(expected.end(), chunk.begin(), chunk.end());
      CHECK((*file)->size() == expected.size());
    }
    REQUIRE((*file)->sync().ok());
  }
  CHECK(test::read_file(path) == expected);
}

TEST_CASE("durable file: atomic_write_file replaces the whole file, mode 0600, no temporary left") {
  TempRepo dir;
  std::string path = (dir.path / "state.json").string();
  REQUIRE(atomic_write_file(path, bytes_of("first version, long")).ok());
  REQUIRE(atomic_write_file(path, bytes_of("second")).ok());
  CHECK(test::read_file(path) == bytes_of("second"));
  CHECK(mode_of(path) == 0600);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  REQUIRE(fsync_directory(dir.path.string()).ok());
}

TEST_CASE("durable file: errors are kIo naming the path and the system's reason") {
  auto missing = open_append_only_file("/nonexistent-mzl-dir/file");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kIo);
  CHECK(missing.error().where == "/nonexistent-mzl-dir/file");
  CHECK_THAT(missing.error().message, Catch::Contains("No such file or directory"));
  CHECK(fsync_directory("/nonexistent-mzl-dir").error().code == ErrorCode::kIo);

  Error full = io_error("write", "/repo/x", ENOSPC);
  CHECK(full.code == ErrorCode::kIo);
  CHECK_THAT(full.message,
             Catch::Contains("No space left on device") && Catch::Contains("disk or quota is full"));
}

TEST_CASE("durable file: create_private_directories makes missing parents with mode 0700") {
  TempRepo dir;
  auto deep = dir.path / "a" / "b" / "c";
  REQUIRE(create_private_directories(deep.string()).ok());
  CHECK(std::filesystem::is_directory(deep));
  CHECK(mode_of(dir.path / "a") == 0700);
  CHECK(mode_of(deep) == 0700);
  REQUIRE(create_private_directories(deep.string()).ok());
}

TEST_CASE("fault injection: the Nth operation fails with the errno, later ones work") {
  TempRepo dir;
  std::string path = (dir.path / "data").string();
  FaultInjectingFileSystem fs(real_file_system(), FaultPlan{.fail_at = 3, .fail_errno = ENOSPC});
  auto file = fs.open_append(path);  // 1
  REQUIRE(file.ok());
  REQUIRE((*file)->append(bytes_of("abc")).ok());  // 2
  auto failed = (*file)->append(bytes_of("def"));  // 3
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::kIo);
  CHECK_THAT(failed.error().message, Catch::Contains("disk or quota is full"));
  CHECK((*file)->size() == 3);
  auto synced = (*file)->sync();  // 4
  CHECK(synced.ok());
  CHECK(fs.operations() == 4);
  CHECK(test::read_file(path) == bytes_of("abc"));
}

TEST_CASE("fault injection: a crash leaves a torn write, and with lose_unsynced only synced bytes") {
  TempRepo dir;
  std::string path = (dir.path / "data").string();
  SECTION("process crash: bytes written stay, the crashing write is torn") {
    FaultInjectingFileSystem fs(real_file_system(), FaultPlan{.crash_at = 4, .torn_bytes = 2});
    auto file = fs.open_append(path);
    REQUIRE((*file)->append(bytes_of("abc")).ok());
    REQUIRE((*file)->sync().ok());
    auto crashed = (*file)->append(bytes_of("defg"));
    REQUIRE_FALSE(crashed.ok());
    CHECK(crashed.error().code == ErrorCode::kInterrupted);
    CHECK(fs.crashed());
    CHECK_FALSE((*file)->append(bytes_of("x")).ok());
    CHECK_FALSE(fs.atomic_write_file((dir.path / "s").string(), bytes_of("x")).ok());
    CHECK(test::read_file(path) == bytes_of("abcde"));
  }
  SECTION("power loss: everything after the last sync is gone") {
    FaultInjectingFileSystem fs(real_file_system(),
                                FaultPlan{.crash_at = 5, .torn_bytes = 2, .lose_unsynced = true});
    auto file = fs.open_append(path);
    REQUIRE((*file)->append(bytes_of("abc")).ok());
    REQUIRE((*file)->sync().ok());
    REQUIRE((*file)->append(bytes_of("def")).ok());
    CHECK_FALSE((*file)->append(bytes_of("ghi")).ok());
    CHECK(test::read_file(path) == bytes_of("abc"));
  }
  SECTION("a crashing atomic write leaves the old file and at most a partial temporary") {
    std::string state = (dir.path / "state.json").string();
    REQUIRE(atomic_write_file(state, bytes_of("old")).ok());
    FaultInjectingFileSystem fs(real_file_system(), FaultPlan{.crash_at = 1, .torn_bytes = 2});
    CHECK_FALSE(fs.atomic_write_file(state, bytes_of("new state")).ok());
    CHECK(test::read_file(state) == bytes_of("old"));
    CHECK(test::read_file(state + ".tmp") == bytes_of("ne"));
  }
}
