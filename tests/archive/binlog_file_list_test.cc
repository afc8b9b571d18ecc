#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "mzl/archive/binlog_file_list.h"

using namespace mzl;
using mzl::archive::binlog_sequence_number;
using mzl::archive::expand_binlog_paths;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("mzl-test-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  // A file that starts with the binlog magic (or, for names ending in .lz4, the LZ4 frame magic).
  void touch(const std::string& name) const {
    std::ofstream(path / name) << (name.ends_with(".lz4") ? std::string("\x04\x22\x4d\x18")
                                                          : std::string("\xfe"
                                                                        "bin"));
  }
  void touch_other(const std::string& name) const { std::ofstream(path / name) << "not a binlog"; }
};

}  // namespace

TEST_CASE("binlog sequence numbers come from the numeric suffix") {
  CHECK(binlog_sequence_number("mariadb-bin.000042") == 42u);
  CHECK(binlog_sequence_number("mariadb-bin.000042.lz4") == 42u);
  CHECK(binlog_sequence_number("binlog.1000000") == 1000000u);
  CHECK_FALSE(binlog_sequence_number("mariadb-bin.index"));
  CHECK_FALSE(binlog_sequence_number("state.json"));
  CHECK_FALSE(binlog_sequence_number(".000001"));
  CHECK_FALSE(binlog_sequence_number("x."));
}

TEST_CASE("a directory expands to its binlog files in numeric order, plain over lz4") {
  TempDir dir;
  for (const char* name :
       {"b.000010", "b.000009", "b.000002.lz4", "b.000002", "b.000001.lz4", "b.index", "notes"})
    dir.touch(name);
  dir.touch_other("aria_log.00000001");
  auto files = expand_binlog_paths({dir.path.string()});
  REQUIRE(files.ok());
  std::vector<std::string> names;
  for (const auto& f : *files) names.push_back(f.filename().string());
  CHECK(names == std::vector<std::string>{"b.000001.lz4", "b.000002", "b.000009", "b.000010"});
}

TEST_CASE("missing paths and empty directories are clear errors") {
  TempDir dir;
  auto missing = expand_binlog_paths({(dir.path / "nope").string()});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kNotFound);
  CHECK(missing.error().where == (dir.path / "nope").string());
  auto empty = expand_binlog_paths({dir.path.string()});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == ErrorCode::kNotFound);
}
