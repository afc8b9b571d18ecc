// GTID state from decoded events (codec/gtid_from_events.h). Expected values follow the MySQL Reference
// Manual (GTID concepts: sets, tags normalised to lower case) and the MariaDB Knowledge Base page "Global
// Transaction ID" (a GTID is domain-server-seq; GTID_LIST holds the binlog state, the domain's last GTID
// last).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "mzl/codec/gtid_from_events.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"

using namespace mzl;
using namespace mzl::gtid;
using namespace mzl::codec;

namespace {

const std::string kA = "3E11FA47-71CA-11E1-9E33-C80AA9429562";  // the manual's example server UUID
const std::string ka = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

MysqlGtidSet set_of(const std::string& text) {
  auto s = MysqlGtidSet::parse(text);
  INFO(text);
  REQUIRE(s.ok());
  return *s;
}

std::string one_line(const MysqlGtidSet& s) {
  return s.to_string(",");
}

}  // namespace

TEST_CASE("MySQL GTID sets from PREVIOUS_GTIDS and GTID events") {
  codec::PreviousGtidsEvent prev;
  codec::PreviousGtidsEvent::SidIntervals entry;
  const auto a = *Uuid::parse(kA);
  std::copy(a.bytes.begin(), a.bytes.end(), entry.sid.begin());
  entry.intervals = {{1, 4}, {11, 12}};
  prev.sids.push_back(entry);
  entry.tag = "Domain_1";
  entry.intervals = {{1, 6}};
  prev.sids.push_back(entry);
  auto s = mysql_gtid_set_from(prev);
  REQUIRE(s.ok());
  CHECK(one_line(*s) == ka + ":1-3:11:domain_1:1-5");

  codec::MysqlGtidEvent ev;
  ev.type_code = 33;
  ev.sid = entry.sid;
  ev.gno = 4;
  CHECK(add_event(*s, ev).ok());
  ev.type_code = 42;
  ev.tag = "DOMAIN_1";
  ev.gno = 6;
  CHECK(add_event(*s, ev).ok());
  codec::MysqlGtidEvent anonymous;
  anonymous.type_code = 34;
  CHECK(add_event(*s, anonymous).ok());
  CHECK(one_line(*s) == ka + ":1-4:11:domain_1:1-6");

  // And back: the event the server would write for this set (tagged encoding, TSIDs sorted).
  const auto back = previous_gtids_event_for(*s);
  CHECK(back.tagged);
  REQUIRE(back.sids.size() == 2);
  CHECK(back.sids[0].tag.empty());
  CHECK(back.sids[0].intervals == std::vector<codec::GtidInterval>{{1, 5}, {11, 12}});
  CHECK(back.sids[1].tag == "domain_1");
  CHECK(*mysql_gtid_set_from(back) == *s);
  CHECK_FALSE(previous_gtids_event_for(set_of(kA + ":1-3")).tagged);

  ev.gno = 0;
  CHECK_FALSE(add_event(*s, ev).ok());
  prev.sids[0].intervals = {{5, 4}};
  CHECK_FALSE(mysql_gtid_set_from(prev).ok());
}

TEST_CASE("MariaDB state and position from GTID_LIST and GTID events") {
  codec::MariaGtidListEvent list;
  list.list = {{0, 1, 10}, {0, 2, 12}, {1, 1, 5}};
  CHECK(maria_position_from(list).to_string() == "0-2-12,1-1-5");
  const auto state = maria_state_from(list);
  CHECK(state.to_string() == "0-1-10,0-2-12,1-1-5");
  CHECK(state.position() == maria_position_from(list));
  CHECK(maria_position_from(codec::MariaGtidListEvent{}).empty());

  codec::MariaGtidEvent ev;
  ev.domain_id = 0;
  ev.seq_no = 13;
  const auto g = maria_gtid_from(ev, 2);  // server id from the event header
  CHECK(g.to_string() == "0-2-13");
  auto s = state;
  CHECK(s.add(g) == MariaGtidState::Continuity::kNext);
}
