#include <fmt/format.h>

#include <map>
#include <mutex>

#include "mzl/load/data_load_pool.h"
#include "mzl/load/hashing_input.h"
#include "mzl/load/load_progress_tracker.h"
#include "mzl/load/load_steps.h"
#include "mzl/load/snapshot_loader.h"
#include "mzl/snapshot/data_file_reader.h"
#include "mzl/snapshot/tar_stream.h"
#include "mzl/util/sha256.h"

namespace mzl::load {

namespace {

constexpr uint64_t kMaxSmallMember = 1ull << 30;  // schema.jsonl and manifest.json are read whole

// What was seen of one member, compared with the manifest at the end.
struct SeenMember {
  std::shared_ptr<StreamDigest> digest = std::make_shared<StreamDigest>();
  std::optional<uint64_t> rows;  // data members that were loaded
};

class StreamLoad {
 public:
  StreamLoad(InputStream& in, const LoadOptions& options)
      : in_(in), tar_(in), options_(options), progress_(options.progress) {}

  Result<LoadStats> run();

 private:
  Error corrupt(const std::string& problem, const std::string& member) const {
    return Error{ErrorCode::kCorrupt, problem}.at_r(fmt::format("{}:{}", in_.name(), member));
  }
  Result<std::vector<uint8_t>> read_member(const snapshot::TarMember& member);
  SeenMember& record(const std::string& relative_path);
  Status data_member(const snapshot::TarMember& member, const std::string& relative_path);
  Status skip_member(SeenMember& seen);
  Status check_against_manifest();

