#include "mzl/gtid/from_events.h"

#include <cstring>

namespace mzl::gtid {

namespace {

Uuid uuid_of(const codec::Sid& sid) {
  Uuid uuid;
  std::memcpy(uuid.bytes.data(), sid.data(), sid.size());
  return uuid;
}

}  // namespace

Result<MysqlGtidSet> mysql_gtid_set_from(const codec::PreviousGtidsEvent& event) {
  MysqlGtidSet set;
  for (const auto& entry : event.sids) {
    const Tsid tsid{uuid_of(entry.sid), entry.tag};
    for (const auto& iv : entry.intervals) MZL_CHECK(set.add_interval(tsid, iv.start, iv.end));
  }
  return set;
}

codec::PreviousGtidsEvent previous_gtids_event_for(const MysqlGtidSet& set) {
  codec::PreviousGtidsEvent event;
  for (const auto& [tsid, ivs] : set.intervals()) {
    codec::PreviousGtidsEvent::SidIntervals entry;
    std::memcpy(entry.sid.data(), tsid.uuid.bytes.data(), entry.sid.size());
    entry.tag = tsid.tag;
    for (const auto& iv : ivs) entry.intervals.push_back({iv.start, iv.end});
    if (!tsid.tag.empty()) event.tagged = true;
    event.sids.push_back(std::move(entry));
  }
  return event;
}

Result<std::optional<MysqlGtid>> mysql_gtid_from(const codec::MysqlGtidEvent& event) {
  if (event.type_code == codec::code(codec::EventType::kAnonymousGtid)) return std::optional<MysqlGtid>();
  MysqlGtid gtid{Tsid{uuid_of(event.sid), ""}, event.gno};
  if (!event.tag.empty()) {
    const auto tag = normalize_tag(event.tag);
    if (!tag) return Error(ErrorCode::kInvalidArgument, "GTID event has an invalid tag '" + event.tag + "'");
    gtid.tsid.tag = *tag;
  }
  if (gtid.gno < 1 || gtid.gno > kMaxGno) {
    return Error(ErrorCode::kInvalidArgument, "GTID event has GNO " + std::to_string(gtid.gno));
  }
  return std::optional<MysqlGtid>(gtid);
}

Status add_event(MysqlGtidSet& set, const codec::MysqlGtidEvent& event) {
  MZL_TRY(auto gtid, mysql_gtid_from(event));
  if (!gtid) return ok_status();
  return set.add(*gtid);
}

MariaGtid maria_gtid_from(const codec::MariaGtidEvent& event, uint32_t header_server_id) {
  return MariaGtid{event.domain_id, header_server_id, event.seq_no};
}

MariaGtidState maria_state_from(const codec::MariaGtidListEvent& event) {
  MariaGtidState state;
  for (const auto& e : event.list) state.add(MariaGtid{e.domain_id, e.server_id, e.seq_no});
  return state;
}

MariaGtidPosition maria_position_from(const codec::MariaGtidListEvent& event) {
  MariaGtidPosition position;
  for (const auto& e : event.list) position.set(MariaGtid{e.domain_id, e.server_id, e.seq_no});
  return position;
}

}  // namespace mzl::gtid
