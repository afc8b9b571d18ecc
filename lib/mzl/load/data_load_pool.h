#pragma once
// The data phase of a load: `threads` connections, each in a data session (local_infile_load.h), taking
// data files from one queue: the largest waiting file whose table no other connection is loading, else the
// largest. (LOAD DATA into a table with an AUTO_INCREMENT column holds the table's AUTO-INC lock for the
// whole statement under innodb_autoinc_lock_mode=1, the default, so two loads into one table mostly wait.)
// A statement job (the deferred keys of a table) runs once its table has no data job queued or loading,
// before any data job.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "mzl/load/load_progress_tracker.h"
#include "mzl/load/local_infile_load.h"
#include "mzl/net/connection_options.h"
#include "mzl/net/server_connection.h"
#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::load {

struct DataJob {
  std::string name;   // the file (snapshot-relative path or stream member), for messages
  uint64_t size = 0;  // bytes on disk: the order, progress, and (held) memory accounting
  bool held = false;  // its bytes are in memory: counted against the pool's memory budget until done
  LoadDataTarget target;
  std::optional<uint64_t> expected_rows;
  // Opens the file's rows (decompressed, digest-checked at finish()); called on the loading thread, and
  // again for each retry when `reopenable`.
  std::function<Result<std::unique_ptr<InputStream>>()> open;
  // Whether open() can be called again after a load was rolled back. Two loads into one table can deadlock
  // in InnoDB (1213) or time out on a lock (1205): the server rolls the file's transaction back, and the
  // pool loads the file again, up to kLoadAttempts times.
  bool reopenable = true;
  // Called on the loading thread after the file is committed (optional); an error fails the pool.
  std::function<Status(const LoadDataResult&)> done;
  // A statement job instead (open unused): runs `statement` on `target`'s table after its data, with
  // character_set_client set to statement_charset when not empty.
  std::string statement;
  std::string statement_charset;
};

inline constexpr int kLoadAttempts = 5;

struct DataLoadTotals {
  uint64_t files = 0, rows = 0, raw_bytes = 0;
};

class DataLoadPool {
 public:
  // Connects `threads` (at least 1) sessions (local_infile on) and starts their threads. memory_budget: the
  // most bytes of held jobs queued or loading at once (submit() waits below it); 0 is no limit.
  static Result<std::unique_ptr<DataLoadPool>> start(const net::ConnectionOptions& target, unsigned threads,
                                                     bool write_binlog, uint64_t memory_budget,
                                                     LoadProgressTracker& progress);
  ~DataLoadPool();  // stops and joins the threads (waiting for the files being loaded)
  DataLoadPool(const DataLoadPool&) = delete;
  DataLoadPool& operator=(const DataLoadPool&) = delete;

  // Queues a job; for a held job, first waits until the budget has room for it (a job larger than the whole
  // budget waits for an empty pool). Returns the pool's first error once a job has failed (the job is then
  // not queued).
  Status submit(DataJob job);
  // Waits until a held job of `bytes` would be queued at once (call before reading it into memory, so the
  // budget also bounds the member being read). Returns the pool's first error, if any.
  Status wait_for_room(uint64_t bytes);
  // Loads a job on the calling thread over one more connection (opened on first use), e.g. a stream member
  // too large to hold in memory while the queued ones load.
  Status run_here(DataJob job);
  // Waits until every queued job is loaded, stops the threads, and returns the totals or the first error.
  Result<DataLoadTotals> finish();

 private:
  DataLoadPool(const net::ConnectionOptions& target, bool write_binlog, uint64_t memory_budget,
               LoadProgressTracker& progress);
  void work(net::ServerConnection& connection);
  Status run(net::ServerConnection& connection, DataJob& job);
  std::optional<DataJob> take_locked(std::string& table_key);
  bool table_idle_locked(const std::string& table_key) const;
  void fail_locked(Error error);

  net::ConnectionOptions target_;
  bool write_binlog_;
  uint64_t memory_budget_;
  LoadProgressTracker& progress_;
  std::vector<net::ServerConnection> connections_;
  std::optional<net::ServerConnection> here_;
  std::vector<std::thread> threads_;

  std::mutex mutex_;
  std::condition_variable work_ready_;  // a job was queued, or the pool is closing
  std::condition_variable room_;        // memory was released or a job finished
  std::vector<DataJob> queue_;          // sorted by size, largest first
  std::vector<std::string> busy_tables_;
  uint64_t held_bytes_ = 0;
  unsigned running_ = 0;
  bool closing_ = false;
  std::optional<Error> error_;
  DataLoadTotals totals_;
};

}  // namespace mzl::load
