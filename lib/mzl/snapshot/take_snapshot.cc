#include "mzl/snapshot/take_snapshot.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "mzl/archive/binlog_archive.h"
#include "mzl/archive/failover_chain.h"
#include "mzl/archive/history_chain.h"
#include "mzl/net/sql_text.h"
#include "mzl/repo/failover_record.h"
#include "mzl/snapshot/chunk_planner.h"
#include "mzl/snapshot/consistent_start.h"
#include "mzl/snapshot/data_file_writer.h"
#include "mzl/snapshot/row_text.h"
#include "mzl/snapshot/schema_objects.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/snapshot/tar_stream.h"
#include "mzl/util/durable_file.h"
#include "mzl/util/json_report.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/stop_signal.h"

namespace mzl::snapshot {
namespace {

constexpr size_t kWriteBatch = 1 << 20;  // rows are escaped into a buffer of about this size, then compressed
constexpr const char* kToolVersion = "mzl-snapshot 0.1";

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(t)), ms);
}

std::string archive_source_name(const SnapshotOptions& options) {
  if (!options.source.empty()) return options.source;
  const auto& c = options.connection;
  return archive::default_source_name(c.host == "localhost" ? "" : c.host,
                                      c.host == "localhost" ? 0 : c.port);
}

// The archive that holds the binlogs of the server with `server_id` as --source names it: after a failover
// the server behind the snapshot's address is a new primary, whose binlogs the archiver (following the
// failover records, failover_chain.h) writes to a successor source of `base`. The snapshot records that
// source, so that a restore reads the binlogs of the server it was taken from. `base` itself when no failover
// record leads from it to that server.
Result<std::string> archive_source_now(const std::string& repo, const std::string& base, uint32_t server_id) {
  MZL_TRY(std::optional<archive::ArchiveState> state, archive::read_source_state(repo, base));
  if (!state || state->server.server_id == 0 || server_id == 0) return base;
  MZL_TRY(std::vector<repo::FailoverRecord> records, repo::read_failover_records(repo));
  const auto hops = archive::follow_failovers(records, base, {"", state->server.server_id});
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (hop->record.new_primary.server_id == server_id) return hop->source;
  }
  return base;
}

// Where finished files go: the partial snapshot directory, or the tar stream (one member per file).
class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  // A writer for the file at `path` (relative to the snapshot).
  virtual Result<std::unique_ptr<DataFileWriter>> open(const std::string& path) = 0;
  // Called after writer->finish() succeeded.
  virtual Status close(const std::string& path) = 0;
  // Called with the finished manifest.
  virtual Status commit(const Manifest& manifest) = 0;
  virtual void abandon() = 0;
  virtual uint64_t part_limit(uint64_t file_size) const = 0;
};

class DirectorySink : public SnapshotSink {
 public:
  DirectorySink(std::string repo, std::string id, std::string dir, PartialSnapshotLock lock,
                Compression compression, int level)
      : repo_(std::move(repo)),
        id_(std::move(id)),
        dir_(std::move(dir)),
        lock_(std::move(lock)),
        compression_(compression),
        level_(level) {}

  Result<std::unique_ptr<DataFileWriter>> open(const std::string& path) override {
    std::string full = dir_ + "/" + path;
    std::string parent = std::filesystem::path(full).parent_path().string();
    {
      std::lock_guard lock(mutex_);
      if (made_dirs_.insert(parent).second) MZL_CHECK(create_private_directories(parent));
      written_.push_back(full);
    }
    // Synced all together before the manifest (commit), not after each file: a worker never waits for the
    // disk (the writeback was started while the file was written).
    return DataFileWriter::create_file(full, path == "schema.jsonl" ? Compression::kNone : compression_,
                                       level_, /*sync_at_finish=*/false);
  }
  Status close(const std::string&) override { return ok_status(); }
  Status commit(const Manifest& manifest) override {
    // The files were fdatasync()ed by their writers; their names become durable with their directories.
    std::vector<std::string> dirs(made_dirs_.begin(), made_dirs_.end());
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    MZL_CHECK(sync_files(written_));
    for (const auto& d : dirs) MZL_CHECK(fsync_directory(d));
    MZL_CHECK(finish_snapshot(repo_, id_, manifest));
    committed_ = true;
    return ok_status();
  }
  void abandon() override {
    if (committed_) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  uint64_t part_limit(uint64_t file_size) const override { return file_size; }

 private:
  std::string repo_, id_, dir_;
  PartialSnapshotLock lock_;  // held while writing: prune and other runs leave the directory alone
  Compression compression_;
  int level_;
  std::mutex mutex_;
  std::set<std::string> made_dirs_;
  std::vector<std::string> written_;
  bool committed_ = false;
};

// Each file is produced in memory (at most one part per worker) and written as one tar member when it is
// finished; members of different workers interleave, the manifest comes last.
class StreamSink : public SnapshotSink {
 public:
  StreamSink(std::unique_ptr<OutputStream> out, std::string id, Compression compression, int level,
             uint64_t part_bytes)
      : out_(std::move(out)),
        tar_(*out_),
        id_(std::move(id)),
        compression_(compression),
        level_(level),
        part_bytes_(part_bytes) {}

