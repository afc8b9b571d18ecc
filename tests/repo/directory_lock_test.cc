#include "mzl/repo/directory_lock.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <catch2/catch.hpp>

using namespace mzl;
using namespace mzl::repo;
namespace fs = std::filesystem;

namespace {

std::string scratch_dir() {
  std::string pattern = (fs::temp_directory_path() / "mzl-lock-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

}  // namespace

TEST_CASE("directory lock: one holder at a time, named in the refusal") {
  const std::string dir = scratch_dir();
  {
    auto first = lock_directory(dir, "the first holder");
    REQUIRE(first.ok());
    CHECK(first->held());
    CHECK(directory_locked(dir));
    auto second = lock_directory(dir, "the first holder");
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().code == ErrorCode::kIo);
    CHECK_THAT(second.error().message, Catch::Contains("locked") && Catch::Contains("the first holder"));
    CHECK(second.error().where == dir);

    DirectoryLock moved = std::move(*first);  // moving keeps the lock
    CHECK(moved.held());
    CHECK_FALSE(lock_directory(dir, "x").ok());
  }
  CHECK_FALSE(directory_locked(dir));
  CHECK(lock_directory(dir, "x").ok());
  fs::remove_all(dir);
}

TEST_CASE("directory lock: a holder killed with SIGKILL leaves no stale lock") {
  const std::string dir = scratch_dir();
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto lock = lock_directory(dir, "child");
    char c = lock.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    ::pause();  // holds the lock until killed
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  CHECK(c == 'y');
  CHECK(directory_locked(dir));  // another process holds it
  auto refused = lock_directory(dir, "the child process");
  CHECK_FALSE(refused.ok());

  REQUIRE(::kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK_FALSE(directory_locked(dir));
  CHECK(lock_directory(dir, "parent").ok());
  ::close(ready[0]);
  ::close(ready[1]);
  fs::remove_all(dir);
}

TEST_CASE("directory lock: a missing directory is an error naming it, and not locked") {
  const std::string dir = scratch_dir() + "/missing";
  auto lock = lock_directory(dir, "x");
  REQUIRE_FALSE(lock.ok());
  CHECK(lock.error().code == ErrorCode::kIo);
  CHECK_THAT(lock.error().where, Catch::Contains("missing"));
  CHECK_FALSE(directory_locked(dir));
  fs::remove_all(fs::path(dir).parent_path());
}
