#include "mzl/archive/transaction_tracker.h"

#include <cctype>

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/codec/gtid_from_events.h"
#include "mzl/codec/query_event.h"

namespace mzl::archive {
namespace {

std::string_view skip_space(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return text.substr(i);
}

// Whether the statement starts with `word` (upper case; compared case-insensitively) followed by the end
// or a non-letter.
bool starts_with_word(std::string_view query, std::string_view word) {
  query = skip_space(query);
  if (query.size() < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(query[k])) != word[k]) return false;
  }
  return query.size() == word.size() || !std::isalpha(static_cast<unsigned char>(query[word.size()]));
}

bool opens_transaction(std::string_view query) {
  if (starts_with_word(query, "BEGIN")) return true;
  if (!starts_with_word(query, "XA")) return false;
  std::string_view rest = skip_space(query).substr(2);
  return starts_with_word(rest, "START") || starts_with_word(rest, "BEGIN");
}

Error corrupt(const codec::RawEvent& event, const std::string& what) {
  return Error{ErrorCode::kCorrupt, fmt::format("{} does not decode", what)}.at_r("", event.offset);
}

}  // namespace

Result<TransactionTracker> TransactionTracker::at_boundary(std::string_view flavour,
                                                           std::string_view gtid_position) {
  TransactionTracker tracker;
  tracker.flavour_ = std::string(flavour);
  if (flavour == "mariadb") {
    auto position = gtid::MariaGtidPosition::parse(gtid_position);
    if (!position.ok()) return Error{ErrorCode::kCorrupt, position.error().message};
    tracker.maria_position_ = std::move(*position);
  } else if (flavour == "mysql") {
    auto set = gtid::MysqlGtidSet::parse(gtid_position);
    if (!set.ok()) return Error{ErrorCode::kCorrupt, set.error().message};
    tracker.mysql_set_ = std::move(*set);
  } else if (!gtid_position.empty()) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("a GTID position without a flavour: \"{}\"", gtid_position)};
  }
  return tracker;
}

std::string TransactionTracker::gtid_position() const {
  if (flavour_ == "mariadb") return maria_position_.to_string();
  if (flavour_ == "mysql") return mysql_set_.to_string(",");
  return "";
}

TransactionTracker::Step TransactionTracker::end_group() {
  Step step;
  step.boundary = true;
  step.starts = stage_ == Stage::kNone;
  step.ends = true;
  step.gtid = pending_gtid_;
  step.ended_gtid = pending_gtid_;
  if (pending_maria_) maria_position_.set(*pending_maria_);
  if (pending_mysql_) (void)mysql_set_.add(*pending_mysql_);
  stage_ = Stage::kNone;
  pending_gtid_.clear();
  pending_maria_.reset();
  pending_mysql_.reset();
  return step;
}

Result<TransactionTracker::Step> TransactionTracker::add(const codec::RawEvent& event,
                                                         const codec::FormatDescription& fd) {
  using codec::EventType;
  ByteReader body(event.body);
  switch (static_cast<EventType>(event.header.type_code)) {
    case EventType::kFormatDescription: {
      auto decoded = codec::decode_format_description(body, fd);
      if (!decoded.ok()) return corrupt(event, "FORMAT_DESCRIPTION");
      flavour_ = decoded->flavour == codec::Flavour::kMariaDB ? "mariadb" : "mysql";
      break;
    }
    case EventType::kMariaGtid: {
      auto decoded = codec::decode_maria_gtid_event(body, fd);
      if (!decoded.ok()) return corrupt(event, "GTID event");
      pending_maria_ = codec::maria_gtid_from(*decoded, event.header.server_id);
      pending_mysql_.reset();
      pending_gtid_ = pending_maria_->to_string();
      stage_ = Stage::kAfterGtid;
      return opened();
    }
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
    case EventType::kGtidTagged: {
      auto decoded = codec::decode_mysql_gtid_event(event.header.type_code, body, fd);
      if (!decoded.ok()) return corrupt(event, "GTID event");
      auto gtid = codec::mysql_gtid_from(*decoded);
      if (!gtid.ok()) return corrupt(event, "GTID event");
      pending_mysql_ = *gtid;
      pending_maria_.reset();
      pending_gtid_ = pending_mysql_ ? pending_mysql_->to_string() : "";
      stage_ = Stage::kAfterGtid;
      return opened();
    }
    case EventType::kQuery:
    case EventType::kMariaQueryCompressed: {
      if (event.header.type_code == static_cast<uint8_t>(EventType::kMariaQueryCompressed)) {
        // Only long statements are compressed: never BEGIN / COMMIT.
        if (stage_ == Stage::kInTransaction) return inside();
        return end_group();
      }
      auto decoded = codec::decode_query_event(body, fd);
      if (!decoded.ok()) return corrupt(event, "QUERY event");
      const std::string& query = decoded->query;
      if (opens_transaction(query)) {
        const bool starts = stage_ == Stage::kNone;  // else its GTID event opened it
        stage_ = Stage::kInTransaction;
        return starts ? opened() : inside();
      }
      if (stage_ == Stage::kInTransaction) {
        if (starts_with_word(query, "COMMIT") || starts_with_word(query, "ROLLBACK")) return end_group();
        return inside();
      }
      return end_group();
    }
    case EventType::kXid:
    case EventType::kXaPrepare:
      // Outside a transaction (a stray commit, e.g. where a copy starts mid-transaction) it closes nothing.
      if (stage_ == Stage::kNone) return Step{true, false, false, "", ""};
      return end_group();
    case EventType::kTransactionPayload:
      if (stage_ == Stage::kInTransaction) return inside();
      return end_group();
    case EventType::kPreviousGtids: {
      auto decoded = codec::decode_previous_gtids_event(body, fd);
      if (!decoded.ok()) return corrupt(event, "PREVIOUS_GTIDS event");
      auto set = codec::mysql_gtid_set_from(*decoded);
      if (!set.ok()) return corrupt(event, "PREVIOUS_GTIDS event");
      mysql_set_.add(*set);
      break;
    }
    case EventType::kMariaGtidList: {
      auto decoded = codec::decode_maria_gtid_list_event(body, fd);
      if (!decoded.ok()) return corrupt(event, "GTID_LIST event");
      maria_position_.merge(codec::maria_position_from(*decoded));
      break;
    }
    default:
      break;
  }
  if (stage_ != Stage::kNone) return inside();
  return Step{true, false, false, "", ""};
}

TransactionTracker::Step TransactionTracker::opened() const {
  Step step;
  step.starts = true;
  step.gtid = pending_gtid_;
  return step;
}

TransactionTracker::Step TransactionTracker::inside() const {
  Step step;
  step.gtid = pending_gtid_;
  return step;
}

}  // namespace mzl::archive
