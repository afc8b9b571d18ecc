#pragma once
// Storage (storage.h) on the local file system, with the durability rules of util/durable_file.h.
#include "mzl/repo/storage.h"

namespace mzl::repo {

class LocalStorage final : public Storage {
 public:
  Result<std::vector<StorageEntry>> list(const std::string& dir) override;
  Result<std::unique_ptr<InputStream>> open_read(const std::string& path) override;
  Status create_atomically(const std::string& path, std::span<const uint8_t> data) override;
  Status rename(const std::string& from, const std::string& to) override;
  Status remove(const std::string& path) override;
  Status sync_directory(const std::string& dir) override;
};

// The one LocalStorage of the process (it holds no state).
Storage& local_storage();

}  // namespace mzl::repo