  Result<std::unique_ptr<DataFileWriter>> open(const std::string& path) override {
    std::lock_guard lock(mutex_);
    auto& buffer = buffers_[path];
    buffer.clear();
    return DataFileWriter::to_memory(buffer, path == "schema.jsonl" ? Compression::kNone : compression_,
                                     level_, path);
  }
  Status close(const std::string& path) override {
    std::vector<uint8_t> data;
    {
      std::lock_guard lock(mutex_);
      data = std::move(buffers_[path]);
      buffers_.erase(path);
    }
    std::lock_guard lock(tar_mutex_);
    return tar_.add_file(id_ + "/" + path, data, now());
  }
  Status commit(const Manifest& manifest) override {
    std::lock_guard lock(tar_mutex_);
    MZL_CHECK(tar_.add_file(id_ + "/manifest.json", encode_manifest(manifest), now()));
    MZL_CHECK(tar_.finish());
    return out_->close();
  }
  void abandon() override {}
  uint64_t part_limit(uint64_t file_size) const override { return std::min(file_size, part_bytes_); }

 private:
  static int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::unique_ptr<OutputStream> out_;
  TarWriter tar_;
  std::string id_;
  Compression compression_;
  int level_;
  uint64_t part_bytes_;
  std::mutex mutex_, tar_mutex_;
  std::map<std::string, std::vector<uint8_t>> buffers_;
};

struct ChunkOutput {
  std::vector<DataFile> files;
  std::vector<SnapshotFile> listed;
};

// Shared by the workers: the queue of chunks, the results and the first error.
class DumpJob {
 public:
  DumpJob(const SnapshotOptions& options, const std::vector<TableInfo>& tables, std::vector<Chunk> chunks,
          SnapshotSink& sink)
      : options_(options),
        tables_(tables),
        chunks_(std::move(chunks)),
        sink_(sink),
        outputs_(chunks_.size()),
        chunks_left_per_table_(tables.size(), 0),
        start_(std::chrono::steady_clock::now()) {
    for (const Chunk& c : chunks_) ++chunks_left_per_table_[c.table_index];
    progress_.tables_total = tables.size();
    progress_.chunks_total = chunks_.size();
    for (const TableInfo& t : tables) progress_.estimated_bytes += t.data_bytes;
  }

  // Runs one worker over its connection until the queue is empty or something failed.
  void work(net::ServerConnection& connection) {
    while (!failed_.load()) {
      size_t i = next_.fetch_add(1);
      if (i >= chunks_.size()) return;
      if (stop_requested()) {
        fail(Error(ErrorCode::kInterrupted, "stopped by a signal; the incomplete snapshot was removed"));
        return;
      }
      Status status = dump_chunk(connection, i);
      if (!status.ok()) {
        fail(std::move(status).error());
        return;
      }
      finish_chunk(i);
    }
  }

