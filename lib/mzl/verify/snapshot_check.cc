#include "mzl/verify/snapshot_check.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "mzl/repo/repository_layout.h"
#include "mzl/snapshot/snapshot_directory.h"
#include "mzl/util/parse_number.h"
#include "mzl/verify/snapshot_content_check.h"

namespace mzl::verify {
namespace {

namespace fs = std::filesystem;

// One snapshot directory being checked. The manifest stays where it is: the index points into it.
struct SnapshotWork {
  SnapshotReport report;
  std::string prefix;  // "snapshots/<id>/"
  std::unique_ptr<snapshot::Manifest> manifest;
  ManifestIndex index;
  std::vector<Problem> unlisted;  // found by walking the directory, reported after the files' problems
};

struct FileJob {
  SnapshotWork* snapshot = nullptr;
  const std::string* relative_path = nullptr;  // a key of snapshot->index
  std::string path;
  uint64_t size_on_disk = 0;
  std::optional<Error> open_error;
  ContentCheck content;
};

unsigned thread_count(const SnapshotCheckOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Runs job(i) for every i in `order`, `threads` at a time.
void run_parallel(const std::vector<size_t>& order, unsigned threads,
                  const std::function<void(size_t)>& job) {
  threads = static_cast<unsigned>(std::min<size_t>(threads, order.size()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < order.size(); i = next++) job(order[i]);
  };
  if (threads <= 1) {
    work();
    return;
  }
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) workers.emplace_back(work);
  for (std::thread& worker : workers) worker.join();
}

// Directories that hold a listed file ("data", "data/db"), so that they are not reported as unlisted.
std::set<std::string> listed_directories(const ManifestIndex& index) {
  std::set<std::string> dirs;
  for (const auto& [path, listed] : index) {
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      dirs.insert(path.substr(0, slash));
    }
  }
  return dirs;
}

void find_unlisted(const std::string& dir, SnapshotWork& work) {
  const std::set<std::string> dirs = listed_directories(work.index);
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string relative = fs::path(it->path()).lexically_relative(dir).generic_string();
    if (relative == snapshot::kManifestFileName) continue;
    std::error_code type_ec;
    const fs::file_status status = it->symlink_status(type_ec);
    const std::string where = work.prefix + relative;
    if (fs::is_directory(status)) {
      if (dirs.count(relative)) continue;
      if (work.index.count(relative)) {  // a listed file that is a directory: reported with the files
        it.disable_recursion_pending();
        continue;
      }
      it.disable_recursion_pending();
      work.unlisted.push_back(
          {where, std::nullopt,
           "a directory that holds no file of the manifest: mzl-snapshot did not write it (or "
           "the manifest lost its files); a restore ignores it; remove it, or take a new "
           "snapshot if the manifest was damaged"});
      continue;
    }
    if (work.index.count(relative)) continue;  // listed; a listed non-regular file is reported with the files
    work.unlisted.push_back(
        {where, std::nullopt,
         fs::is_regular_file(status)
             ? "not listed in the manifest: mzl-snapshot did not write it (or the manifest "
               "lost it); a restore ignores it; remove it, or take a new snapshot if the "
               "manifest was damaged"
             : "not a regular file, and not listed in the manifest: mzl-snapshot writes only "
               "regular files; a restore ignores it; remove it"});
  }
  if (ec) {
    work.unlisted.push_back({work.report.where, std::nullopt,
                             fmt::format("cannot be listed to the end ({}): files not in the manifest may be "
                                         "there unseen",
                                         ec.message())});
  }
}

