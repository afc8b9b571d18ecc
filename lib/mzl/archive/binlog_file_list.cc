#include "mzl/archive/binlog_file_list.h"
#include "mzl/util/parse_number.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <system_error>
#include <tuple>

namespace mzl::archive {

namespace {

constexpr std::string_view kLz4Suffix = ".lz4";

std::string strip_lz4(const std::string& name) {
  if (name.size() > kLz4Suffix.size() && name.ends_with(kLz4Suffix))
    return name.substr(0, name.size() - kLz4Suffix.size());
  return name;
}

// Whether the file starts like a binlog (FE 'b' 'i' 'n') or an LZ4 frame (04 22 4D 18): a server's data
// directory also holds other numbered files (aria_log.00000001, ib_logfile0...).
bool starts_like_binlog(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, sizeof magic)) return false;
  static constexpr char kBinlog[4] = {'\xfe', 'b', 'i', 'n'};
  static constexpr char kLz4[4] = {'\x04', '\x22', '\x4d', '\x18'};
  return std::equal(magic, magic + 4, kBinlog) || std::equal(magic, magic + 4, kLz4);
}

}  // namespace

std::optional<uint64_t> binlog_sequence_number(const std::string& file_name) {
  const std::string name = strip_lz4(file_name);
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return std::nullopt;
  const std::string digits = name.substr(dot + 1);
  if (digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  auto number = parse_uint(digits, "a binlog file's number");
  if (!number.ok()) return std::nullopt;
  return *number;
}

static Result<std::vector<std::filesystem::path>> list_directory(const std::filesystem::path& dir) {
  // (base name, number) -> path; a plain file replaces its .lz4 twin.
  std::map<std::tuple<std::string, uint64_t>, std::filesystem::path> found;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    const auto number = binlog_sequence_number(name);
    if (!number || !starts_like_binlog(it->path())) continue;
    const std::string plain = strip_lz4(name);
    const std::string base = plain.substr(0, plain.rfind('.'));
    auto key = std::make_tuple(base, *number);
    auto existing = found.find(key);
    if (existing == found.end() || !name.ends_with(kLz4Suffix)) found[key] = it->path();
  }
  if (ec) {
    return Error(ErrorCode::kIo, fmt::format("cannot list the directory: {}", ec.message()))
        .at_r(dir.string());
  }
  if (found.empty()) {
    return Error(ErrorCode::kNotFound,
                 "no binlog files (names ending in .<number>, optionally .lz4) in this directory")
        .at_r(dir.string());
  }
  std::vector<std::filesystem::path> files;
  files.reserve(found.size());
  for (auto& [key, path] : found) files.push_back(std::move(path));
  return files;
}

Result<std::vector<std::filesystem::path>> expand_binlog_paths(const std::vector<std::string>& paths) {
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    const auto status = std::filesystem::status(p, ec);
    if (p == "-") {
      files.emplace_back(p);  // standard input
    } else if (std::filesystem::is_directory(status)) {
      MZL_TRY(auto listed, list_directory(p));
      files.insert(files.end(), listed.begin(), listed.end());
    } else if (std::filesystem::exists(status)) {
      files.emplace_back(p);
    } else {
      return Error(ErrorCode::kNotFound, "no such file or directory").at_r(p);
    }
  }
  return files;
}

std::string server_file_name(const std::filesystem::path& path) {
  return strip_lz4(path.filename().string());
}

Result<std::vector<std::filesystem::path>> archive_files_from(const std::string& archive_dir,
                                                              const std::string& start_file) {
  MZL_TRY(auto all, expand_binlog_paths({archive_dir}));
  auto first =
      std::find_if(all.begin(), all.end(), [&](const auto& p) { return server_file_name(p) == start_file; });
  if (first == all.end()) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("the archive has no file {} (where the snapshot's data ends); it holds {} to {}",
                             start_file, server_file_name(all.front()), server_file_name(all.back())))
        .at_r(archive_dir);
  }
  std::vector<std::filesystem::path> files(first, all.end());
  for (size_t i = 1; i < files.size(); ++i) {
    const auto previous = binlog_sequence_number(server_file_name(files[i - 1]));
    const auto current = binlog_sequence_number(server_file_name(files[i]));
    if (previous && current && *current != *previous + 1) {
      // The missing name, numbered like its predecessor ("mariadb-bin.000041" -> "mariadb-bin.000042").
      const std::string before = server_file_name(files[i - 1]);
      const size_t dot = before.rfind('.');
      const std::string missing =
          fmt::format("{}.{:0{}}", before.substr(0, dot), *previous + 1, before.size() - dot - 1);
      return Error(ErrorCode::kCorrupt,
                   fmt::format("{} is missing between {} and {}: the archive has a gap, so no point after {} "
                               "can be restored from it",
                               missing, before, server_file_name(files[i]), before))
          .at_r(archive_dir);
    }
  }
  return files;
}

}  // namespace mzl::archive