  // Blocks until every chunk of a non-transactional table is done (or the job failed).
  void wait_non_transactional_done() {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return failed_.load() || non_transactional_left() == 0; });
  }

  std::optional<Error> error() const { return first_error_; }
  const std::vector<ChunkOutput>& outputs() const { return outputs_; }
  const std::vector<Chunk>& chunks() const { return chunks_; }

  void fail(Error error) {
    std::lock_guard lock(mutex_);
    if (!first_error_) first_error_ = std::move(error);
    failed_ = true;
    done_cv_.notify_all();
  }

 private:
  size_t non_transactional_left() const {
    size_t left = 0;
    for (size_t t = 0; t < tables_.size(); ++t) {
      if (!tables_[t].transactional) left += chunks_left_per_table_[t];
    }
    return left;
  }

  std::string part_path(const TableInfo& table, unsigned chunk, unsigned part) const {
    return fmt::format("data/{}/{}.{:05}.{:03}.tsv{}", file_name_component(table.database),
                       file_name_component(table.name), chunk, part,
                       compression_suffix(options_.compression));
  }

  Status dump_chunk(net::ServerConnection& connection, size_t index) {
    const Chunk& chunk = chunks_[index];
    const TableInfo& table = tables_[chunk.table_index];
    const std::string where_table = net::qualified_name(table.database, table.name);
    std::string sql = fmt::format("SELECT {} FROM {}", table.select_list, where_table);
    if (!chunk.where.empty()) sql += " WHERE " + chunk.where;
    const uint64_t limit = sink_.part_limit(options_.file_size);

    ChunkOutput& output = outputs_[index];
    std::unique_ptr<DataFileWriter> writer;
    std::string path;
    uint64_t part_rows = 0;
    unsigned part = 0;
    RowTextBuffer buffer;

    auto flush = [&]() -> Status {
      if (buffer.empty()) return ok_status();
      if (!writer) {
        path = part_path(table, chunk.chunk_index, part);
        MZL_TRY(writer, sink_.open(path));
      }
      MZL_CHECK(writer->write(buffer.bytes()));
      progress_add(0, buffer.size());
      buffer.clear();
      return ok_status();
    };
    auto close_part = [&]() -> Status {
      if (!writer) return ok_status();
      MZL_TRY(FileDigest digest, writer->finish());
      writer.reset();
      MZL_CHECK(sink_.close(path));
      output.files.push_back(DataFile{path, part_rows, digest.raw_bytes});
      output.listed.push_back(SnapshotFile{path, digest.size, digest.sha256});
      progress_written(digest.size);
      part_rows = 0;
      ++part;
      return ok_status();
    };

    uint64_t rows_since_report = 0;
    bool stopped = false;  // another worker failed: its error is reported
    MZL_CHECK(connection.stream_rows(
        sql, fmt::format("dumping {}", where_table), [&](const net::StreamedRow& row) -> Result<bool> {
          buffer.append_row(row.values, row.lengths, row.count);
          ++part_rows;
          ++rows_since_report;
          if (buffer.size() >= kWriteBatch) {
            MZL_CHECK(flush());
            progress_add(rows_since_report, 0);
            rows_since_report = 0;
            if (writer->raw_bytes() >= limit) MZL_CHECK(close_part());
            if (failed_.load()) {
              stopped = true;
              return false;
            }
            if (stop_requested()) {
              return Error(ErrorCode::kInterrupted,
                           "stopped by a signal; the incomplete snapshot was removed");
            }
          }
          return true;
        }));
    if (stopped) return ok_status();
    MZL_CHECK(flush());
    progress_add(rows_since_report, 0);
    return close_part();
  }

  void finish_chunk(size_t index) {
    std::lock_guard lock(mutex_);
    size_t table = chunks_[index].table_index;
    if (--chunks_left_per_table_[table] == 0) ++progress_.tables_done;
    ++progress_.chunks_done;
    done_cv_.notify_all();
    report_locked(true);
  }

  void progress_add(uint64_t rows, uint64_t raw) {
    std::lock_guard lock(mutex_);
    progress_.rows += rows;
    progress_.raw_bytes += raw;
    report_locked(false);
  }
  void progress_written(uint64_t bytes) {
    std::lock_guard lock(mutex_);
    progress_.written_bytes += bytes;
  }
  void report_locked(bool force) {
    if (!options_.progress) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_report_ < std::chrono::milliseconds(100)) return;
    last_report_ = now;
    progress_.seconds = std::chrono::duration<double>(now - start_).count();
    options_.progress(progress_);
  }

  const SnapshotOptions& options_;
  const std::vector<TableInfo>& tables_;
  std::vector<Chunk> chunks_;
  SnapshotSink& sink_;
  std::vector<ChunkOutput> outputs_;
  std::vector<size_t> chunks_left_per_table_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::optional<Error> first_error_;
  SnapshotProgress progress_;
  std::chrono::steady_clock::time_point start_, last_report_{};
};

