#include "mzl/replay/replay_sql.h"

#include <charconv>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "mzl/codec/column_value.h"
#include "mzl/codec/control_events.h"
#include "mzl/codec/event.h"
#include "mzl/codec/event_encoder.h"
#include "mzl/codec/event_header.h"
#include "mzl/codec/event_type.h"
#include "mzl/codec/gtid_events.h"
#include "mzl/codec/query_event.h"
#include "mzl/codec/rows_event.h"
#include "mzl/codec/table_map_event.h"
#include "mzl/gtid/uuid.h"
#include "mzl/net/sql_text.h"
#include "mzl/replay/statement_names.h"
#include "mzl/util/base64.h"

namespace mzl::replay {

CollationNames read_collations(net::ServerConnection& connection) {
  CollationNames names;
  auto rows =
      connection.query("SELECT ID, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLLATIONS");
  if (!rows.ok()) return names;
  for (const auto& row : *rows) {
    if (row.size() != 3 || !row[0] || !row[1] || !row[2]) continue;
    uint32_t id = 0;
    const std::string& text = *row[0];
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec == std::errc() && end == text.data() + text.size()) names[id] = {*row[1], *row[2]};
  }
  return names;
}
namespace {

using net::quote_identifier;
using net::quote_string;

using codec::EventType;

// A BINLOG statement is ended after the last event of a row statement (STMT_END_F) once its events reach
// kRowsStatementBytes (before base64), and after any event once they reach kRowsStatementMaxBytes: memory
// stays bounded and the statement well below max_allowed_packet (16 MiB by default; base64 adds 1/3)
// however large a transaction or a statement is.
constexpr size_t kRowsStatementBytes = 1 << 20;
constexpr size_t kRowsStatementMaxBytes = 4 << 20;

// Query flags2 bits (MariaDB sql/sql_priv.h / MySQL sql/query_options.h; the same in both flavours, except
// check constraints, which only MariaDB has).
constexpr uint32_t kOptionAutoIsNull = 1u << 14;
constexpr uint32_t kOptionNotAutocommit = 1u << 19;
constexpr uint32_t kOptionNoForeignKeyChecks = 1u << 26;
constexpr uint32_t kOptionRelaxedUniqueChecks = 1u << 27;
constexpr uint32_t kOptionNoCheckConstraintChecks = 1u << 30;
// ROWS event flag: the last ROWS event of its statement (the applier then closes the statement's tables).
constexpr uint16_t kStmtEndFlag = 1;

std::string hex(Bytes data) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(2 * data.size());
  for (uint8_t b : data) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

Error unsupported(const EventPlace& at, const std::string& what) {
  return Error(ErrorCode::kUnsupported, what).at_r(at.file, at.offset);
}

template <class T, class Decode>
Result<T> decode_body(const codec::RawEvent& raw, const EventPlace& at, Decode decode) {
  ByteReader body(raw.body);
  auto decoded = decode(body);
  if (!decoded.ok()) return std::move(decoded).error().at_r(at.file, at.offset);
  return decoded;
}

// Collations every server numbers alike (MariaDB and MySQL strings/ctype-*.c), for a replay written as SQL
// without a target server to ask.
const std::pair<std::string, std::string>* well_known_collation(uint32_t id) {
  static const std::map<uint32_t, std::pair<std::string, std::string>> kKnown{
      {8, {"latin1", "latin1_swedish_ci"}},     {11, {"ascii", "ascii_general_ci"}},
      {33, {"utf8mb3", "utf8mb3_general_ci"}},  {45, {"utf8mb4", "utf8mb4_general_ci"}},
      {46, {"utf8mb4", "utf8mb4_bin"}},         {47, {"latin1", "latin1_bin"}},
      {48, {"latin1", "latin1_general_ci"}},    {63, {"binary", "binary"}},
      {83, {"utf8mb3", "utf8mb3_bin"}},         {192, {"utf8mb3", "utf8mb3_unicode_ci"}},
      {224, {"utf8mb4", "utf8mb4_unicode_ci"}}, {255, {"utf8mb4", "utf8mb4_0900_ai_ci"}},
  };
  auto it = kKnown.find(id);
  return it == kKnown.end() ? nullptr : &it->second;
}

// SET @name := value, from a USER_VAR event (MariaDB log_event_client.cc User_var_log_event::print).
Result<std::string> user_var_statement(const codec::UserVarEvent& v, const CollationNames& collations,
                                       const EventPlace& at) {
  std::string target = "SET @" + quote_identifier(v.name) + ":=";
  if (v.is_null) return target + "NULL";
  ByteReader value(v.value);
  switch (v.value_type) {
    case 0: {  // STRING_RESULT: the bytes, in their character set and collation
      auto from_server = collations.find(v.charset);
      const auto* names =
          from_server != collations.end() ? &from_server->second : well_known_collation(v.charset);
      if (names == nullptr) {
        return unsupported(at, fmt::format("USER_VAR @{} is in collation {}, whose name is not known here "
                                           "(restore into a server, which is asked for it, instead of --sql)",
                                           v.name, v.charset));
      }
      return fmt::format("{}_{} X'{}' COLLATE {}", target, names->first, hex(v.value),
                         quote_identifier(names->second));
    }
    case 1: {  // REAL_RESULT: an 8-byte double
      const uint64_t bits = value.u64le();
      double d;
      static_assert(sizeof d == sizeof bits);
      std::memcpy(&d, &bits, sizeof d);
      if (!value.ok()) break;
      return fmt::format("{}{}", target, d);  // fmt prints the shortest form that reads back exactly
    }
    case 2: {  // INT_RESULT: 8 bytes, UNSIGNED_F in flags
      const uint64_t n = value.u64le();
      if (!value.ok()) break;
      if (v.flags.value_or(0) & 1) return fmt::format("{}{}", target, n);
      return fmt::format("{}{}", target, static_cast<int64_t>(n));
    }
    case 4: {  // DECIMAL_RESULT: precision, scale, then the binary decimal
      const uint8_t precision = value.u8();
      const uint8_t scale = value.u8();
      if (!value.ok()) break;
      auto text = codec::decode_decimal(value, precision, scale);
      if (!text.ok()) break;
      return target + *text;
    }
    default:
      return unsupported(
          at, fmt::format("USER_VAR @{} has value type {}, which cannot be replayed", v.name, v.value_type));
  }
  return Error(ErrorCode::kCorrupt, fmt::format("USER_VAR @{}: value does not match its type", v.name))
      .at_r(at.file, at.offset);
}

// The table id of a TABLE_MAP or ROWS event: the post-header's first 6 bytes (4 when the post-header is 6
// bytes long: MySQL 5.1.x).
std::optional<uint64_t> table_id_of(const codec::RawEvent& raw, const codec::FormatDescription& format) {
  ByteReader body(raw.body);
  const uint64_t id = format.post_header_length(raw.header.type_code) == 6 ? body.u32le() : body.u48le();
  if (!body.ok()) return std::nullopt;
  return id;
}

}  // namespace

