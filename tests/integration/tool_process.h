#pragma once
// Running an mzl program as a real process in the integration tests: started with fork/exec, stdout and
// stderr in files, signalled (SIGTERM, SIGKILL) and reaped.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mzl::test {

// The built program `name` (e.g. "mzl-snapshot") under MZL_BINARY_DIR/tools/.
std::string tool_binary(const std::string& name);

class ToolProcess {
 public:
  // Starts `program` with `args`; its stdout goes to <log_prefix>.out, stderr to <log_prefix>.err; `env`
  // entries "NAME=value" are added to the environment; `stdin_file` (when set) is its standard input.
  ToolProcess(const std::string& program, const std::vector<std::string>& args,
              const std::filesystem::path& log_prefix, const std::vector<std::string>& env = {},
              const std::optional<std::filesystem::path>& stdin_file = std::nullopt);
  ~ToolProcess();  // SIGKILLs and reaps a process still running
  ToolProcess(const ToolProcess&) = delete;
  ToolProcess& operator=(const ToolProcess&) = delete;

  bool running() const { return pid_ > 0 && !status_; }
  void signal(int sig);
  // The wait status once the process has ended within the timeout.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  std::string out() const;
  std::string err() const;
  const std::filesystem::path& out_path() const { return out_; }

 private:
  int pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path out_, err_;
};

struct ToolResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// Runs the program to its end (REQUIREs that it ends within `timeout`).
ToolResult run_program(const std::string& program, const std::vector<std::string>& args,
                       const std::filesystem::path& log_prefix, const std::vector<std::string>& env = {},
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(300000),
                       const std::optional<std::filesystem::path>& stdin_file = std::nullopt);

// A tmpfs of `size` (e.g. "2m") mounted at `dir` for the scope, to fill a disk on purpose; a failing mount is
// a test failure (the tests run as root), never a skip.
class TmpfsMount {
 public:
  TmpfsMount(const std::filesystem::path& dir, const std::string& size);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  void resize(const std::string& size);

 private:
  std::filesystem::path dir_;
};

// The whole content of a file ("" when it cannot be read).
std::string file_text(const std::filesystem::path& path);

}  // namespace mzl::test
