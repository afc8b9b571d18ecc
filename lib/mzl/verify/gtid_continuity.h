#pragma once
// GTID continuity of a binlog archive: follows the GTIDs in file order and finds the holes, the transactions
// of a replication stream that are missing between two GTIDs the archive has.
//  - MariaDB (https://mariadb.com/kb/en/gtid/): sequence numbers are counted per replication domain, so
//    within a domain each GTID's seq_no must be the previous one + 1. The count starts from the given start
//    position (the oldest snapshot's) and, for the domains it does not name, from the first GTID_LIST.
//  - MySQL (https://dev.mysql.com/doc/refman/8.4/en/replication-gtids-concepts.html): GNOs are counted per
//    UUID (and tag); each GTID's GNO must follow the highest one seen for its UUID. The count starts from
//    the start set and, for the UUIDs it does not name, from the first PREVIOUS_GTIDS event.
// Only the first file's GTID_LIST / PREVIOUS_GTIDS seeds the count: a later file's list already covers
// what a missing file held, so using it would hide the hole.
#include <cstdint>
#include <optional>
#include <string>

#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/util/result.h"

namespace mzl::verify {

class GtidContinuity {
 public:
  // `start_gtid`: a MariaDB GTID position or a MySQL GTID set in text ("" for none); it is parsed when the
  // first FORMAT_DESCRIPTION tells the flavour.
  explicit GtidContinuity(std::string start_gtid = {}) : start_text_(std::move(start_gtid)) {}

  // Follows one complete event whose checksum was checked (`fd` is the description in force). Decodes only
  // GTID, GTID_LIST and PREVIOUS_GTIDS bodies. Returns a sentence naming the missing range when a hole ends
  // just before this event's GTID, else nullopt. kInvalidArgument when the start GTID text does not parse
  // for the archive's flavour; kCorrupt when a GTID-family body does not decode.
  Result<std::optional<std::string>> add(const codec::RawEvent& event, const codec::FormatDescription& fd);

 private:
  Status start(codec::Flavour flavour);
  Result<std::optional<std::string>> add_maria(const codec::RawEvent& event,
                                               const codec::FormatDescription& fd);
  Result<std::optional<std::string>> add_mysql(const codec::RawEvent& event,
                                               const codec::FormatDescription& fd);

  std::string start_text_;
  bool started_ = false;
  bool list_seen_ = false;  // the first GTID_LIST / PREVIOUS_GTIDS has been taken
  codec::Flavour flavour_ = codec::Flavour::kMySQL;
  gtid::MariaGtidPosition maria_start_;
  gtid::MariaGtidState maria_;
  gtid::MysqlGtidSet mysql_start_;
  gtid::MysqlGtidSet mysql_;
};

}  // namespace mzl::verify