bool needs_nothing_applied(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::kRotate:
    case EventType::kMariaGtidList:
    case EventType::kMariaBinlogCheckpoint:
    case EventType::kPreviousGtids:
    case EventType::kStop:
    case EventType::kMariaAnnotateRows:
    case EventType::kRowsQuery:
    case EventType::kHeartbeat:
    case EventType::kHeartbeatV2:
    case EventType::kIgnorable:
      return true;
    default:
      return false;
  }
}

// Names and patterns match as in every program's table filters (util/table_filter.h, man/mzl.7).
bool ReplayFilter::selects_database(const std::string& db) const {
  if (databases.empty() && tables.empty()) return true;
  if (matches_any(databases, db)) return true;
  TableFilter by_tables;
  by_tables.tables = tables;
  return by_tables.database_named_by_tables(db);
}

bool ReplayFilter::selects_table(const std::string& db, const std::string& table) const {
  if (databases.empty() && tables.empty()) return true;
  if (matches_any(databases, db)) return true;
  return matches_any(tables, db + "." + table);
}

bool ReplayFilter::selects_statement(const std::string& db, const std::string& sql) const {
  if (!selects_database(db)) return false;
  if (tables.empty() || matches_any(databases, db)) return true;
  const std::vector<std::string> names = statement_identifiers(sql);
  return std::any_of(tables.begin(), tables.end(), [&](const std::string& t) {
    const std::string_view table_part = std::string_view(t).substr(t.find('.') + 1);
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& name) { return wildcard_match(table_part, name); });
  });
}

