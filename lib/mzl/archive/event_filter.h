#pragma once
// Selects events of a binlog stream by database/table, time and GTID, the filters of
// `mzl-binlog-tail --read` (man/mzl-binlog-tail.1). Pure logic over decoded events: no I/O.
//
// What always passes: the events a reader needs to decode the rest (FORMAT_DESCRIPTION, ROTATE, STOP,
// PREVIOUS_GTIDS, GTID_LIST, BINLOG_CHECKPOINT, HEARTBEAT, START_ENCRYPTION, INCIDENT). GTID filters act on
// whole transactions: every event from a GTID event to the next one shares its verdict. Database/table
// filters act on TABLE_MAP and rows events (by their table) and on statements (by their default database);
// transaction boundaries (BEGIN, COMMIT, XID) are kept.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mzl/codec/decoder_context.h"
#include "mzl/codec/event.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/util/result.h"

namespace mzl::archive {

struct EventSelection {
  std::vector<std::string> databases;  // wildcards (* ?) allowed, see util/table_filter.h
  std::vector<std::string> tables;     // "db.table", wildcards as databases (matched against "db.table")
  std::optional<uint32_t> start_time;  // keep events with timestamp >= start_time
  std::optional<uint32_t> stop_time;   // stop at the first event with timestamp >= stop_time
  // GTID filters as the operator wrote them: a MySQL GTID set or a MariaDB GTID position (see gtid/).
  std::string include_gtids;
  std::string exclude_gtids;

  bool empty() const {
    return databases.empty() && tables.empty() && !start_time && !stop_time && include_gtids.empty() &&
           exclude_gtids.empty();
  }
};

// A GTID set given on the command line. MySQL text ("uuid:1-5") is a set; MariaDB text ("0-1-100") is a
// position and stands for every GTID of each listed domain up to that seq_no.
class GtidSelector {
 public:
  // kInvalidArgument when the text is neither form.
  static Result<GtidSelector> parse(std::string_view text);
  bool contains_mysql(const codec::MysqlGtidEvent& gtid) const;
  bool contains_maria(const gtid::MariaGtid& gtid) const;

 private:
  std::optional<gtid::MysqlGtidSet> mysql_;
  std::optional<gtid::MariaGtidPosition> maria_;
};

class EventFilter {
 public:
  enum class Verdict { kKeep, kSkip, kStop };

  // kInvalidArgument for a GTID text that does not parse or an empty database/table pattern.
  static Result<EventFilter> make(EventSelection selection);

  // Call for every event of the stream, in order (including the ones that will be skipped): the filter
  // follows transaction boundaries. `ctx` is the decoder context after decoding `event` (for table maps).
  Verdict check(const codec::Event& event, const codec::DecoderContext& ctx);

  bool selects_everything() const { return selection_.empty(); }

 private:
  explicit EventFilter(EventSelection selection) : selection_(std::move(selection)) {}
  bool table_selected(const std::string& db, const std::string& table) const;
  bool database_selected(const std::string& db) const;
  bool has_table_filter() const { return !selection_.databases.empty() || !selection_.tables.empty(); }
  bool gtid_selected(bool in_include, bool in_exclude) const;

  EventSelection selection_;
  std::optional<GtidSelector> include_;
  std::optional<GtidSelector> exclude_;
  bool transaction_selected_ = true;  // verdict of the last GTID event (before any: no include filter)
};

// Parses "YYYY-MM-DD HH:MM:SS" (local time, as mariadb-binlog does; TZ=UTC for UTC) or "@<epoch seconds>".
Result<uint32_t> parse_datetime(std::string_view text);

}  // namespace mzl::archive
