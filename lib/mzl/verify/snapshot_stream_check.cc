// check_snapshot_stream() of snapshot_check.h.
#include <map>

#include <fmt/format.h>

#include "mzl/snapshot/tar_stream.h"
#include "mzl/verify/snapshot_check.h"
#include "mzl/verify/snapshot_content_check.h"

namespace mzl::verify {
namespace {

constexpr uint64_t kMaxManifestSize = 256ull << 20;

// A stream that is not a well-formed tar archive, or ends inside a member: the check cannot go on.
bool is_stream_damage(const Error& error) {
  return error.code == ErrorCode::kCorrupt || error.code == ErrorCode::kUnsupported ||
         error.code == ErrorCode::kNeedMoreData;
}

class StreamCheck {
 public:
  StreamCheck(InputStream& in, const SnapshotCheckOptions& options) : in_(in), tar_(in), options_(options) {
    report_.where = in.name();
  }

  Result<SnapshotReport> run() {
    MZL_CHECK(read_members());
    report_.id = id_;
    for (const auto& [path, content] : seen_) {
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
    ContentCheck content = check_content(tar_.member_input(), compression_of_path(relative),
                                         content_kind_of(relative), options_.check_rows);
    if (content.source_error) {
      if (!is_stream_damage(*content.source_error)) return *content.source_error;
      stream_damage(*content.source_error);
    }
    seen_.emplace(relative, std::move(content));
    return ok_status();
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
    std::string text(member.size, '\0');
    size_t got = 0;
    while (got < text.size()) {
      Result<size_t> n =
          tar_.read(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()) + got, text.size() - got));
      if (!n.ok()) {
        if (!is_stream_damage(n.error())) return std::move(n).error();
        stream_damage(n.error());
        return ok_status();
      }
      if (*n == 0) {
        stream_damage(Error{ErrorCode::kCorrupt, "the stream ends inside manifest.json"}.at_r(in_.name(),
                                                                                              tar_.offset()));
        return ok_status();
      }
      got += *n;
    }
    manifest_text_ = std::move(text);
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
      judge_content(seen->second, listed, prefix + path, report_.problems);
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
  std::map<std::string, ContentCheck> seen_;  // members read, by path relative to "<id>/"
  std::optional<std::string> manifest_text_;
  bool manifest_bad_size_ = false;
  bool broken_ = false;
};

}  // namespace

Result<SnapshotReport> check_snapshot_stream(InputStream& in, const SnapshotCheckOptions& options) {
  return StreamCheck(in, options).run();
}

}  // namespace mzl::verify
