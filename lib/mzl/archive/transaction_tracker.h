#pragma once
// Follows a binlog event stream to find transaction boundaries and the GTID state at each one: the positions
// the archive may resume a dump from (a dump restarted mid-transaction would make the server send the
// transaction's start again, or apply half of it on a replica).
//
// Event groups (MySQL sql/binlog.cc, MariaDB sql/log_event.cc, https://mariadb.com/kb/en/gtid/):
//  - a GTID event (MariaDB GTID 162; MySQL GTID 33, ANONYMOUS_GTID 34, GTID_TAGGED 42) opens a group;
//  - a QUERY "BEGIN" (or "XA START ...") makes it a multi-statement transaction that ends with XID (16),
//    a QUERY "COMMIT" / "ROLLBACK", or XA_PREPARE (38). A MariaDB GTID event without FL_STANDALONE is that
//    BEGIN itself ("set when there is no terminating COMMIT event", sql/log_event.h): MariaDB logs no BEGIN
//    query, and a statement-logged transaction is GTID, QUERY..., then XID or QUERY "COMMIT";
//  - without BEGIN, the group is one statement: the first QUERY (DDL) or TRANSACTION_PAYLOAD (40) ends it;
//  - old servers without GTID events open a transaction with BEGIN alone;
//  - every other event outside a group (FORMAT_DESCRIPTION, ROTATE, GTID_LIST, PREVIOUS_GTIDS, STOP, ...)
//    is a boundary of its own. PREVIOUS_GTIDS and GTID_LIST add their GTIDs to the state.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mzl/codec/format_description.h"
#include "mzl/codec/raw_event.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/util/result.h"

namespace mzl::archive {

class TransactionTracker {
 public:
  TransactionTracker() = default;

  // A tracker at a boundary whose GTID state is `gtid_position` (MariaDB position text or MySQL set text,
  // read as `flavour`: "mariadb", "mysql", or "" when no event was seen yet and the text is empty).
  // kCorrupt when the text does not parse.
  static Result<TransactionTracker> at_boundary(std::string_view flavour, std::string_view gtid_position);

  // What one event means for the transaction boundaries. This is the one place mzl decides them: the
  // archive writer resumes at `boundary`, and every reader of the archive (archive_reader.h: replay,
  // flashback, PITR planning) starts and ends transactions where `starts` and `ends` say.
  struct Step {
    bool boundary = false;  // the event ends a transaction or lies outside one
    // The event opens a transaction: a GTID event, or (servers without GTID events) BEGIN / XA START, or a
    // statement or TRANSACTION_PAYLOAD that is a transaction of its own.
    bool starts = false;
    // The event closes a transaction: XID, COMMIT, ROLLBACK, XA_PREPARE, or the one statement or
    // TRANSACTION_PAYLOAD of a group without BEGIN.
    bool ends = false;
    // Views into the tracker, valid until its next add() (copy them to keep them):
    std::string_view gtid;  // the GTID of the transaction the event is part of ("" when none or anonymous)
    std::string_view ended_gtid;  // the GTID of the transaction this event ended ("" when none or anonymous)
  };

  // Follows one complete event (checksum already checked by the caller; the body is decoded only for
  // GTID and GTID-list events, and of a QUERY only the framing up to the statement's first word). kCorrupt
  // when one of those bodies does not decode. Allocates nothing once the GTID texts' buffers have grown,
  // except for the events that change the GTID state outside transactions (PREVIOUS_GTIDS, GTID_LIST).
  Result<Step> add(const codec::RawEvent& event, const codec::FormatDescription& fd);

  bool in_transaction() const { return stage_ != Stage::kNone; }
  // The GTID state after the last completed transaction (what a dump restarts from at the last boundary).
  // It changes only at boundaries (and at PREVIOUS_GTIDS / GTID_LIST events), so a caller may render it
  // later than the boundary, before the next such event.
  std::string gtid_position() const;
  // "mariadb", "mysql" or "" (set by the first FORMAT_DESCRIPTION or at_boundary()).
  const std::string& flavour() const { return flavour_; }

 private:
  enum class Stage { kNone, kAfterGtid, kInTransaction };
  // Closes the open group (or a one-event transaction outside any group).
  Step end_group();
  Step opened() const;  // the event opened the group
  Step inside() const;  // the event is inside the open group

  std::string flavour_;
  Stage stage_ = Stage::kNone;
  std::string pending_gtid_;  // the open group's GTID text
  std::string ended_gtid_;    // the GTID text of the group the last add() ended (Step views point here)
  std::optional<gtid::MariaGtid> pending_maria_;
  std::optional<gtid::MysqlGtid> pending_mysql_;
  gtid::MariaGtidPosition maria_position_;
  gtid::MysqlGtidSet mysql_set_;
};

}  // namespace mzl::archive