std::string ReplayFilter::renamed(const std::string& db) const {
  for (const auto& [from, to] : rename_databases) {
    if (from == db) return to;
  }
  return db;
}

Status ReplayTranslator::emit(std::string sql, const EventPlace& at) {
  return sink_.statement(sql, at);
}

Status ReplayTranslator::flush_rows() {
  if (pending_rows_.empty()) return ok_status();
  std::string sql = "BINLOG '" + pending_rows_ + "'";
  pending_rows_.clear();
  return sink_.statement(sql, pending_from_);
}

Status ReplayTranslator::add_row_event(const codec::RawEvent& raw, const codec::FormatDescription& format,
                                       const EventPlace& at) {
  // One base64 block per event, as mariadb-binlog writes them: the applier decodes the text block after
  // block (my_base64_decode with MY_BASE64_DECODE_ALLOW_MULTIPLE_CHUNKS, sql/sql_binlog.cc), skipping the
  // newlines between them.
  std::string block = base64_encode(raw.data);
  if (pending_rows_.empty()) {
    pending_from_ = at;
  } else {
    pending_rows_ += '\n';
  }
  pending_rows_ += block;
  if (!codec::is_rows_event(raw.header.type_code)) {  // a TABLE_MAP
    if (!row_statement_open_) statement_maps_.clear();
    row_statement_open_ = true;
    statement_maps_ += (statement_maps_.empty() ? "" : "\n") + block;
    return ok_status();
  }
  // Post-header: table id (6 bytes, or 4 when the post-header is 6 bytes long: MySQL 5.1.x), flags u16.
  ByteReader body(raw.body);
  body.skip(format.post_header_length(raw.header.type_code) == 6 ? 4 : 6);
  const uint16_t flags = body.u16le();
  if (!body.ok()) {
    return Error(ErrorCode::kCorrupt, "ROWS event shorter than its post-header").at_r(at.file, at.offset);
  }
  row_statement_open_ = (flags & kStmtEndFlag) == 0;
  // The row events of a whole transaction share BINLOG statements (one round trip each, as a BINLOG
  // statement ends its batch: statement_sink.h); the applier closes each row statement's tables at its
  // STMT_END_F event and opens the next one's at its TABLE_MAP.
  if (!row_statement_open_) return pending_rows_.size() >= kRowsStatementBytes ? flush_rows() : ok_status();
  if (pending_rows_.size() < kRowsStatementMaxBytes) return ok_status();
  // A row statement too large for one BINLOG statement. At the end of a BINLOG statement the applier
  // forgets its table maps, and a ROWS event of an unmapped table is skipped without an error (the way a
  // replica skips filtered tables; seen on MariaDB 10.11): the next BINLOG statement starts with this row
  // statement's TABLE_MAP events again.
  MZL_CHECK(flush_rows());
  pending_from_ = at;
  pending_rows_ = statement_maps_;
  return ok_status();
}