// Non-transactional tables first: their chunks are taken while the lock is held.
std::vector<Chunk> order_chunks(std::vector<Chunk> chunks, const std::vector<TableInfo>& tables) {
  std::stable_partition(chunks.begin(), chunks.end(),
                        [&](const Chunk& c) { return !tables[c.table_index].transactional; });
  return chunks;
}

Result<std::string> schema_text(const std::vector<SchemaObject>& objects) {
  std::string text;
  for (const SchemaObject& object : objects) text += encode_schema_object(object);
  return text;
}

Manifest build_manifest(const SnapshotOptions& options, const std::string& id, SnapshotServer server,
                        const ConsistentStart& start, const std::vector<std::string>& databases,
                        const std::vector<TableInfo>& tables, const DumpJob& job, SnapshotFile schema_file) {
  Manifest m;
  m.id = id;
  m.tool_version = kToolVersion;
  m.server = std::move(server);
  m.binlog = start.coordinates;
  m.lock = start.lock;
  m.compression = options.compression;
  m.threads = options.threads;
  m.includes_users = options.users;
  m.databases = databases;
  m.files.push_back(std::move(schema_file));
  for (const TableInfo& t : tables) {
    TableEntry entry;
    entry.database = t.database;
    entry.name = t.name;
    entry.engine = t.engine;
    for (const ColumnInfo& c : t.columns) entry.columns.push_back(c.name);
    entry.load_columns = t.load_columns;
    entry.load_set = t.load_set;
    m.tables.push_back(std::move(entry));
  }
  // Files in key order within each table: chunk index, then part.
  std::vector<size_t> order(job.chunks().size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Chunk& x = job.chunks()[a];
    const Chunk& y = job.chunks()[b];
    return std::tie(x.table_index, x.chunk_index) < std::tie(y.table_index, y.chunk_index);
  });
  for (size_t i : order) {
    TableEntry& entry = m.tables[job.chunks()[i].table_index];
    for (const DataFile& f : job.outputs()[i].files) {
      entry.rows += f.rows;
      entry.files.push_back(f);
    }
    for (const SnapshotFile& f : job.outputs()[i].listed) m.files.push_back(f);
  }
  std::sort(m.files.begin(), m.files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return m;
}

Status run_workers(DumpJob& job, ConsistentStart& start) {
  std::vector<std::thread> threads;
  threads.reserve(start.workers.size());
  for (auto& worker : start.workers) threads.emplace_back([&job, &worker] { job.work(worker); });
  Status unlock = ok_status();
  if (start.lock_holder) {
    job.wait_non_transactional_done();
    unlock = start.release_lock();
  }
  for (auto& t : threads) t.join();
  if (auto error = job.error()) return *error;
  return unlock;
}

struct SnapshotTotals {
  uint64_t rows = 0, bytes = 0, raw_bytes = 0;
};

SnapshotTotals totals_of(const Manifest& m) {
  SnapshotTotals t;
  for (const TableEntry& table : m.tables) {
    t.rows += table.rows;
    for (const DataFile& f : table.files) t.raw_bytes += f.raw_bytes;
  }
  for (const SnapshotFile& f : m.files) t.bytes += f.size;
  return t;
}

// What `mzl-snapshot --json` prints when a snapshot is taken (man/mzl-snapshot.1), for util/json_report.h.
struct SnapshotSummary {
  const Manifest& m;
  SnapshotTotals totals;
};

void visit_fields(auto& io, const SnapshotSummary& s) {
  const Manifest& m = s.m;
  io.field("id", m.id);
  io.field("rows", s.totals.rows);
  io.field("tables", m.tables.size());
  io.field("files", m.files.size());
  io.field("bytes", s.totals.bytes);
  io.field("raw_bytes", s.totals.raw_bytes);
  io.field("compression", compression_name(m.compression));
  io.field("threads", m.threads);
  io.field("binlog_file", m.binlog.file);
  io.field("binlog_position", m.binlog.position);
  io.field("gtid", m.binlog.gtid);
  io.field("lock_method", m.lock.method);
  io.field("lock_seconds", m.lock.seconds);
  io.field("started_at", m.started_at);
  io.field("finished_at", m.finished_at);
}

}  // namespace

