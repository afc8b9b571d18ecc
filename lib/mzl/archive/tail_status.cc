// mzl-binlog-tail --status (tail_session.h, describe_archive()): the state of the source archived now, along
// the chain of failovers the archive followed (tail_follow.h).
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "mzl/archive/archive_state.h"
#include "mzl/archive/binlog_archive.h"
#include "mzl/archive/failover_chain.h"
#include "mzl/archive/tail_session.h"
#include "mzl/repo/failover_record.h"
#include "mzl/repo/repository_layout.h"

namespace mzl::archive {

namespace {

Result<ArchiveState> load_state_file(const std::string& repo, const std::string& source, std::string& text) {
  const std::string path = repo::archive_state_path(repo, source);
  std::ifstream in(path);
  if (!in)
    return Error(ErrorCode::kNotFound, "no archive state (nothing archived for this source yet?)").at_r(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return decode_archive_state(text, path);
}

}  // namespace

Result<std::string> describe_archive(const std::string& repo, const std::string& source, bool json) {
  MZL_CHECK(validate_source_name(source));
  std::string text;
  MZL_TRY(ArchiveState state, load_state_file(repo, source, text));
  // After a failover the archive goes on in a successor source (tail_follow.h): the one archived now is the
  // last of the chain that has a state. The records are matched by server_id here (no address is known).
  MZL_TRY(const std::vector<repo::FailoverRecord> records, repo::read_failover_records(repo));
  std::string followed;
  for (const FailoverHop& hop :
       follow_failovers(records, source, ArchivedServer{"", state.server.server_id})) {
    std::string successor_text;
    auto successor = load_state_file(repo, hop.source, successor_text);
    if (!successor.ok()) {
      if (successor.error().code == ErrorCode::kNotFound) break;
      return std::move(successor).error();
    }
    followed += fmt::format("followed by:      {} (failover record {}: {} replaced by {})\n", hop.source,
                            hop.record.id, hop.record.old_primary.address, hop.record.new_primary.address);
    state = std::move(*successor);
    text = std::move(successor_text);
  }
  if (json) return text;  // the state.json of the source archived now (its "follows" names the predecessor)
  std::string out = fmt::format(
      "{}source:           {}\nserver:           {} server_id={} {}\ncurrent file:     {}\ndurable position: "
      "{}\n"
      "GTID position:    {}\nclosed files:     {}\n",
      followed, state.source, state.server.flavour, state.server.server_id, state.server.server_uuid,
      state.current_file, state.durable_position, state.gtid_position, state.closed_files.size());
  if (state.follows) {
    out += fmt::format("follows:          {} from GTID position {} (failover record {})\n",
                       state.follows->source, state.follows->from_gtid_position, state.follows->record);
  }
  return out;
}

}  // namespace mzl::archive