// Reads the manifest, finds missing and unlisted files, and adds a job for each listed file to read.
void prepare_snapshot(const std::string& repo, SnapshotWork& work, std::vector<FileJob>& jobs) {
  SnapshotReport& report = work.report;
  const std::string dir = repo::snapshot_dir(repo, report.id);
  const std::string manifest_where = work.prefix + std::string(snapshot::kManifestFileName);
  Result<snapshot::Manifest> manifest = snapshot::read_manifest(dir);
  if (!manifest.ok()) {
    const Error& e = manifest.error();
    std::string what;
    if (e.code == ErrorCode::kNotFound) {
      what =
          "missing: a complete snapshot always has one (it was deleted, or the directory is not a "
          "snapshot): nothing in this snapshot can be checked or restored; take a new snapshot or restore "
          "from an older one";
    } else if (e.code == ErrorCode::kCorrupt) {
      what = fmt::format(
          "does not parse ({}): the manifest was edited or damaged; this snapshot cannot be "
          "checked or restored; take a new snapshot or restore from an older one",
          e.message);
    } else {
      what = fmt::format("cannot be read ({}): this snapshot cannot be checked or restored", e.message);
    }
    report.problems.push_back({manifest_where, e.offset, std::move(what)});
    return;
  }
  work.manifest = std::make_unique<snapshot::Manifest>(std::move(*manifest));
  const snapshot::Manifest& m = *work.manifest;
  report.manifest_read = true;
  report.started_at = m.started_at;
  report.finished_at = m.finished_at;
  report.source = m.server.source;
  report.binlog = m.binlog;
  work.index = index_manifest(m, report.id, work.prefix, report.problems);

  for (const auto& [relative, listed] : work.index) {
    FileJob job;
    job.snapshot = &work;
    job.relative_path = &relative;
    job.path = dir + "/" + relative;
    struct stat st;
    if (::lstat(job.path.c_str(), &st) != 0) {
      const int error = errno;
      report.problems.push_back(
          {work.prefix + relative, std::nullopt,
           error == ENOENT
               ? fmt::format("listed in the manifest but missing: {}", consequence(listed))
               : fmt::format("cannot be read ({}): {}", std::strerror(error), consequence(listed))});
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      report.problems.push_back(
          {work.prefix + relative, std::nullopt,
           fmt::format("not a regular file (mzl-snapshot writes only regular files): the "
                       "snapshot was changed after it was written; {}",
                       consequence(listed))});
      continue;
    }
    job.size_on_disk = static_cast<uint64_t>(st.st_size);
    jobs.push_back(std::move(job));
  }
  find_unlisted(dir, work);
}

void check_file(FileJob& job, const SnapshotCheckOptions& options) {
  Result<std::unique_ptr<InputStream>> in = open_plain_input(job.path);
  if (!in.ok()) {
    job.open_error = in.error();
    return;
  }
  job.content = check_content(std::move(*in), compression_of_path(*job.relative_path),
                              content_kind_of(*job.relative_path), options.check_rows);
  if (options.progress) options.progress->add(job.content.size);
}

// Checks the files of every snapshot in `works` (prepared) with one pool, then reports in manifest order.
void check_files(std::vector<FileJob>& jobs, const SnapshotCheckOptions& options) {
  // The largest files first, so that the last file to finish is a small one.
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return jobs[a].size_on_disk > jobs[b].size_on_disk; });
  run_parallel(order, thread_count(options), [&](size_t i) { check_file(jobs[i], options); });

  for (FileJob& job : jobs) {
    SnapshotWork& work = *job.snapshot;
    const ListedFile& listed = work.index.find(*job.relative_path)->second;  // jobs come from the index
    const std::string where = work.prefix + *job.relative_path;
    if (job.open_error) {
      work.report.problems.push_back(
          {where, std::nullopt,
           fmt::format("cannot be read ({}): {}", job.open_error->message, consequence(listed))});
      continue;
    }
    ++work.report.files_checked;
    work.report.bytes_checked += job.content.size;
    work.report.raw_bytes += job.content.raw_bytes;
    if (listed.data) work.report.rows_checked += job.content.rows;
    judge_content(job.content, listed, where, work.report.problems);
  }
}

void finish_reports(std::vector<std::unique_ptr<SnapshotWork>>& works) {
  for (auto& work : works) {
    auto& problems = work->report.problems;
    problems.insert(problems.end(), std::make_move_iterator(work->unlisted.begin()),
                    std::make_move_iterator(work->unlisted.end()));
  }
}

std::unique_ptr<SnapshotWork> new_work(const std::string& id) {
  auto work = std::make_unique<SnapshotWork>();
  work->report.id = id;
  work->report.where = std::string(repo::kSnapshotsDirName) + "/" + id;
  work->prefix = work->report.where + "/";
  return work;
}

