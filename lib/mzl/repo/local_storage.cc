#include "mzl/repo/local_storage.h"

#include <algorithm>
#include <filesystem>

#include "mzl/util/durable_file.h"

namespace mzl::repo {
namespace {

namespace fs = std::filesystem;

}  // namespace

Result<std::vector<StorageEntry>> LocalStorage::list(const std::string& dir) {
  std::vector<StorageEntry> entries;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    if (ec && ec != std::errc::no_such_file_or_directory) return io_error("list", dir, ec.value());
    return entries;
  }
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    entries.push_back({it->path().filename().string(), it->is_directory(type_ec)});
  }
  if (ec) return io_error("list", dir, ec.value());
  std::sort(entries.begin(), entries.end(),
            [](const StorageEntry& a, const StorageEntry& b) { return a.name < b.name; });
  return entries;
}

Result<std::unique_ptr<InputStream>> LocalStorage::open_read(const std::string& path) {
  return open_plain_input(path);
}

Status LocalStorage::create_atomically(const std::string& path, std::span<const uint8_t> data) {
  return atomic_write_file(path, data);
}

Status LocalStorage::rename(const std::string& from, const std::string& to) {
  return real_file_system().rename(from, to);
}

Status LocalStorage::remove(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return io_error("remove", path, ec.value());
  return ok_status();
}

Status LocalStorage::sync_directory(const std::string& dir) {
  return fsync_directory(dir);
}

Storage& local_storage() {
  static LocalStorage storage;
  return storage;
}

}  // namespace mzl::repo
