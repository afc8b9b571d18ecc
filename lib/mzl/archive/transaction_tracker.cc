#include "mzl/archive/transaction_tracker.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/codec/gtid_from_events.h"

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

// The statement text of a QUERY event, framed as decode_query_event() frames it (post-header, status
// variables, database name and its NUL) without decoding the status variables or copying anything:
// https://dev.mysql.com/doc/dev/mysql-server/latest/classmysql_1_1binlog_1_1event_1_1Query__event.html
// nullopt when the framing does not hold.
std::optional<std::string_view> query_statement(Bytes body, const codec::FormatDescription& fd) {
  constexpr size_t kPostHeaderOld = 11;  // thread_id 4, exec_time 4, db_len 1, error_code 2
  constexpr size_t kPostHeaderV4 = 13;   // + status_vars_len 2
  size_t post_header = fd.post_header_length(codec::code(codec::EventType::kQuery));
  if (post_header == 0) post_header = kPostHeaderV4;
  if (post_header < kPostHeaderOld || body.size() < post_header) return std::nullopt;
  const size_t db_len = body[8];
  const size_t status_len = post_header >= kPostHeaderV4 ? (size_t{body[11]} | size_t{body[12]} << 8) : 0;
  const size_t db_at = post_header + status_len;
  if (body.size() < db_at + db_len + 1 || body[db_at + db_len] != 0) return std::nullopt;
  const size_t query_at = db_at + db_len + 1;
  return std::string_view(reinterpret_cast<const char*>(body.data()) + query_at, body.size() - query_at);
}

// Appends `value` in decimal (std::to_chars: no locale, no format string to parse per call).
void append_decimal(std::string& out, uint64_t value) {
  char digits[20];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

void append_hex_byte(std::string& out, uint8_t byte) {
  constexpr char kHex[] = "0123456789abcdef";
  out += kHex[byte >> 4];
  out += kHex[byte & 15];
}

// "uuid[:tag]:gno" as MysqlGtid::to_string() writes it, into `out` (its memory reused).
void format_mysql_gtid(const gtid::MysqlGtid& gtid, std::string& out) {
  out.clear();
  for (size_t i = 0; i < gtid.tsid.uuid.bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    append_hex_byte(out, gtid.tsid.uuid.bytes[i]);
  }
  if (!gtid.tsid.tag.empty()) {
    out += ':';
    out += gtid.tsid.tag;
  }
  out += ':';
  append_decimal(out, static_cast<uint64_t>(gtid.gno));  // 1..2^63-2 (mysql_gtid_from checked it)
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
  ended_gtid_.swap(pending_gtid_);  // both keep their memory for the next groups
  step.gtid = ended_gtid_;
  step.ended_gtid = ended_gtid_;
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
      auto decoded = codec::decode_maria_gtid_id(body);
      if (!decoded.ok()) return corrupt(event, "GTID event");
      pending_maria_ = gtid::MariaGtid{decoded->domain_id, event.header.server_id, decoded->seq_no};
      pending_mysql_.reset();
      pending_gtid_.clear();  // MariaGtid::to_string()'s "domain-server-seq", without its temporaries
      append_decimal(pending_gtid_, pending_maria_->domain_id);
      pending_gtid_ += '-';
      append_decimal(pending_gtid_, pending_maria_->server_id);
      pending_gtid_ += '-';
      append_decimal(pending_gtid_, pending_maria_->seq_no);
      const bool standalone = (decoded->flags2 & codec::kMariaFlStandalone) != 0;
      stage_ = standalone ? Stage::kAfterGtid : Stage::kInTransaction;
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
      if (pending_mysql_) {
        format_mysql_gtid(*pending_mysql_, pending_gtid_);
      } else {
        pending_gtid_.clear();
      }
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
      const std::optional<std::string_view> statement = query_statement(event.body, fd);
      if (!statement) return corrupt(event, "QUERY event");
      const std::string_view query = *statement;
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
      if (stage_ == Stage::kNone) return Step{true, false, false, {}, {}};
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
  return Step{true, false, false, {}, {}};
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
