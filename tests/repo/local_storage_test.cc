#include "mzl/repo/local_storage.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

using namespace mzl;
using namespace mzl::repo;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "mzl-storage-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("LocalStorage: create, list, read, rename, remove") {
  ScratchDir dir;
  Storage& storage = local_storage();

  auto missing = storage.list(dir.path + "/none");
  REQUIRE(missing.ok());
  CHECK(missing->empty());

  REQUIRE(storage.create_atomically(dir.path + "/b.json", bytes("{\"b\":1}")).ok());
  fs::create_directory(dir.path + "/a");
  auto entries = storage.list(dir.path);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].name == "a");
  CHECK((*entries)[0].is_directory);
  CHECK((*entries)[1].name == "b.json");
  CHECK_FALSE((*entries)[1].is_directory);

  auto in = storage.open_read(dir.path + "/b.json");
  REQUIRE(in.ok());
  auto content = read_all(**in);
  REQUIRE(content.ok());
  CHECK(std::string(content->begin(), content->end()) == "{\"b\":1}");
  CHECK(storage.open_read(dir.path + "/nope").error().code == ErrorCode::kNotFound);

  REQUIRE(storage.rename(dir.path + "/b.json", dir.path + "/a/c.json").ok());
  REQUIRE(storage.sync_directory(dir.path).ok());
  CHECK(slurp(dir.path + "/a/c.json") == "{\"b\":1}");
  CHECK_FALSE(fs::exists(dir.path + "/b.json"));

  REQUIRE(storage.remove(dir.path + "/a").ok());
  CHECK_FALSE(fs::exists(dir.path + "/a"));
  CHECK(storage.remove(dir.path + "/a").ok());  // already gone
}

TEST_CASE("LocalStorage: create_atomically replaces the whole content") {
  ScratchDir dir;
  const std::string path = dir.path + "/state.json";
  REQUIRE(local_storage().create_atomically(path, bytes("old")).ok());
  REQUIRE(local_storage().create_atomically(path, bytes("new and longer")).ok());
  CHECK(slurp(path) == "new and longer");
}

// A process killed (SIGKILL) at any point of create_atomically leaves under the final name either the old
// content or all of the new one, never a prefix: the children below are killed at varying moments while they
// rewrite the file with a large content.
TEST_CASE("LocalStorage: create_atomically never shows a partial file under the final name") {
  ScratchDir dir;
  const std::string path = dir.path + "/state.json";
  const std::string old_content = "old";
  const std::string new_content(4 << 20, 'n');
  REQUIRE(local_storage().create_atomically(path, bytes(old_content)).ok());
  int saw_new = 0;
  for (int round = 0; round < 20; ++round) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      for (;;) {
        if (!local_storage().create_atomically(path, bytes(new_content)).ok()) ::_exit(1);
        if (!local_storage().create_atomically(path, bytes(old_content)).ok()) ::_exit(1);
      }
    }
    ::usleep(static_cast<useconds_t>(1000 + round * 1500));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    const std::string seen = slurp(path);
    const bool whole = seen == old_content || seen == new_content;
    CHECK(whole);
    if (seen == new_content) ++saw_new;
    for (const auto& e : fs::directory_iterator(dir.path)) {
      // Leftover temporary files may exist; none of them is the final name.
      CHECK((e.path().filename() == "state.json" ||
             e.path().filename().string().find(".tmp") != std::string::npos));
    }
  }
  INFO("rounds that ended with the new content: " << saw_new);
}