Status ReplayTranslator::add_filtered_row_event(const codec::RawEvent& raw,
                                                const codec::FormatDescription& format,
                                                const EventPlace& at) {
  const auto table_id = table_id_of(raw, format);
  if (!table_id)
    return Error(ErrorCode::kCorrupt, "event shorter than its post-header").at_r(at.file, at.offset);
  if (codec::is_rows_event(raw.header.type_code)) {
    return skipped_tables_.count(*table_id) ? ok_status() : add_row_event(raw, format, at);
  }
  ByteReader body(raw.body);
  auto map = codec::decode_table_map_event(body, format);
  if (!map.ok()) return std::move(map).error().at_r(at.file, at.offset);
  if (!filter_.selects_table(map->database, map->table)) {
    skipped_tables_.insert(*table_id);
    return ok_status();
  }
  skipped_tables_.erase(*table_id);
  const std::string database = filter_.renamed(map->database);
  if (database == map->database) return add_row_event(raw, format, at);
  map->database = database;
  codec::Event event;
  event.header = raw.header;
  event.body = std::move(*map);
  const std::vector<uint8_t> bytes = codec::encode_event(event, format);
  codec::RawEvent renamed = raw;
  renamed.data = Bytes(bytes);
  renamed.body = Bytes(bytes).subspan(codec::kEventHeaderSize,
                                      bytes.size() - codec::kEventHeaderSize - (format.has_crc32() ? 4 : 0));
  return add_row_event(renamed, format, at);
}

Status ReplayTranslator::add_query(const codec::RawEvent& raw, const codec::FormatDescription& format,
                                   const EventPlace& at) {
  MZL_TRY(codec::QueryEvent q, decode_body<codec::QueryEvent>(raw, at, [&](ByteReader& body) {
            return raw.header.type_code == codec::code(EventType::kMariaQueryCompressed)
                       ? codec::decode_query_compressed_event(body, format)
                       : codec::decode_query_event(body, format);
          }));
  const codec::QueryStatusVars& s = q.status;
  const bool transaction_control = q.query == "BEGIN" || q.query == "COMMIT" || q.query == "ROLLBACK";
  if (!transaction_control && !filter_.everything()) {
    if (q.db.empty() || !filter_.selects_statement(q.db, q.query)) {
      ++skipped_statements_;
      return ok_status();
    }
    for (const auto& [from, to] : filter_.rename_databases)
      q.query = rename_database_qualifiers(q.query, from, to);
  }
  if (!q.db.empty()) q.db = filter_.renamed(q.db);
  if (q.query == "BEGIN" || q.query == "XA START" || q.query.starts_with("XA ")) {
    if (q.query != "BEGIN") return unsupported(at, "XA transactions cannot be replayed yet");
    if (in_transaction_) return ok_status();  // the GTID event began it
    in_transaction_ = true;
    return emit("BEGIN", at);
  }
  if (q.query == "COMMIT" || q.query == "ROLLBACK") {
    in_transaction_ = false;
    return emit(q.query, at);
  }
  std::string set;
  auto add = [&](const std::string& assignment) { set += (set.empty() ? "SET " : ", ") + assignment; };
  if (thread_id_ != q.thread_id) add(fmt::format("@@session.pseudo_thread_id={}", q.thread_id));
  thread_id_ = q.thread_id;
  if (s.flags2 && flags2_ != s.flags2) {
    const uint32_t f = *s.flags2;
    add(fmt::format(
        "@@session.foreign_key_checks={}, @@session.sql_auto_is_null={}, @@session.unique_checks={}, "
        "@@session.autocommit={}",
        (f & kOptionNoForeignKeyChecks) ? 0 : 1, (f & kOptionAutoIsNull) ? 1 : 0,
        (f & kOptionRelaxedUniqueChecks) ? 0 : 1, (f & kOptionNotAutocommit) ? 0 : 1));
    if (format.flavour == codec::Flavour::kMariaDB) {
      add(fmt::format("@@session.check_constraint_checks={}", (f & kOptionNoCheckConstraintChecks) ? 0 : 1));
    }
    flags2_ = s.flags2;
  }
  if (s.sql_mode && sql_mode_ != s.sql_mode) add(fmt::format("@@session.sql_mode={}", *s.sql_mode));
  if (s.sql_mode) sql_mode_ = s.sql_mode;
  if (s.auto_increment_increment && s.auto_increment_offset) {
    std::pair<uint16_t, uint16_t> ai{*s.auto_increment_increment, *s.auto_increment_offset};
    if (auto_increment_ != ai) {
      add(fmt::format("@@session.auto_increment_increment={}, @@session.auto_increment_offset={}", ai.first,
                      ai.second));
    }
    auto_increment_ = ai;
  }
  if (s.charset_client && s.collation_connection && s.collation_server) {
    std::string charsets = fmt::format(
        "@@session.character_set_client={}, @@session.collation_connection={}, "
        "@@session.collation_server={}",
        *s.charset_client, *s.collation_connection, *s.collation_server);
    if (charsets_ != charsets) add(charsets);
    charsets_ = charsets;
  }
  if (s.time_zone && time_zone_ != s.time_zone) add("@@session.time_zone=" + quote_string(*s.time_zone));
  if (s.time_zone) time_zone_ = s.time_zone;
  const uint16_t lc_time_names = s.lc_time_names.value_or(0);
  if (lc_time_names_ != lc_time_names) add(fmt::format("@@session.lc_time_names={}", lc_time_names));
  lc_time_names_ = lc_time_names;
  if (s.charset_database && charset_database_ != s.charset_database) {
    add(fmt::format("@@session.collation_database={}", *s.charset_database));
  }
  if (s.charset_database) charset_database_ = s.charset_database;
  // The statement's start time, to the microsecond when the event carries it (NOW(), TIMESTAMP defaults).
  const std::optional<uint32_t> micros = s.maria_hrnow ? s.maria_hrnow : s.microseconds;
  add(micros ? fmt::format("TIMESTAMP={}.{:06}", raw.header.timestamp, *micros)
             : fmt::format("TIMESTAMP={}", raw.header.timestamp));
  MZL_CHECK(emit(std::move(set), at));
  if (!q.db.empty() && db_ != q.db) {
    MZL_CHECK(emit("USE " + quote_identifier(q.db), at));
    db_ = q.db;
  }
  return emit(std::move(q.query), at);
}

