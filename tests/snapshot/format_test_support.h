#pragma once
// Helpers for the snapshot file-format tests: a temporary directory, running a shell command, sample data.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace mzl::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mzl-fmt-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str(const std::string& name = "") const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

// Runs `command` with /bin/sh and returns its standard output; exit_status gets the wait status.
inline std::string run_command(const std::string& command, int* exit_status = nullptr) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (exit_status) *exit_status = status;
  return out;
}

inline void write_bytes(const std::filesystem::path& path, const std::string& data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
}

inline std::string read_bytes(const std::filesystem::path& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  std::fclose(f);
  return out;
}

inline std::string sample_data(size_t size, uint64_t seed) {
  // Half random bytes, half repetitive text, so that compression has something to do and something not.
  std::mt19937_64 rng(seed);
  std::string s;
  s.reserve(size);
  while (s.size() < size) {
    if (rng() % 2) {
      for (int i = 0; i < 1000 && s.size() < size; ++i) s += static_cast<char>(rng());
    } else {
      const std::string row = "12345\t67890\tsome text that repeats\t\\N\n";
      for (int i = 0; i < 50 && s.size() < size; ++i) s.append(row, 0, std::min(row.size(), size - s.size()));
    }
  }
  return s;
}

}  // namespace mzl::test
