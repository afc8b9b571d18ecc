#include "mzl/util/fault_injecting_file.h"

#include <algorithm>

#include <fmt/format.h>

namespace mzl {
namespace {

class FaultInjectingFile final : public AppendOnlyFile {
 public:
  FaultInjectingFile(FaultInjectingFileSystem& fs, std::unique_ptr<AppendOnlyFile> base)
      : fs_(fs), base_(std::move(base)) {}

  Status append(std::span<const uint8_t> data) override {
    auto outcome = fs_.next_operation();
    if (outcome == FaultInjectingFileSystem::Outcome::kDead) return fs_.crash_error(path());
    if (outcome != FaultInjectingFileSystem::Outcome::kProceed) {
      size_t torn = std::min(fs_.plan().torn_bytes, data.size());
      if (torn > 0) {
        MZL_CHECK(base_->append(data.first(torn)));
        fs_.note_size(path(), base_->size(), false);
      }
      if (outcome == FaultInjectingFileSystem::Outcome::kCrash) return fs_.crash_error(path());
      return fs_.failure("write", path());
    }
    MZL_CHECK(base_->append(data));
    fs_.note_size(path(), base_->size(), false);
    return ok_status();
  }

  Status sync() override {
    switch (fs_.next_operation()) {
      case FaultInjectingFileSystem::Outcome::kCrash:
      case FaultInjectingFileSystem::Outcome::kDead:
        return fs_.crash_error(path());
      case FaultInjectingFileSystem::Outcome::kFail:
        return fs_.failure("fdatasync", path());
      case FaultInjectingFileSystem::Outcome::kProceed:
        break;
    }
    MZL_CHECK(base_->sync());
    fs_.note_size(path(), base_->size(), true);
    return ok_status();
  }

  Status truncate(uint64_t size) override {
    switch (fs_.next_operation()) {
      case FaultInjectingFileSystem::Outcome::kCrash:
      case FaultInjectingFileSystem::Outcome::kDead:
        return fs_.crash_error(path());
      case FaultInjectingFileSystem::Outcome::kFail:
        return fs_.failure("truncate", path());
      case FaultInjectingFileSystem::Outcome::kProceed:
        break;
    }
    MZL_CHECK(base_->truncate(size));
    fs_.note_size(path(), size, false);
    return ok_status();
  }

  uint64_t size() const override { return base_->size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  FaultInjectingFileSystem& fs_;
  std::unique_ptr<AppendOnlyFile> base_;
};

}  // namespace

FaultInjectingFileSystem::Outcome FaultInjectingFileSystem::next_operation() {
  if (crashed_) return Outcome::kDead;
  ++operations_;
  if (plan_.crash_at != 0 && operations_ == plan_.crash_at) {
    crashed_ = true;
    return Outcome::kCrash;
  }
  if (plan_.fail_at != 0 && operations_ == plan_.fail_at) return Outcome::kFail;
  return Outcome::kProceed;
}

Error FaultInjectingFileSystem::failure(const std::string& what, const std::string& path) const {
  return io_error(fmt::format("{} (injected fault)", what), path, plan_.fail_errno);
}

Error FaultInjectingFileSystem::crash_error(const std::string& path) {
  if (!power_lost_) crash_now();
  return Error{ErrorCode::kInterrupted, "simulated crash: the process is gone"}.at_r(path);
}

void FaultInjectingFileSystem::note_size(const std::string& path, uint64_t size, bool synced) {
  auto [it, inserted] = synced_size_.try_emplace(path, size);
  if (synced) {
    it->second = size;
  } else if (!inserted) {
    it->second = std::min(it->second, size);
  }
}

void FaultInjectingFileSystem::crash_now() {
  power_lost_ = true;
  if (!plan_.lose_unsynced) return;
  for (const auto& [path, synced] : synced_size_) {
    auto file = base_.open_append(path);
    if (file.ok() && (*file)->size() > synced) (void)(*file)->truncate(synced);
  }
}

Result<std::unique_ptr<AppendOnlyFile>> FaultInjectingFileSystem::open_append(const std::string& path) {
  switch (next_operation()) {
    case Outcome::kCrash:
    case Outcome::kDead:
      return crash_error(path);
    case Outcome::kFail:
      return failure("open for writing", path);
    case Outcome::kProceed:
      break;
  }
  MZL_TRY(auto base, base_.open_append(path));
  // Bytes already in the file when it is opened count as durable (they survived the previous run).
  synced_size_.try_emplace(path, base->size());
  return std::unique_ptr<AppendOnlyFile>(std::make_unique<FaultInjectingFile>(*this, std::move(base)));
}

Status FaultInjectingFileSystem::atomic_write_file(const std::string& path, std::span<const uint8_t> data) {
  switch (next_operation()) {
    case Outcome::kDead:
      return crash_error(path);
    case Outcome::kCrash: {
      size_t torn = std::min(plan_.torn_bytes, data.size());
      if (auto tmp = base_.open_append(path + ".tmp"); tmp.ok() && torn > 0) {
        (void)(*tmp)->append(data.first(torn));
      }
      return crash_error(path);
    }
    case Outcome::kFail:
      return failure("write", path + ".tmp");
    case Outcome::kProceed:
      break;
  }
  return base_.atomic_write_file(path, data);
}

Status FaultInjectingFileSystem::fsync_directory(const std::string& dir) {
  switch (next_operation()) {
    case Outcome::kCrash:
    case Outcome::kDead:
      return crash_error(dir);
    case Outcome::kFail:
      return failure("fsync directory", dir);
    case Outcome::kProceed:
      break;
  }
  return base_.fsync_directory(dir);
}

Status FaultInjectingFileSystem::rename(const std::string& from, const std::string& to) {
  switch (next_operation()) {
    case Outcome::kCrash:
    case Outcome::kDead:
      return crash_error(from);
    case Outcome::kFail:
      return failure(fmt::format("rename to {}", to), from);
    case Outcome::kProceed:
      break;
  }
  MZL_CHECK(base_.rename(from, to));
  if (auto node = synced_size_.extract(from)) {
    node.key() = to;
    synced_size_.insert_or_assign(to, node.mapped());
  }
  return ok_status();
}

Status FaultInjectingFileSystem::remove(const std::string& path) {
  switch (next_operation()) {
    case Outcome::kCrash:
    case Outcome::kDead:
      return crash_error(path);
    case Outcome::kFail:
      return failure("unlink", path);
    case Outcome::kProceed:
      break;
  }
  MZL_CHECK(base_.remove(path));
  synced_size_.erase(path);
  return ok_status();
}

}  // namespace mzl
