#include "mzl/codec/gtid_from_events.h"

#include <cstring>

namespace mzl::codec {

namespace {

gtid::Uuid uuid_of(const Sid& sid) {
  gtid::Uuid uuid;
  std::memcpy(uuid.bytes.data(), sid.data(), sid.size());
  return uuid;
}

}  // namespace

Result<gtid::MysqlGtidSet> mysql_gtid_set_from(const PreviousGtidsEvent& event) {
  gtid::MysqlGtidSet set;
  for (const auto& entry : event.sids) {
    const gtid::Tsid tsid{uuid_of(entry.sid), entry.tag};
    for (const auto& iv : entry.intervals) MZL_CHECK(set.add_interval(tsid, iv.start, iv.end));
  }
  return set;
}

PreviousGtidsEvent previous_gtids_event_for(const gtid::MysqlGtidSet& set) {
  PreviousGtidsEvent event;
  for (const auto& [tsid, ivs] : set.intervals()) {
    PreviousGtidsEvent::SidIntervals entry;
    std::memcpy(entry.sid.data(), tsid.uuid.bytes.data(), entry.sid.size());
    entry.tag = tsid.tag;
    for (const auto& iv : ivs) entry.intervals.push_back({iv.start, iv.end});
    if (!tsid.tag.empty()) event.tagged = true;
    event.sids.push_back(std::move(entry));
  }
  return event;
}

Result<std::optional<gtid::MysqlGtid>> mysql_gtid_from(const MysqlGtidEvent& event) {
  if (event.type_code == code(EventType::kAnonymousGtid)) return std::optional<gtid::MysqlGtid>();
  gtid::MysqlGtid gtid{gtid::Tsid{uuid_of(event.sid), ""}, event.gno};
  if (!event.tag.empty()) {
    const auto tag = gtid::normalize_tag(event.tag);
    if (!tag) return Error(ErrorCode::kInvalidArgument, "GTID event has an invalid tag '" + event.tag + "'");
    gtid.tsid.tag = *tag;
  }
  if (gtid.gno < 1 || gtid.gno > gtid::kMaxGno) {
    return Error(ErrorCode::kInvalidArgument, "GTID event has GNO " + std::to_string(gtid.gno));
  }
  return std::optional<gtid::MysqlGtid>(gtid);
}

Status add_event(gtid::MysqlGtidSet& set, const MysqlGtidEvent& event) {
  MZL_TRY(auto gtid, mysql_gtid_from(event));
  if (!gtid) return ok_status();
  return set.add(*gtid);
}

gtid::MariaGtid maria_gtid_from(const MariaGtidEvent& event, uint32_t header_server_id) {
  return gtid::MariaGtid{event.domain_id, header_server_id, event.seq_no};
}

gtid::MariaGtidState maria_state_from(const MariaGtidListEvent& event) {
  gtid::MariaGtidState state;
  for (const auto& e : event.list) state.add(gtid::MariaGtid{e.domain_id, e.server_id, e.seq_no});
  return state;
}

gtid::MariaGtidPosition maria_position_from(const MariaGtidListEvent& event) {
  gtid::MariaGtidPosition position;
  for (const auto& e : event.list) position.set(gtid::MariaGtid{e.domain_id, e.server_id, e.seq_no});
  return position;
}

}  // namespace mzl::codec
