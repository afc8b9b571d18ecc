#include "tool_process.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace mzl::test {

std::string tool_binary(const std::string& name) {
  return std::string(MZL_BINARY_DIR) + "/tools/" + name;
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ToolProcess::ToolProcess(const std::string& program, const std::vector<std::string>& args,
                         const std::filesystem::path& log_prefix, const std::vector<std::string>& env,
                         const std::optional<std::filesystem::path>& stdin_file)
    : out_(log_prefix.string() + ".out"), err_(log_prefix.string() + ".err") {
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  pid_ = ::fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (stdin_file) {
      const int in = ::open(stdin_file->c_str(), O_RDONLY);
      ::dup2(in, 0);
    }
    // Nothing of the test (sockets, files) may stay open in the program.
    for (int fd = 3; fd < 4096; ++fd) ::close(fd);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (auto& a : argv_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

ToolProcess::~ToolProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void ToolProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> ToolProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = status;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return status_;
}

std::string ToolProcess::out() const {
  return file_text(out_);
}
std::string ToolProcess::err() const {
  return file_text(err_);
}

ToolResult run_program(const std::string& program, const std::vector<std::string>& args,
                       const std::filesystem::path& log_prefix, const std::vector<std::string>& env,
                       std::chrono::milliseconds timeout,
                       const std::optional<std::filesystem::path>& stdin_file) {
  ToolProcess process(program, args, log_prefix, env, stdin_file);
  const auto status = process.wait_for(timeout);
  INFO(program << " did not finish within " << timeout.count() << " ms; stderr: " << process.err());
  REQUIRE(status.has_value());
  ToolResult result;
  result.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  result.out = process.out();
  result.err = process.err();
  return result;
}

TmpfsMount::TmpfsMount(const std::filesystem::path& dir, const std::string& size) : dir_(dir) {
  std::filesystem::create_directories(dir);
  // A mount left by an earlier run that was killed before its destructor ran.
  (void)std::system(("mountpoint -q '" + dir.string() + "' && umount -l '" + dir.string() + "'").c_str());
  const std::string command = "mount -t tmpfs -o size=" + size + ",mode=0755 tmpfs '" + dir.string() + "'";
  INFO("mount -t tmpfs at " << dir << " (needs root)");
  REQUIRE(std::system(command.c_str()) == 0);
}

TmpfsMount::~TmpfsMount() {
  (void)std::system(("umount -l '" + dir_.string() + "'").c_str());
}

void TmpfsMount::resize(const std::string& size) {
  REQUIRE(std::system(("mount -o remount,size=" + size + " '" + dir_.string() + "'").c_str()) == 0);
}

}  // namespace mzl::test