Result<Manifest> take_snapshot(const SnapshotOptions& options) {
  if (options.threads == 0) return Error(ErrorCode::kInvalidArgument, "--threads must be at least 1");
  const auto started = std::chrono::system_clock::now();
  const auto steady_start = std::chrono::steady_clock::now();
  MZL_TRY(auto control, net::ServerConnection::connect(options.connection));
  MZL_TRY(SnapshotServer server, read_server_identity(control, archive_source_name(options)));
  if (!options.to_stdout) {
    MZL_TRY(server.source, archive_source_now(options.repo, server.source, server.server_id));
  }
  MZL_TRY(std::vector<std::string> databases, list_databases(control, options.filter));
  MZL_TRY(std::vector<TableInfo> tables, list_tables(control, options.filter));
  const bool non_transactional =
      std::any_of(tables.begin(), tables.end(), [](const TableInfo& t) { return !t.transactional; });

  ConsistentStartOptions start_options;
  start_options.connections = options.threads;
  start_options.lock_non_transactional = non_transactional;
  MZL_TRY(ConsistentStart start, open_consistent_snapshots(options.connection, start_options));
  // The schema is read after the data's snapshot was opened: a table created later is not in the dump.
  MZL_TRY(std::vector<SchemaObject> objects,
          read_schema_objects(control, databases, tables, options.users, options.filter));
  MZL_TRY(std::vector<Chunk> planned, plan_chunks(start.workers[0], tables, options.chunk_rows));
  std::vector<Chunk> chunks = order_chunks(std::move(planned), tables);

  std::string id = snapshot_id_for(started);
  std::unique_ptr<SnapshotSink> sink;
  if (options.to_stdout) {
    MZL_TRY(auto out, open_output("-", 1 << 20));
    sink = std::make_unique<StreamSink>(std::move(out), id, options.compression, options.compression_level,
                                        options.stream_part_bytes);
  } else {
    MZL_CHECK(remove_partial_snapshots(options.repo));
    MZL_TRY(std::string dir, begin_snapshot(options.repo, id));
    MZL_TRY(PartialSnapshotLock lock, lock_partial_snapshot(dir));
    sink = std::make_unique<DirectorySink>(options.repo, id, dir, std::move(lock), options.compression,
                                           options.compression_level);
  }
  auto fail = [&](Error error) -> Result<Manifest> {
    sink->abandon();
    return error;
  };

  MZL_TRY(std::string schema, schema_text(objects));
  auto schema_writer = sink->open("schema.jsonl");
  if (!schema_writer.ok()) return fail(std::move(schema_writer).error());
  if (Status s = (*schema_writer)->write(schema); !s.ok()) return fail(std::move(s).error());
  auto schema_digest = (*schema_writer)->finish();
  if (!schema_digest.ok()) return fail(std::move(schema_digest).error());
  if (Status s = sink->close("schema.jsonl"); !s.ok()) return fail(std::move(s).error());

  DumpJob job(options, tables, std::move(chunks), *sink);
  if (Status s = run_workers(job, start); !s.ok()) return fail(std::move(s).error());

  Manifest manifest =
      build_manifest(options, id, std::move(server), start, databases, tables, job,
                     SnapshotFile{"schema.jsonl", schema_digest->size, schema_digest->sha256});
  manifest.started_at = utc_timestamp(started);
  manifest.finished_at =
      utc_timestamp(started + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                  std::chrono::steady_clock::now() - steady_start));
  if (Status s = sink->commit(manifest); !s.ok()) return fail(std::move(s).error());
  return manifest;
}

std::string describe_snapshot(const Manifest& m, bool json) {
  const SnapshotTotals totals = totals_of(m);
  if (json) return json_line(SnapshotSummary{m, totals});
  std::string where =
      m.binlog.file.empty()
          ? std::string("no binary log (point-in-time recovery impossible from this snapshot)")
          : fmt::format("{}:{} GTID {}", m.binlog.file, m.binlog.position,
                        m.binlog.gtid.empty() ? "(none)" : m.binlog.gtid);
  return fmt::format(
      "snapshot {}: {} tables, {} rows, {} bytes ({} uncompressed, {}), {} to {}\n"
      "consistent at {}; commits blocked {:.3f} s ({})\n",
      m.id, m.tables.size(), totals.rows, totals.bytes, totals.raw_bytes, compression_name(m.compression),
      m.started_at, m.finished_at, where, m.lock.seconds, m.lock.method);
}

}  // namespace mzl::snapshot
