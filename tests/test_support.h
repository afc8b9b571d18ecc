#pragma once
// Helpers shared by the tests: where the real fixtures are, and whether a missing one may be skipped.
#include <filesystem>
#include <string>
#include <vector>

namespace mzl::test {

// The fixtures folder (../shared/fixtures/binlogs by default). When it is absent the calling test is skipped
// with a message, except under CI=true, where a missing fixture fails the test.
std::filesystem::path fixtures_dir();

// Every binlog file under the fixtures folder (everything that is not README.md, events.tsv or *.sql),
// sorted by path.
std::vector<std::filesystem::path> all_fixture_binlogs();

std::vector<uint8_t> read_file(const std::filesystem::path& path);

bool running_in_ci();

// A test that cannot run here (a missing fixture folder or tool): fails under CI=true; elsewhere prints
// "MZL_SKIPPED: <why>", which CTest's SKIP_REGULAR_EXPRESSION (tests/CMakeLists.txt) turns into a "skipped"
// verdict, so a skipped test is never counted as passed.
void skip_or_fail(const std::string& why);

}  // namespace mzl::test
