#include "mzl/repo/repository_layout.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

namespace mzl::repo {
namespace {

namespace fs = std::filesystem;

constexpr size_t kIdLength = 16;  // YYYYMMDDTHHMMSSZ

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The "-<n>" suffix of an id, 1 when there is none.
uint64_t id_suffix(std::string_view id) {
  if (id.size() <= kIdLength + 1) return 1;
  uint64_t n = 1;
  std::from_chars(id.data() + kIdLength + 1, id.data() + id.size(), n);
  return n;
}

}  // namespace

std::string binlogs_dir(const std::string& repo) {
  return fmt::format("{}/{}", repo, kBinlogsDirName);
}

std::string source_dir(const std::string& repo, const std::string& source) {
  return fmt::format("{}/{}", binlogs_dir(repo), source);
}

std::string archive_state_path(const std::string& repo, const std::string& source) {
  return fmt::format("{}/{}", source_dir(repo, source), kStateFileName);
}

std::string pruned_through_path(const std::string& repo, const std::string& source) {
  return fmt::format("{}/{}", source_dir(repo, source), kPrunedThroughFileName);
}

std::string failovers_dir(const std::string& repo) {
  return fmt::format("{}/{}", repo, kFailoversDirName);
}

std::string snapshots_dir(const std::string& repo) {
  return fmt::format("{}/{}", repo, kSnapshotsDirName);
}

std::string snapshot_dir(const std::string& repo, const std::string& id) {
  return fmt::format("{}/{}", snapshots_dir(repo), id);
}

std::string partial_snapshot_dir(const std::string& repo, const std::string& id) {
  return fmt::format("{}/{}{}", snapshots_dir(repo), kPartialPrefix, id);
}

std::string manifest_path(const std::string& snapshot_dir) {
  return fmt::format("{}/{}", snapshot_dir, kManifestFileName);
}

std::string snapshot_id_for(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

bool is_snapshot_id(std::string_view name) {
  if (name.size() < kIdLength) return false;
  if (!all_digits(name.substr(0, 8)) || name[8] != 'T' || !all_digits(name.substr(9, 6)) || name[15] != 'Z') {
    return false;
  }
  if (name.size() == kIdLength) return true;
  const std::string_view suffix = name.substr(kIdLength + 1);
  return name[kIdLength] == '-' && all_digits(suffix) && suffix.front() != '0' && suffix.size() <= 9;
}

bool snapshot_id_before(std::string_view a, std::string_view b) {
  const std::string_view base_a = a.substr(0, std::min(a.size(), kIdLength));
  const std::string_view base_b = b.substr(0, std::min(b.size(), kIdLength));
  if (base_a != base_b) return base_a < base_b;
  return id_suffix(a) < id_suffix(b);
}

bool is_repository(const std::string& repo) {
  std::error_code ec;
  return fs::is_directory(binlogs_dir(repo), ec) || fs::is_directory(snapshots_dir(repo), ec);
}

Status require_repository(const std::string& repo) {
  if (is_repository(repo)) return ok_status();
  std::error_code ec;
  if (!fs::exists(repo, ec)) {
    return Error{ErrorCode::kNotFound,
                 "no such repository directory (give the --repo of mzl-snapshot and "
                 "mzl-binlog-tail)"}
        .at_r(repo);
  }
  return Error{ErrorCode::kInvalidArgument,
               fmt::format("not a backup repository (no {}/ or {}/ in it): give the --repo that mzl-snapshot "
                           "and mzl-binlog-tail write to",
                           kBinlogsDirName, kSnapshotsDirName)}
      .at_r(repo);
}

bool may_create_repository(const std::string& repo) {
  std::error_code ec;
  if (!fs::exists(repo, ec)) return !ec;
  if (!fs::is_directory(repo, ec)) return false;
  return is_repository(repo) || fs::is_empty(repo, ec);
}

Result<std::vector<std::string>> list_sources(Storage& storage, const std::string& repo) {
  MZL_TRY(std::vector<StorageEntry> entries, storage.list(binlogs_dir(repo)));
  std::vector<std::string> names;
  for (const StorageEntry& entry : entries) {
    if (entry.is_directory) names.push_back(entry.name);
  }
  return names;
}

}  // namespace mzl::repo
