// check_snapshot_stream() of snapshot_check.h.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "mzl/snapshot/tar_stream.h"
#include "mzl/verify/snapshot_check.h"
#include "mzl/verify/snapshot_content_check.h"

namespace mzl::verify {
namespace {

constexpr uint64_t kMaxManifestSize = 256ull << 20;
// Members up to this size are read into memory and checked by a worker while the next ones are read; larger
// ones are checked as they are read.
constexpr uint64_t kMaxHeldMember = 128ull << 20;

// Checks members held in memory on `threads` workers; at most that many more wait in the queue.
class MemberPool {
 public:
  MemberPool(unsigned threads, bool check_rows) : check_rows_(check_rows) {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~MemberPool() { wait(); }
  MemberPool(const MemberPool&) = delete;
  MemberPool& operator=(const MemberPool&) = delete;

  void add(std::string relative, std::vector<uint8_t> bytes, ContentCheck* out) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return queue_.size() < workers_.size(); });
    queue_.push_back(Job{std::move(relative), std::move(bytes), out});
    ready_.notify_one();
  }
  // Waits for every member added so far and ends the workers.
  void wait() {
    {
      std::lock_guard lock(mutex_);
      ending_ = true;
    }
    ready_.notify_all();
    for (std::thread& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
  }

 private:
  struct Job {
    std::string relative;
    std::vector<uint8_t> bytes;
    ContentCheck* out = nullptr;
  };

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return ending_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      room_.notify_one();
      *job.out = check_content(make_memory_input(std::move(job.bytes), job.relative),
                               compression_of_path(job.relative), content_kind_of(job.relative), check_rows_);
    }
  }

  const bool check_rows_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable room_;
  std::deque<Job> queue_;
  bool ending_ = false;
  std::vector<std::thread> workers_;
};

// A stream that is not a well-formed tar archive, or ends inside a member: the check cannot go on.
bool is_stream_damage(const Error& error) {
  return error.code == ErrorCode::kCorrupt || error.code == ErrorCode::kUnsupported ||
         error.code == ErrorCode::kNeedMoreData;
}

