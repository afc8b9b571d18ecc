#include "mzl/archive/event_filter.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>

#include "mzl/codec/event_type.h"
#include "mzl/util/table_filter.h"

namespace mzl::archive {

using codec::AnnotateRowsEvent;
using codec::DecoderContext;
using codec::Event;
using codec::EventType;
using codec::MariaGtidEvent;
using codec::MysqlGtidEvent;
using codec::QueryEvent;
using codec::RowsEvent;
using codec::RowsQueryEvent;
using codec::TableMapEvent;

namespace {

bool is_structural(uint8_t type_code) {
  switch (static_cast<EventType>(type_code)) {
    case EventType::kFormatDescription:
    case EventType::kRotate:
    case EventType::kStop:
    case EventType::kPreviousGtids:
    case EventType::kMariaGtidList:
    case EventType::kMariaBinlogCheckpoint:
    case EventType::kHeartbeat:
    case EventType::kHeartbeatV2:
    case EventType::kMariaStartEncryption:
    case EventType::kIncident:
      return true;
    default:
      return false;
  }
}

// Statements that delimit a transaction rather than change data in a database.
bool is_transaction_control(std::string_view query) {
  auto starts_with_word = [&](std::string_view word) {
    if (query.size() < word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(query[i])) != word[i]) return false;
    }
    return query.size() == word.size() || !std::isalnum(static_cast<unsigned char>(query[word.size()]));
  };
  for (std::string_view word : {"BEGIN", "COMMIT", "ROLLBACK", "XA", "SAVEPOINT", "RELEASE"}) {
    if (starts_with_word(word)) return true;
  }
  return false;
}

}  // namespace

Result<GtidSelector> GtidSelector::parse(std::string_view text) {
  GtidSelector selector;
  // A MySQL set always has a ':' after its UUID; a MariaDB position never has one.
  if (text.find(':') != std::string_view::npos) {
    MZL_TRY(auto set, gtid::MysqlGtidSet::parse(text));
    selector.mysql_ = std::move(set);
  } else {
    MZL_TRY(auto position, gtid::MariaGtidPosition::parse(text));
    selector.maria_ = std::move(position);
  }
  return selector;
}

bool GtidSelector::contains_mysql(const MysqlGtidEvent& event) const {
  if (!mysql_ || event.type_code == code(EventType::kAnonymousGtid)) return false;
  gtid::Uuid uuid;
  uuid.bytes = event.sid;
  return mysql_->contains(gtid::Tsid{uuid, event.tag}, event.gno);
}

bool GtidSelector::contains_maria(const gtid::MariaGtid& gtid) const {
  return maria_ && maria_->contains(gtid);
}

Result<EventFilter> EventFilter::make(EventSelection selection) {
  for (const auto& db : selection.databases) {
    if (db.empty()) return Error(ErrorCode::kInvalidArgument, "--databases: empty database name");
  }
  for (const auto& t : selection.tables) {
    const size_t dot = t.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == t.size()) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("--tables: '{}' is not of the form db.table", t));
    }
  }
  EventFilter filter(std::move(selection));
  if (!filter.selection_.include_gtids.empty()) {
    auto parsed = GtidSelector::parse(filter.selection_.include_gtids);
    if (!parsed.ok()) return Error(ErrorCode::kInvalidArgument, "--gtid: " + parsed.error().message);
    filter.include_ = std::move(*parsed);
    filter.transaction_selected_ = false;
  }
  if (!filter.selection_.exclude_gtids.empty()) {
    auto parsed = GtidSelector::parse(filter.selection_.exclude_gtids);
    if (!parsed.ok()) return Error(ErrorCode::kInvalidArgument, "--exclude-gtid: " + parsed.error().message);
    filter.exclude_ = std::move(*parsed);
  }
  return filter;
}

bool EventFilter::gtid_selected(bool in_include, bool in_exclude) const {
  return (!include_ || in_include) && (!exclude_ || !in_exclude);
}

bool EventFilter::database_selected(const std::string& db) const {
  if (!has_table_filter()) return true;
  if (matches_any(selection_.databases, db)) return true;
  TableFilter by_tables;
  by_tables.tables = selection_.tables;
  return by_tables.database_named_by_tables(db);
}

bool EventFilter::table_selected(const std::string& db, const std::string& table) const {
  if (!has_table_filter()) return true;
  if (matches_any(selection_.databases, db)) return true;
  return matches_any(selection_.tables, db + "." + table);
}

EventFilter::Verdict EventFilter::check(const Event& event, const DecoderContext& ctx) {
  const uint8_t type = event.type_code();
  if (is_structural(type)) return Verdict::kKeep;
  const uint32_t ts = event.header.timestamp;
  if (selection_.stop_time && ts >= *selection_.stop_time) return Verdict::kStop;

  if (const auto* g = event.get<MysqlGtidEvent>()) {
    transaction_selected_ =
        gtid_selected(include_ && include_->contains_mysql(*g), exclude_ && exclude_->contains_mysql(*g));
  } else if (const auto* g = event.get<MariaGtidEvent>()) {
    const gtid::MariaGtid id{g->domain_id, event.header.server_id, g->seq_no};
    transaction_selected_ =
        gtid_selected(include_ && include_->contains_maria(id), exclude_ && exclude_->contains_maria(id));
  }
  if (!transaction_selected_) return Verdict::kSkip;
  if (selection_.start_time && ts < *selection_.start_time) return Verdict::kSkip;
  if (!has_table_filter()) return Verdict::kKeep;

  if (const auto* t = event.get<TableMapEvent>()) {
    return table_selected(t->database, t->table) ? Verdict::kKeep : Verdict::kSkip;
  }
  if (const auto* r = event.get<RowsEvent>()) {
    const TableMapEvent* t = ctx.table_map(r->table_id);
    return t != nullptr && table_selected(t->database, t->table) ? Verdict::kKeep : Verdict::kSkip;
  }
  if (const auto* q = event.get<QueryEvent>()) {
    if (is_transaction_control(q->query)) return Verdict::kKeep;
    return database_selected(q->db) ? Verdict::kKeep : Verdict::kSkip;
  }
  // Annotations quote statements of any table; with a table filter they are left out.
  if (event.get<AnnotateRowsEvent>() || event.get<RowsQueryEvent>()) return Verdict::kSkip;
  return Verdict::kKeep;
}

Result<uint32_t> parse_datetime(std::string_view text) {
  const std::string s(text);
  if (!s.empty() && s[0] == '@') {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str() + 1, &end, 10);
    if (end == s.c_str() + 1 || *end != '\0' || v > UINT32_MAX) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("'{}' is not @<seconds since the epoch>", s));
    }
    return static_cast<uint32_t>(v);
  }
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      static_cast<size_t>(consumed) != s.size()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("'{}' is not a datetime of the form "
                                                          "'YYYY-MM-DD HH:MM:SS'",
                                                          s));
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  const time_t t = std::mktime(&tm);
  if (t < 0 || t > static_cast<time_t>(UINT32_MAX)) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("'{}' is outside the binlog's timestamp range", s));
  }
  return static_cast<uint32_t>(t);
}

}  // namespace mzl::archive
