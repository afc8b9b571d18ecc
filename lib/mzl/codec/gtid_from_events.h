#pragma once
// GTID state from decoded binlog events: the set or position a binlog file starts with, and each
// transaction's GTID. Reads the codec's event structs only (no decoding here).
#include <cstdint>

#include <optional>

#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/util/result.h"

namespace mzl::codec {

// The GTID set a MySQL binlog file starts with. kInvalidArgument for an interval or tag the server could
// not have written (the codec already rejects most of them); tags are normalised to lower case.
Result<gtid::MysqlGtidSet> mysql_gtid_set_from(const PreviousGtidsEvent& event);

// The PREVIOUS_GTIDS event for `set`, as the server writes it: TSIDs in sorted order, the tagged encoding
// only when the set holds a tagged GTID.
PreviousGtidsEvent previous_gtids_event_for(const gtid::MysqlGtidSet& set);

// The GTID of a GTID or GTID_TAGGED event; std::nullopt for ANONYMOUS_GTID (a transaction without a GTID).
Result<std::optional<gtid::MysqlGtid>> mysql_gtid_from(const MysqlGtidEvent& event);

// Adds the event's GTID to `set`; an ANONYMOUS_GTID adds nothing.
Status add_event(gtid::MysqlGtidSet& set, const MysqlGtidEvent& event);

// A MariaDB GTID event's GTID; the server id is the event header's (the body does not carry it).
gtid::MariaGtid maria_gtid_from(const MariaGtidEvent& event, uint32_t header_server_id);

// The binlog state a MariaDB file starts with (every listed (domain, server) entry, in list order).
gtid::MariaGtidState maria_state_from(const MariaGtidListEvent& event);

// The position a MariaDB file starts at: per domain the last GTID the list names for it (the server writes
// each domain's most recent GTID last).
gtid::MariaGtidPosition maria_position_from(const MariaGtidListEvent& event);

}  // namespace mzl::codec