class StreamCheck {
 public:
  StreamCheck(InputStream& in, const SnapshotCheckOptions& options)
      : in_(in),
        tar_(in),
        options_(options),
        pool_(options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency()),
              options.check_rows) {
    report_.where = in.name();
  }

  Result<SnapshotReport> run() {
    Status read = read_members();
    pool_.wait();
    MZL_CHECK(read);
    report_.id = id_;
    for (const auto& [path, held] : seen_) {
      const ContentCheck& content = *held;
      ++report_.files_checked;
      report_.bytes_checked += content.size;
      report_.raw_bytes += content.raw_bytes;
      if (content_kind_of(path) == ContentKind::kData) report_.rows_checked += content.rows;
    }
    if (!manifest_text_) {
      if (!broken_) {
        problem(
            id_.empty() ? in_.name() : id_ + "/" + std::string(snapshot::kManifestFileName), std::nullopt,
            "missing: the stream ends without the manifest mzl-snapshot writes last (the snapshot run did "
            "not "
            "finish, or the stream was cut between two members): its members cannot be checked against it "
            "and a restore refuses the stream; take a new snapshot");
      }
      return std::move(report_);
    }
    compare_with_manifest();
    return std::move(report_);
  }

 private:
  void problem(std::string where, std::optional<uint64_t> offset, std::string what) {
    report_.problems.push_back(Problem{std::move(where), offset, std::move(what)});
  }

  void stream_damage(const Error& error) {
    broken_ = true;
    problem(
        in_.name(), error.offset,
        fmt::format("not a whole snapshot stream ({}): it was cut short or damaged here; nothing after this "
                    "point was checked and a restore of it fails; take a new snapshot",
                    error.message));
  }

  // Reads every member; a damaged stream stops it with a Problem, an unreadable one with an Error.
  Status read_members() {
    for (;;) {
      Result<std::optional<snapshot::TarMember>> next = tar_.next();
      if (!next.ok()) {
        if (!is_stream_damage(next.error())) return std::move(next).error();
        stream_damage(next.error());
        return ok_status();
      }
      if (!*next) return ok_status();
      MZL_CHECK(member(**next));
      if (broken_) return ok_status();
    }
  }

  Status member(const snapshot::TarMember& member) {
    if (id_.empty()) {
      const size_t slash = member.path.find('/');
      if (slash != std::string::npos && slash > 0) id_ = member.path.substr(0, slash);
    }
    const std::string prefix = id_ + "/";
    if (id_.empty() || member.path.size() <= prefix.size() || !member.path.starts_with(prefix)) {
      problem(member.path, std::nullopt,
              fmt::format(
                  "a member outside the snapshot's folder \"{}\": mzl-snapshot did not write it; a restore "
                  "refuses the stream",
                  prefix));
      return ok_status();
    }
    const std::string relative = member.path.substr(prefix.size());
    if (manifest_text_) {
      problem(member.path, std::nullopt,
              "a member after manifest.json, which mzl-snapshot writes last: the stream was changed or two "
              "streams "
              "were joined; a restore refuses it");
    }
    if (seen_.count(relative) || (relative == snapshot::kManifestFileName && manifest_text_)) {
      problem(
          member.path, std::nullopt,
          "the member occurs twice (the second is not checked): the stream was changed or two streams were "
          "joined; a restore refuses it");
      return ok_status();
    }
    if (relative == snapshot::kManifestFileName) return read_manifest(member);
    auto content = std::make_unique<ContentCheck>();
    ContentCheck* out = content.get();
    if (member.size <= kMaxHeldMember) {
      MZL_TRY(std::optional<std::vector<uint8_t>> bytes, read_whole(member));
      if (!bytes) return ok_status();
      seen_.emplace(relative, std::move(content));
      pool_.add(relative, std::move(*bytes), out);
      return ok_status();
    }
    *out = check_content(tar_.member_input(), compression_of_path(relative), content_kind_of(relative),
                         options_.check_rows);
    if (out->source_error) {
      if (!is_stream_damage(*out->source_error)) return *out->source_error;
      stream_damage(*out->source_error);
    }
    seen_.emplace(relative, std::move(content));
    return ok_status();
  }

  // The member's bytes; nullopt (after a Problem) when the stream ends inside it.
  Result<std::optional<std::vector<uint8_t>>> read_whole(const snapshot::TarMember& member) {
    std::vector<uint8_t> bytes(member.size);
    size_t got = 0;
    while (got < bytes.size()) {
      Result<size_t> n = tar_.read(std::span<uint8_t>(bytes.data() + got, bytes.size() - got));
      if (!n.ok()) {
        if (!is_stream_damage(n.error())) return std::move(n).error();
        stream_damage(n.error());
        return std::optional<std::vector<uint8_t>>();
      }
      if (*n == 0) {
        stream_damage(Error{ErrorCode::kCorrupt, fmt::format("the stream ends inside {}", member.path)}.at_r(
            in_.name(), tar_.offset()));
        return std::optional<std::vector<uint8_t>>();
      }
      got += *n;
    }
    return std::optional<std::vector<uint8_t>>(std::move(bytes));
  }

  Status read_manifest(const snapshot::TarMember& member) {
    if (member.size > kMaxManifestSize) {
      problem(member.path, std::nullopt,
              fmt::format(
                  "{} bytes, more than a manifest can be ({}): the stream was changed; a restore refuses it",
                  member.size, kMaxManifestSize));
      manifest_text_ = "";
      manifest_bad_size_ = true;
      return ok_status();
    }
    MZL_TRY(std::optional<std::vector<uint8_t>> text, read_whole(member));
    if (!text) return ok_status();
    manifest_text_ = std::string(text->begin(), text->end());
    return ok_status();
  }

  void compare_with_manifest() {
    if (manifest_bad_size_) return;
    const std::string manifest_where = id_ + "/" + std::string(snapshot::kManifestFileName);
    Result<snapshot::Manifest> manifest = snapshot::decode_manifest(*manifest_text_, manifest_where);
    if (!manifest.ok()) {
      problem(manifest_where, manifest.error().offset,
              fmt::format(
                  "does not parse ({}): the manifest was edited or damaged; this snapshot cannot be checked "
                  "or restored; take a new snapshot",
                  manifest.error().message));
      return;
    }
    const snapshot::Manifest& m = *manifest;
    report_.manifest_read = true;
    report_.started_at = m.started_at;
    report_.finished_at = m.finished_at;
    report_.source = m.server.source;
    report_.binlog = m.binlog;
    const std::string prefix = id_ + "/";
    const ManifestIndex index = index_manifest(m, id_, prefix, report_.problems);
    for (const auto& [path, listed] : index) {
      auto seen = seen_.find(path);
      if (seen == seen_.end()) {
        if (!broken_) {
          problem(prefix + path, std::nullopt,
                  fmt::format("listed in the manifest but not in the stream: {}", consequence(listed)));
        }
        continue;
      }
      judge_content(*seen->second, listed, prefix + path, report_.problems);
    }
    for (const auto& [path, content] : seen_) {
      if (index.count(path)) continue;
      problem(
          prefix + path, std::nullopt,
          "a member the manifest does not list: mzl-snapshot did not write it (or the manifest lost it); a "
          "restore refuses the stream; take a new snapshot");
    }
  }

  InputStream& in_;
  snapshot::TarReader tar_;
  const SnapshotCheckOptions& options_;
  SnapshotReport report_;
  std::string id_;
  // Members read, by path relative to "<id>/"; a held member's check is filled in by the pool.
  std::map<std::string, std::unique_ptr<ContentCheck>> seen_;
  std::optional<std::string> manifest_text_;
  bool manifest_bad_size_ = false;
  bool broken_ = false;
  MemberPool pool_;  // last: destroyed (its workers joined) first
};

}  // namespace

Result<SnapshotReport> check_snapshot_stream(InputStream& in, const SnapshotCheckOptions& options) {
  return StreamCheck(in, options).run();
}

}  // namespace mzl::verify
