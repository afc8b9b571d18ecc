#pragma once
// Turns binlog events into the SQL that applies them on another server, as the server's own mariadb-binlog
// does (MariaDB client/mysqlbinlog.cc, sql/log_event_client.cc):
//  - FORMAT_DESCRIPTION, TABLE_MAP and the ROWS events go to the server's own row applier as
//    `BINLOG '<base64 of the events' bytes>'` (the format description first: it tells the applier how to
//    read the rest). The TABLE_MAP and ROWS events of one transaction share a BINLOG statement, cut after a
//    row statement's last event (STMT_END_F) past ~1 MiB of events, and inside a row statement past 4 MiB
//    (the next BINLOG statement then starts with that statement's TABLE_MAP events again).
//  - QUERY events run as SQL after the session state they were logged with: `SET TIMESTAMP`, the
//    pseudo thread id (temporary tables), flags2 (foreign_key_checks, unique_checks, autocommit,
//    sql_auto_is_null, check_constraint_checks), sql_mode, auto_increment_*, the character sets and
//    collations, time_zone, lc_time_names, the default database; only what changed is set again.
//  - INTVAR, RAND and USER_VAR become SET INSERT_ID / LAST_INSERT_ID, SET @@RAND_SEED1/2, SET @var.
//  - A MariaDB GTID starts a transaction (BEGIN, unless the GTID is standalone: a DDL statement) and, with
//    preserve_gtids, sets gtid_domain_id, server_id and gtid_seq_no first so the target logs the
//    transaction under its original GTID; XID is COMMIT. A MySQL GTID sets gtid_next (preserve_gtids).
//  - ROTATE, GTID_LIST, BINLOG_CHECKPOINT, PREVIOUS_GTIDS, STOP, ANNOTATE_ROWS and ROWS_QUERY need nothing.
// Refused (kUnsupported naming file:offset): XA transactions, LOAD DATA events, MySQL TRANSACTION_PAYLOAD
// (compressed transactions), encrypted binlogs, INCIDENT (the source itself says its replicas may have
// diverged from here on), and any other event this does not know how to apply.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mzl/archive/archive_reader.h"
#include "mzl/codec/decoder_context.h"
#include "mzl/codec/raw_event.h"
#include "mzl/net/server_connection.h"
#include "mzl/replay/statement_sink.h"
#include "mzl/util/result.h"

namespace mzl::replay {

// Collation id -> (character set name, collation name), for USER_VAR string values (the event stores the
// id; SQL needs the names). From the target's information_schema.COLLATIONS.
using CollationNames = std::map<uint32_t, std::pair<std::string, std::string>>;

// The target's collations (information_schema.COLLATIONS); none when it cannot be read (USER_VAR strings are
// then refused when they occur).
CollationNames read_collations(net::ServerConnection& connection);

// Events there is nothing to apply for: ROTATE, GTID_LIST, BINLOG_CHECKPOINT, PREVIOUS_GTIDS, STOP, the
// statement annotations (ANNOTATE_ROWS, ROWS_QUERY), heartbeats and IGNORABLE.
bool needs_nothing_applied(uint8_t type_code);

// Which databases and tables a replay applies, and under which database names (mzl-pitr-restore --databases,
// --tables, --rename-database, as the snapshot loader takes them). Row events are selected by their
// TABLE_MAP's database and table (a renamed database's TABLE_MAP is re-encoded with the new name); a
// statement by its default database (the QUERY event's db, as replicate-do-db does; a statement without one
// is skipped and counted) and, with `tables`, by naming one of the selected tables (statement_names.h). A
// renamed statement runs with `USE <new name>` and its `old`. qualifiers rewritten to the new name
// (man/mzl-pitr-restore.1: partial restores).
struct ReplayFilter {
  std::vector<std::string> databases;                                 // empty (and no tables): all
  std::vector<std::string> tables;                                    // "db.table"
  std::vector<std::pair<std::string, std::string>> rename_databases;  // old -> new

  bool everything() const { return databases.empty() && tables.empty() && rename_databases.empty(); }
  bool selects_database(const std::string& db) const;  // has a selected table, or is selected
  bool selects_table(const std::string& db, const std::string& table) const;
  // A statement run with default database `db`.
  bool selects_statement(const std::string& db, const std::string& sql) const;
  std::string renamed(const std::string& db) const;
};

// What replay_archive() hands each event of the archive to, with its transaction boundaries
// (archive/archive_reader.h): one translator over one session (ReplayTranslator), the parallel applier over
// several (parallel_replay.h), or flashback's collector (flashback.h).
class EventApplier {
 public:
  virtual ~EventApplier() = default;
  // One event of the archive (its format description in force: event.format()).
  virtual Status add(const archive::ArchiveEvent& event) = 0;
  // Whether a transaction was begun and not yet committed or rolled back.
  virtual bool in_transaction() const = 0;
  // Ends the replay: a transaction still open is rolled back; everything is sent and answered.
  virtual Status finish() = 0;
  // Statements a filter left out because their default database is not selected (or they have none).
  virtual uint64_t skipped_statements() const { return 0; }
};

class ReplayTranslator : public EventApplier {
 public:
  ReplayTranslator(StatementSink& sink, bool preserve_gtids, CollationNames collations = {},
                   ReplayFilter filter = {})
      : sink_(sink),
        preserve_gtids_(preserve_gtids),
        collations_(std::move(collations)),
        filter_(std::move(filter)) {}

  // Translates one event of `file` (framed with the format description in force, `format`).
  // kCorrupt for an event that does not decode, kUnsupported as above.
  Status translate(const codec::RawEvent& raw, const codec::FormatDescription& format,
                   const std::string& file);
  Status add(const archive::ArchiveEvent& event) override {
    return translate(event.raw, event.format(), event.file);
  }

  bool in_transaction() const override { return in_transaction_; }
  uint64_t skipped_statements() const override { return skipped_statements_; }

  // Ends the replay: a transaction still open (the archive ends inside it) is rolled back, so that a
  // transaction is applied whole or not at all. Then flushes the sink.
  Status finish() override;

 private:
  Status add_query(const codec::RawEvent& raw, const codec::FormatDescription& format, const EventPlace& at);
  Status add_row_event(const codec::RawEvent& raw, const codec::FormatDescription& format,
                       const EventPlace& at);
  Status add_filtered_row_event(const codec::RawEvent& raw, const codec::FormatDescription& format,
                                const EventPlace& at);
  Status flush_rows();
  Status emit(std::string sql, const EventPlace& at);

  StatementSink& sink_;
  bool preserve_gtids_;
  CollationNames collations_;
  ReplayFilter filter_;
  std::set<uint64_t> skipped_tables_;  // table ids whose TABLE_MAP the filter left out
  uint64_t skipped_statements_ = 0;
  bool in_transaction_ = false;
  bool mysql_gtid_next_set_ = false;
  std::string pending_rows_;         // base64 of the TABLE_MAP / ROWS events not yet sent
  std::string statement_maps_;       // base64 of the TABLE_MAP events of the row statement being read
  bool row_statement_open_ = false;  // a TABLE_MAP was read and its statement's STMT_END_F event not yet
  EventPlace pending_from_;
  // Session state last set on the target (unset: never set).
  std::optional<uint32_t> thread_id_;
  std::optional<uint32_t> flags2_;
  std::optional<uint64_t> sql_mode_;
  std::optional<std::pair<uint16_t, uint16_t>> auto_increment_;
  std::optional<std::string> charsets_, time_zone_, db_;
  std::optional<uint16_t> lc_time_names_, charset_database_;
};

}  // namespace mzl::replay