  InputStream& in_;
  snapshot::TarReader tar_;
  const LoadOptions& options_;
  LoadProgressTracker progress_;
  LoadStats stats_;
  std::string id_;
  std::vector<snapshot::SchemaObject> objects_;
  std::unique_ptr<SchemaPhase> schema_;
  std::map<std::string, const snapshot::SchemaObject*> tables_by_file_prefix_;  // "data/<db>/<table>."
  std::mutex seen_mutex_;
  std::map<std::string, SeenMember> seen_;  // by path relative to "<id>/"
  std::unique_ptr<DataLoadPool> pool_;      // last: its threads use the members above until it is destroyed
};

Result<std::vector<uint8_t>> StreamLoad::read_member(const snapshot::TarMember& member) {
  if (member.size > kMaxSmallMember) return corrupt("member too large to be read whole", member.path);
  std::vector<uint8_t> bytes(member.size);
  size_t filled = 0;
  while (filled < bytes.size()) {
    MZL_TRY(size_t n, tar_.read(std::span<uint8_t>(bytes).subspan(filled)));
    if (n == 0) return corrupt("the stream ends inside the member", member.path);
    filled += n;
  }
  return bytes;
}

SeenMember& StreamLoad::record(const std::string& relative_path) {
  std::lock_guard lock(seen_mutex_);
  return seen_[relative_path];
}

Status StreamLoad::skip_member(SeenMember& seen) {
  std::unique_ptr<InputStream> hashed = make_hashing_input(tar_.member_input(), seen.digest);
  std::vector<uint8_t> buffer(1 << 20);
  for (;;) {
    MZL_TRY(size_t n, hashed->read(buffer));
    if (n == 0) return ok_status();
  }
}

Status StreamLoad::data_member(const snapshot::TarMember& member, const std::string& path) {
  if (seen_.count(path)) return corrupt("the member occurs twice", member.path);
  SeenMember& seen = record(path);
  stats_.bytes += member.size;
  const size_t dot = path.find('.', path.rfind('/') + 1);
  const auto table = tables_by_file_prefix_.find(path.substr(0, dot == std::string::npos ? dot : dot + 1));
  if (table == tables_by_file_prefix_.end()) {
    return corrupt("a data member of no table in schema.jsonl", member.path);
  }
  const snapshot::SchemaObject& t = *table->second;
  if (!schema_->selection.includes_table(t.database, t.name)) return skip_member(seen);

  DataJob job;
  job.name = fmt::format("{}:{}", in_.name(), member.path);
  job.size = member.size;
  job.target =
      LoadDataTarget{schema_->selection.target_database(t.database), t.name, t.load_columns, t.load_set};
  const snapshot::Compression compression = compression_of(path);
  job.done = [this, &seen](const LoadDataResult& result) {
    std::lock_guard lock(seen_mutex_);
    seen.rows = result.rows;
    return ok_status();
  };
  progress_.add_files(1, member.size);
  if (member.size > kStreamHeldMemberLimit) {
    job.open = [this, &seen, compression]() -> Result<std::unique_ptr<InputStream>> {
      return snapshot::open_data_file(make_hashing_input(tar_.member_input(), seen.digest), compression);
    };
    job.reopenable = false;  // read from the stream as it loads: there is no second copy
    return pool_->run_here(std::move(job));
  }
  MZL_CHECK(pool_->wait_for_room(member.size));
  MZL_TRY(std::vector<uint8_t> bytes, read_member(member));
  {
    std::lock_guard lock(seen_mutex_);
    seen.digest->size = bytes.size();
    seen.digest->sha256 = sha256_hex(bytes);
  }
  job.held = true;
  job.open = [data = std::make_shared<const std::vector<uint8_t>>(std::move(bytes)), name = job.name,
              compression]() -> Result<std::unique_ptr<InputStream>> {
    return snapshot::open_data_file(make_memory_input(data, name), compression);
  };
  return pool_->submit(std::move(job));
}

Status StreamLoad::check_against_manifest() {
  const snapshot::Manifest& manifest = stats_.manifest;
  if (manifest.id != id_) {
    return corrupt(
        fmt::format("the manifest is of snapshot {}, the stream's members of {}", manifest.id, id_),
        id_ + "/manifest.json");
  }
  std::map<std::string_view, const snapshot::SnapshotFile*> listed;
  for (const snapshot::SnapshotFile& f : manifest.files) {
    listed.emplace(f.path, &f);
    const auto seen = seen_.find(f.path);
    if (seen == seen_.end())
      return corrupt("listed in the manifest but not in the stream", id_ + "/" + f.path);
    if (seen->second.digest->size != f.size || seen->second.digest->sha256 != f.sha256) {
      return Error{ErrorCode::kChecksumMismatch,
                   fmt::format("{} bytes with SHA-256 {}, the manifest says {} bytes with SHA-256 {}",
                               seen->second.digest->size, seen->second.digest->sha256, f.size, f.sha256)}
          .at_r(fmt::format("{}:{}/{}", in_.name(), id_, f.path));
    }
  }
  for (const auto& [path, member] : seen_) {
    if (!listed.count(path)) return corrupt("a member the manifest does not list", id_ + "/" + path);
  }
  for (const snapshot::TableEntry& table : manifest.tables) {
    for (const snapshot::DataFile& data : table.files) {
      const auto seen = seen_.find(data.path);
      if (seen != seen_.end() && seen->second.rows && *seen->second.rows != data.rows) {
        return corrupt(fmt::format("{} rows loaded, the manifest lists {}", *seen->second.rows, data.rows),
                       id_ + "/" + data.path);
      }
    }
  }
  return ok_status();
}

Result<LoadStats> StreamLoad::run() {
  progress_.set_phase("schema");
  MZL_TRY(std::optional<snapshot::TarMember> first, tar_.next());
  const std::string kSchema = "/schema.jsonl";
  if (!first || first->path.size() <= kSchema.size() ||
      first->path.compare(first->path.size() - kSchema.size(), kSchema.size(), kSchema) != 0 ||
      first->path.find('/') != first->path.size() - kSchema.size()) {
    return Error{ErrorCode::kCorrupt, "a snapshot stream starts with <id>/schema.jsonl"}.at_r(in_.name(), 0);
  }
  id_ = first->path.substr(0, first->path.size() - kSchema.size());
  MZL_TRY(std::vector<uint8_t> schema_bytes, read_member(*first));
  SeenMember& schema_seen = record("schema.jsonl");
  schema_seen.digest->size = schema_bytes.size();
  schema_seen.digest->sha256 = sha256_hex(schema_bytes);
  stats_.bytes += schema_bytes.size();
  MZL_TRY(objects_, parse_schema_lines(std::string_view(reinterpret_cast<const char*>(schema_bytes.data()),
                                                        schema_bytes.size()),
                                       fmt::format("{}:{}", in_.name(), first->path)));
  for (const snapshot::SchemaObject& o : objects_) {
    if (o.kind != "table") continue;
    tables_by_file_prefix_[fmt::format("data/{}/{}.", snapshot::file_name_component(o.database),
                                       snapshot::file_name_component(o.name))] = &o;
  }
  MZL_TRY(schema_, create_databases_and_tables(objects_, options_));
  uint64_t tables = 0;
  for (const snapshot::SchemaObject& o : objects_)
    tables += o.kind == "table" && schema_->selection.includes(o);
  progress_.set_tables(tables);
  stats_.schema_seconds = progress_.seconds();

  progress_.set_phase("data");
  const double data_start = progress_.seconds();
  MZL_TRY(pool_, DataLoadPool::start(options_.target, options_.threads, options_.write_binlog,
                                     kStreamMemoryBudget, progress_));
  bool have_manifest = false;
  for (;;) {
    MZL_TRY(std::optional<snapshot::TarMember> member, tar_.next());
    if (!member) break;
    if (have_manifest) return corrupt("a member after manifest.json", member->path);
    if (member->path.size() <= id_.size() + 1 || member->path.compare(0, id_.size() + 1, id_ + "/") != 0) {
      return corrupt(fmt::format("a member outside {}/", id_), member->path);
    }
    const std::string path = member->path.substr(id_.size() + 1);
    if (path == "manifest.json") {
      MZL_TRY(std::vector<uint8_t> bytes, read_member(*member));
      MZL_TRY(stats_.manifest,
              snapshot::decode_manifest(
                  std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                  fmt::format("{}:{}", in_.name(), member->path)));
      have_manifest = true;
    } else if (path.rfind("data/", 0) == 0) {
      MZL_CHECK(data_member(*member, path));
    } else {
      if (seen_.count(path)) return corrupt("the member occurs twice", member->path);
      stats_.bytes += member->size;
      MZL_CHECK(skip_member(record(path)));
    }
  }
  if (have_manifest) {
    for (DataJob& job : deferred_key_jobs(*schema_->applier)) MZL_CHECK(pool_->submit(std::move(job)));
  }
  MZL_TRY(DataLoadTotals totals, pool_->finish());
  stats_.data_seconds = progress_.seconds() - data_start;
  if (!have_manifest) {
    return Error{
        ErrorCode::kCorrupt,
        fmt::format("the stream ended without {}/manifest.json (an interrupted snapshot stream); the "
                    "data loaded from it cannot be trusted",
                    id_)}
        .at_r(in_.name(), tar_.offset());
  }
  MZL_CHECK(check_against_manifest());

  MZL_CHECK(finish_load(*schema_, objects_, totals, progress_, stats_));
  return std::move(stats_);
}

}  // namespace

Result<LoadStats> load_snapshot_stream(InputStream& tar_stream, const LoadOptions& options) {
  StreamLoad load(tar_stream, options);
  return load.run();
}

}  // namespace mzl::load
