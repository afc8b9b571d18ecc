#pragma once
// What the mzl-promote --watch integration tests share: addresses and pids of a sandbox's servers, waiting
// for a watcher's output, counting its events.
#include <fmt/format.h>

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <string>
#include <thread>

#include "sandbox.h"

namespace mzl::test {

inline std::string address(unsigned port) {
  return fmt::format("127.0.0.1:{}", port);
}

// The pid of server i (1-based) of `sandbox`, from its mysqld.pid.
inline pid_t server_pid(const OwnSandbox& sandbox, int i) {
  std::ifstream in(sandbox.dir() / std::to_string(i) / "mysqld.pid");
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// Waits until `predicate` holds (polling every 50 ms); false after `timeout`.
template <class Predicate>
bool wait_until(Predicate predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// How many times `part` occurs in `text`.
inline size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace mzl::test
