#include "mzl/load/data_load_pool.h"

#include <algorithm>
#include <chrono>

#include "mzl/net/sql_text.h"

namespace mzl::load {

namespace {

std::string table_key(const LoadDataTarget& target) {
  std::string key = target.database;
  key += '\0';
  key += target.table;
  return key;
}

}  // namespace

DataLoadPool::DataLoadPool(const net::ConnectionOptions& target, bool write_binlog, uint64_t memory_budget,
                           LoadProgressTracker& progress)
    : target_(target), write_binlog_(write_binlog), memory_budget_(memory_budget), progress_(progress) {
  target_.local_infile = true;
}

Result<std::unique_ptr<DataLoadPool>> DataLoadPool::start(const net::ConnectionOptions& target,
                                                          unsigned threads, bool write_binlog,
                                                          uint64_t memory_budget,
                                                          LoadProgressTracker& progress) {
  std::unique_ptr<DataLoadPool> pool(new DataLoadPool(target, write_binlog, memory_budget, progress));
  threads = std::max(threads, 1u);
  pool->connections_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    MZL_TRY(net::ServerConnection connection, net::ServerConnection::connect(pool->target_));
    MZL_CHECK(prepare_data_session(connection, write_binlog));
    pool->connections_.push_back(std::move(connection));
  }
  for (net::ServerConnection& connection : pool->connections_) {
    pool->threads_.emplace_back([p = pool.get(), &connection] { p->work(connection); });
  }
  return pool;
}

DataLoadPool::~DataLoadPool() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    queue_.clear();
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void DataLoadPool::fail_locked(Error error) {
  if (!error_) error_ = std::move(error);
  queue_.clear();
  room_.notify_all();
}

Status DataLoadPool::wait_for_room(uint64_t bytes) {
  std::unique_lock lock(mutex_);
  if (memory_budget_ > 0) {
    room_.wait(lock, [&] { return error_ || held_bytes_ == 0 || held_bytes_ + bytes <= memory_budget_; });
  }
  if (error_) return *error_;
  return ok_status();
}

Status DataLoadPool::submit(DataJob job) {
  std::unique_lock lock(mutex_);
  if (job.held && memory_budget_ > 0) {
    room_.wait(lock, [&] { return error_ || held_bytes_ == 0 || held_bytes_ + job.size <= memory_budget_; });
  }
  if (error_) return *error_;
  if (job.held) held_bytes_ += job.size;
  const auto at = std::upper_bound(queue_.begin(), queue_.end(), job.size,
                                   [](uint64_t size, const DataJob& queued) { return size > queued.size; });
  queue_.insert(at, std::move(job));
  lock.unlock();
  work_ready_.notify_one();
  return ok_status();
}

bool DataLoadPool::table_idle_locked(const std::string& key) const {
  if (std::find(busy_tables_.begin(), busy_tables_.end(), key) != busy_tables_.end()) return false;
  return std::none_of(queue_.begin(), queue_.end(), [&](const DataJob& job) {
    return job.statement.empty() && table_key(job.target) == key;
  });
}

std::optional<DataJob> DataLoadPool::take_locked(std::string& key) {
  auto it = std::find_if(queue_.begin(), queue_.end(), [&](const DataJob& job) {
    return !job.statement.empty() && table_idle_locked(table_key(job.target));
  });
  if (it == queue_.end()) {
    it = std::find_if(queue_.begin(), queue_.end(), [&](const DataJob& job) {
      return job.statement.empty() &&
             std::find(busy_tables_.begin(), busy_tables_.end(), table_key(job.target)) == busy_tables_.end();
    });
  }
  if (it == queue_.end()) {
    it = std::find_if(queue_.begin(), queue_.end(), [](const DataJob& job) { return job.statement.empty(); });
  }
  if (it == queue_.end()) return std::nullopt;
  DataJob job = std::move(*it);
  queue_.erase(it);
  key = table_key(job.target);
  busy_tables_.push_back(key);
  return job;
}

Status DataLoadPool::run(net::ServerConnection& connection, DataJob& job) {
  if (!job.statement.empty()) {
    if (!job.statement_charset.empty()) {
      MZL_CHECK(connection.execute("SET SESSION character_set_client = " +
                                   net::quote_string(job.statement_charset)));
    }
    MZL_CHECK(connection.execute(job.statement));
    if (!job.statement_charset.empty()) MZL_CHECK(connection.execute("SET NAMES utf8mb4"));
    return ok_status();
  }
  LoadDataResult result;
  for (int attempt = 1;; ++attempt) {
    MZL_TRY(std::unique_ptr<InputStream> rows, job.open());
    // The progress bar may count a retried file's bytes twice; the totals below count the committed load.
    auto loaded = load_data_file(connection, *rows, job.target, job.name, job.expected_rows,
                                 [this](uint64_t bytes) { progress_.add_raw_bytes(bytes); });
    if (loaded.ok()) {
      result = *loaded;
      break;
    }
    if (!job.reopenable || attempt == kLoadAttempts || !is_lock_conflict(loaded.error())) {
      return std::move(loaded).error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
  }
  if (job.done) MZL_CHECK(job.done(result));
  progress_.file_done(job.size, result.rows);
  std::lock_guard lock(mutex_);
  ++totals_.files;
  totals_.rows += result.rows;
  totals_.raw_bytes += result.raw_bytes;
  return ok_status();
}

void DataLoadPool::work(net::ServerConnection& connection) {
  for (;;) {
    std::string key;
    std::optional<DataJob> job;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] {
        job = take_locked(key);
        return job || (closing_ && queue_.empty());
      });
      if (!job) return;  // closing and nothing left
      ++running_;
    }
    Status status = run(connection, *job);
    std::lock_guard lock(mutex_);
    --running_;
    busy_tables_.erase(std::find(busy_tables_.begin(), busy_tables_.end(), key));
    if (job->held) held_bytes_ -= job->size;
    if (!status.ok()) fail_locked(std::move(status).error());
    room_.notify_all();
    work_ready_.notify_all();  // a statement job may have become runnable
  }
}

Status DataLoadPool::run_here(DataJob job) {
  {
    std::lock_guard lock(mutex_);
    if (error_) return *error_;
  }
  if (!here_) {
    MZL_TRY(net::ServerConnection connection, net::ServerConnection::connect(target_));
    MZL_CHECK(prepare_data_session(connection, write_binlog_));
    here_ = std::move(connection);
  }
  Status status = run(*here_, job);
  if (!status.ok()) {
    std::lock_guard lock(mutex_);
    fail_locked(status.error());
  }
  return status;
}

Result<DataLoadTotals> DataLoadPool::finish() {
  {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return error_ || (queue_.empty() && running_ == 0); });
    closing_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mutex_);
  if (error_) return *error_;
  return totals_;
}

}  // namespace mzl::load
