#include "test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace mzl::test {

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

void skip_or_fail(const std::string& why) {
  if (running_in_ci()) FAIL(why << " (CI=true: what a test needs must be there)");
  WARN("MZL_SKIPPED: " << why);
}

std::filesystem::path fixtures_dir() {
  std::filesystem::path dir = MZL_FIXTURES;
  if (!std::filesystem::is_directory(dir)) {
    skip_or_fail("fixtures folder " + dir.string() + " is missing");
    return {};
  }
  return dir;
}

std::vector<std::filesystem::path> all_fixture_binlogs() {
  std::vector<std::filesystem::path> files;
  auto dir = fixtures_dir();
  if (dir.empty()) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    auto name = entry.path().filename().string();
    if (name == "README.md" || name == "events.tsv" || entry.path().extension() == ".sql") continue;
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace mzl::test