Status ReplayTranslator::translate(const codec::RawEvent& raw, const codec::FormatDescription& format,
                                   const std::string& file) {
  const EventPlace at{file, raw.offset};
  const uint8_t type = raw.header.type_code;
  if (type == codec::code(EventType::kTableMap) || codec::is_rows_event(type)) {
    if (filter_.everything()) return add_row_event(raw, format, at);
    return add_filtered_row_event(raw, format, at);
  }
  MZL_CHECK(flush_rows());
  switch (static_cast<EventType>(type)) {
    case EventType::kFormatDescription:
      // The applier reads the events after it with this description (checksums, post-header lengths).
      return emit("BINLOG '" + base64_encode(raw.data) + "'", at);
    case EventType::kQuery:
    case EventType::kMariaQueryCompressed:
      return add_query(raw, format, at);
    case EventType::kXid:
      in_transaction_ = false;
      return emit("COMMIT", at);
    case EventType::kMariaGtid: {
      MZL_TRY(codec::MariaGtidEvent g, decode_body<codec::MariaGtidEvent>(raw, at, [&](ByteReader& body) {
                return codec::decode_maria_gtid_event(body, format);
              }));
      if (g.flags2 & (codec::kMariaFlPreparedXa | codec::kMariaFlCompletedXa)) {
        return unsupported(at, "XA transactions cannot be replayed yet");
      }
      if (in_transaction_) MZL_CHECK(emit("ROLLBACK", at));  // cannot happen in a well-formed binlog
      if (preserve_gtids_) {
        MZL_CHECK(emit(fmt::format("SET @@session.gtid_domain_id={}, @@session.server_id={}, "
                                   "@@session.gtid_seq_no={}",
                                   g.domain_id, raw.header.server_id, g.seq_no),
                       at));
      }
      in_transaction_ = (g.flags2 & codec::kMariaFlStandalone) == 0;
      return in_transaction_ ? emit("BEGIN", at) : ok_status();
    }
    case EventType::kGtid:
    case EventType::kGtidTagged:
    case EventType::kAnonymousGtid: {
      MZL_TRY(codec::MysqlGtidEvent g, decode_body<codec::MysqlGtidEvent>(raw, at, [&](ByteReader& body) {
                return codec::decode_mysql_gtid_event(type, body, format);
              }));
      if (!preserve_gtids_ || type == codec::code(EventType::kAnonymousGtid)) return ok_status();
      gtid::Uuid uuid{g.sid};
      const std::string tag = g.tag.empty() ? "" : ":" + g.tag;
      mysql_gtid_next_set_ = true;
      return emit(fmt::format("SET @@session.gtid_next='{}{}:{}'", uuid.to_string(), tag, g.gno), at);
    }
    case EventType::kIntvar: {
      MZL_TRY(codec::IntvarEvent v, decode_body<codec::IntvarEvent>(raw, at, [&](ByteReader& body) {
                return codec::decode_intvar_event(body, format);
              }));
      if (v.type == 1) return emit(fmt::format("SET LAST_INSERT_ID={}", v.value), at);
      if (v.type == 2) return emit(fmt::format("SET INSERT_ID={}", v.value), at);
      return Error(ErrorCode::kCorrupt, fmt::format("INTVAR of unknown type {}", v.type))
          .at_r(file, raw.offset);
    }
    case EventType::kRand: {
      MZL_TRY(codec::RandEvent v, decode_body<codec::RandEvent>(raw, at, [&](ByteReader& body) {
                return codec::decode_rand_event(body, format);
              }));
      return emit(fmt::format("SET @@RAND_SEED1={}, @@RAND_SEED2={}", v.seed1, v.seed2), at);
    }
    case EventType::kUserVar: {
      MZL_TRY(codec::UserVarEvent v, decode_body<codec::UserVarEvent>(raw, at, [&](ByteReader& body) {
                return codec::decode_user_var_event(body, format);
              }));
      MZL_TRY(std::string sql, user_var_statement(v, collations_, at));
      return emit(std::move(sql), at);
    }
    case EventType::kIncident:
      return unsupported(at,
                         "INCIDENT event: the source server logged that its replicas may have diverged "
                         "here (e.g. a non-transactional change was lost); replay cannot continue past it");
    case EventType::kMariaStartEncryption:
      return unsupported(at,
                         "the binlog is encrypted from here on (START_ENCRYPTION); it cannot be replayed");
    case EventType::kTransactionPayload:
      return unsupported(at, "compressed MySQL transactions (TRANSACTION_PAYLOAD) cannot be replayed yet");
    case EventType::kXaPrepare:
      return unsupported(at, "XA transactions cannot be replayed yet");
    default:
      if (needs_nothing_applied(type)) return ok_status();
      return unsupported(at, fmt::format("{} events cannot be replayed", codec::event_type_name(type)));
  }
}

Status ReplayTranslator::finish() {
  const EventPlace end{"(end of the archive)", 0};
  MZL_CHECK(flush_rows());
  if (in_transaction_) {
    MZL_CHECK(emit("ROLLBACK", end));
    in_transaction_ = false;
  }
  if (mysql_gtid_next_set_) MZL_CHECK(emit("SET @@session.gtid_next='AUTOMATIC'", end));
  return sink_.flush();
}

}  // namespace mzl::replay