Error io_error(const std::string& what, const std::string& path, const std::error_code& ec) {
  return Error{ErrorCode::kIo, fmt::format("cannot {}: {}", what, ec.message())}.at_r(path);
}

}  // namespace

bool RepositorySnapshotsReport::ok() const {
  return problems.empty() &&
         std::all_of(snapshots.begin(), snapshots.end(), [](const SnapshotReport& s) { return s.ok(); });
}

Result<SnapshotReport> check_snapshot_directory(const std::string& repo, const std::string& id,
                                                const SnapshotCheckOptions& options) {
  if (!repo::is_snapshot_id(id)) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("\"{}\" is not a snapshot id (YYYYMMDDTHHMMSSZ[-n])", id)};
  }
  const std::string dir = repo::snapshot_dir(repo, id);
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec))) {
    if (ec && ec != std::errc::no_such_file_or_directory) return io_error("read", dir, ec);
    return Error{ErrorCode::kNotFound, fmt::format("no snapshot \"{}\"", id)}.at_r(repo::snapshots_dir(repo));
  }
  std::vector<std::unique_ptr<SnapshotWork>> works;
  works.push_back(new_work(id));
  std::vector<FileJob> jobs;
  prepare_snapshot(repo, *works.front(), jobs);
  check_files(jobs, options);
  finish_reports(works);
  return std::move(works.front()->report);
}

Result<RepositorySnapshotsReport> check_repository_snapshots(const std::string& repo,
                                                             const SnapshotCheckOptions& options) {
  RepositorySnapshotsReport out;
  const std::string snapshots = repo::snapshots_dir(repo);
  std::error_code ec;
  const fs::file_status status = fs::status(snapshots, ec);
  if (!fs::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) return io_error("read", snapshots, ec);
    return out;
  }
  if (!fs::is_directory(status)) {
    return Error{ErrorCode::kIo, "not a directory"}.at_r(snapshots);
  }
  std::vector<std::string> ids;
  std::vector<std::string> others;
  for (fs::directory_iterator it(snapshots, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    const bool is_dir = fs::is_directory(it->symlink_status(type_ec));
    if (name.starts_with(repo::kPartialPrefix)) {
      if (is_dir && snapshot::partial_snapshot_in_use(it->path().string())) {
        out.in_progress.push_back(name);
      } else {
        out.problems.push_back(
            {std::string(repo::kSnapshotsDirName) + "/" + name, std::nullopt,
             "an interrupted snapshot (no running mzl-snapshot holds it): the run that wrote "
             "it failed or was killed, so it cannot be restored and only takes space; the "
             "next mzl-snapshot run or `mzl-snapshot prune` removes it"});
      }
    } else if (repo::is_snapshot_id(name) && is_dir) {
      ids.push_back(name);
    } else {
      others.push_back(name);
    }
  }
  if (ec) return io_error("list directory", snapshots, ec);
  std::sort(ids.begin(), ids.end(),
            [](const std::string& a, const std::string& b) { return repo::snapshot_id_before(a, b); });
  std::sort(others.begin(), others.end());
  std::sort(out.in_progress.begin(), out.in_progress.end());
  std::sort(out.problems.begin(), out.problems.end(),
            [](const Problem& a, const Problem& b) { return a.where < b.where; });
  for (const std::string& name : others) {
    out.problems.push_back(
        {std::string(repo::kSnapshotsDirName) + "/" + name, std::nullopt,
         "not a snapshot: mzl-snapshot writes only <id>/ and .partial-<id>/ directories here; "
         "nothing reads it; remove it or move it out of the repository"});
  }

  std::vector<std::unique_ptr<SnapshotWork>> works;
  std::vector<FileJob> jobs;
  for (const std::string& id : ids) {
    works.push_back(new_work(id));
    prepare_snapshot(repo, *works.back(), jobs);
  }
  check_files(jobs, options);
  finish_reports(works);
  for (auto& work : works) out.snapshots.push_back(std::move(work->report));
  return out;
}

}  // namespace mzl::verify
