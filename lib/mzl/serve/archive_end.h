#pragma once
// How far a served archive may be read: the end of its last durable transaction (a replica never gets an
// event that a crash of the archiver could take back, man/mzl-binlog-tail.1 SERVING). Inside the archiving
// process the archiver publishes each durable point as it makes it (PublishedArchiveEnd); a serve without the
// archiver reads REPO/binlogs/<source>/state.json, whose durable position the archiver checkpoints every few
// seconds (StateFileArchiveEnd).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "mzl/util/result.h"

namespace mzl::serve {

struct ArchiveEnd {
  std::string file;       // the archive's current file ("" when it has none yet)
  uint64_t position = 0;  // every transaction of `file` that ends at or before this offset is durable
  bool operator==(const ArchiveEnd&) const = default;
};

class ArchiveEndSource {
 public:
  virtual ~ArchiveEndSource() = default;
  virtual Result<ArchiveEnd> end() = 0;
  // Returns when the end may have moved, or after `timeout`.
  virtual void wait(std::chrono::milliseconds timeout) = 0;
};

// Set by the archiver (thread-safe); read by the senders.
class PublishedArchiveEnd final : public ArchiveEndSource {
 public:
  void publish(const ArchiveEnd& end);
  Result<ArchiveEnd> end() override;
  void wait(std::chrono::milliseconds timeout) override;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  ArchiveEnd end_;
  uint64_t version_ = 0;
};

// Reads the state file of a source (repo::archive_state_path).
class StateFileArchiveEnd final : public ArchiveEndSource {
 public:
  explicit StateFileArchiveEnd(std::string state_path) : path_(std::move(state_path)) {}
  Result<ArchiveEnd> end() override;
  void wait(std::chrono::milliseconds timeout) override;

 private:
  std::string path_;
};

}  // namespace mzl::serve
