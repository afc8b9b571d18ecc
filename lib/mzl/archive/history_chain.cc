#include "mzl/archive/history_chain.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "mzl/repo/local_storage.h"
#include "mzl/repo/repository_layout.h"

namespace mzl::archive {

Result<std::optional<ArchiveState>> read_source_state(const std::string& repo, const std::string& source) {
  const std::string path = repo::archive_state_path(repo, source);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<ArchiveState>();
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kIo, "cannot read the archive state").at_r(path);
  std::stringstream text;
  text << in.rdbuf();
  MZL_TRY(ArchiveState state, decode_archive_state(text.str(), path));
  return std::optional<ArchiveState>(std::move(state));
}

Result<std::optional<SourceLink>> read_source_link(const std::string& repo, const std::string& source) {
  MZL_TRY(std::optional<ArchiveState> state, read_source_state(repo, source));
  if (!state) return std::optional<SourceLink>();
  return state->follows;
}

Result<std::vector<Successor>> successors_of(const std::string& repo, const std::string& source) {
  MZL_TRY(std::vector<std::string> names, repo::list_sources(repo::local_storage(), repo));
  std::map<std::string, Successor> next;  // predecessor -> its successor
  for (const std::string& name : names) {
    MZL_TRY(std::optional<SourceLink> link, read_source_link(repo, name));
    if (!link) continue;
    auto [it, inserted] = next.emplace(link->source, Successor{name, *link});
    if (!inserted) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("sources {} and {} both continue the history of {} (state.json \"follows\"): "
                               "one of them was not written by a failover this repository recorded",
                               it->second.source, name, link->source))
          .at_r(repo::binlogs_dir(repo));
    }
  }
  std::vector<Successor> chain;
  std::set<std::string> seen{source};
  for (auto it = next.find(source); it != next.end(); it = next.find(it->second.source)) {
    if (!seen.insert(it->second.source).second) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("the sources' \"follows\" links form a loop through {}", it->second.source))
          .at_r(repo::binlogs_dir(repo));
    }
    chain.push_back(it->second);
  }
  return chain;
}

Result<GtidBound> GtidBound::parse(const std::string& text) {
  GtidBound bound;
  bound.text_ = text;
  // A MySQL set names UUIDs (':' inside); a MariaDB position never does.
  bound.mysql_ = text.find(':') != std::string::npos;
  if (bound.mysql_) {
    MZL_TRY(bound.mysql_set_, gtid::MysqlGtidSet::parse(text));
  } else {
    MZL_TRY(bound.maria_, gtid::MariaGtidPosition::parse(text));
  }
  return bound;
}

bool GtidBound::contains(const std::string& gtid_text) const {
  if (gtid_text.empty()) return false;
  if (mysql_) {
    auto parsed = gtid::MysqlGtid::parse(gtid_text);
    return parsed.ok() && mysql_set_.contains(*parsed);
  }
  auto parsed = gtid::MariaGtid::parse(gtid_text);
  return parsed.ok() && maria_.contains(*parsed);
}

bool GtidBound::covers(const GtidBound& other) const {
  if (mysql_ != other.mysql_) return other.text_.empty();
  if (mysql_) return gtid::MysqlGtidSet::difference(other.mysql_set_, mysql_set_).empty();
  return maria_.contains(other.maria_);
}

}  // namespace mzl::archive
