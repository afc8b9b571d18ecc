#include "mzl/schema/schema_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/net/sql_text.h"
#include "mzl/schema/ddl_statement.h"
#include "mzl/schema/schema_catalog.h"

namespace mzl::schema {

struct GtidPoint::Parsed {
  std::optional<gtid::MariaGtidPosition> maria;
  std::optional<gtid::MysqlGtidSet> mysql;
};

Result<GtidPoint> GtidPoint::parse(std::string_view flavour, std::string_view text) {
  auto parsed = std::make_shared<Parsed>();
  if (flavour == "mariadb") {
    MZL_TRY(parsed->maria, gtid::MariaGtidPosition::parse(text));
  } else {
    MZL_TRY(parsed->mysql, gtid::MysqlGtidSet::parse(text));
  }
  GtidPoint point;
  point.parsed_ = std::move(parsed);
  return point;
}

bool GtidPoint::contains(std::string_view gtid) const {
  if (!parsed_ || gtid.empty()) return false;
  if (parsed_->maria) {
    auto one = gtid::MariaGtid::parse(gtid);
    return one.ok() && parsed_->maria->contains(*one);
  }
  auto one = gtid::MysqlGtid::parse(gtid);
  return one.ok() && parsed_->mysql->contains(*one);
}

namespace {

// The GTIDs the server has written to its binlog, read before and after the seed: equal when no
// transaction committed meanwhile, so that the seed is exactly the definitions at that position.
Result<std::string> binlog_gtid_position(net::ServerConnection& connection) {
  MZL_TRY(auto value, connection.scalar(connection.is_mariadb() ? "SELECT @@global.gtid_binlog_pos"
                                                                : "SELECT @@global.gtid_executed"));
  return value.value_or("");
}

Result<std::pair<std::string, std::vector<HistoryEntry>>> read_stable_seed(
    net::ServerConnection& connection, const std::string& exclude_prefix) {
  constexpr int kAttempts = 20;
  for (int attempt = 1;; ++attempt) {
    MZL_TRY(std::string before, binlog_gtid_position(connection));
    MZL_TRY(auto entries, read_seed(connection, exclude_prefix));
    MZL_TRY(std::string after, binlog_gtid_position(connection));
    // Under a steady write load the position never stands still; DDL between the two reads is what could
    // make the seed wrong, and the row events' types are checked against it anyway (with_definition).
    if (before == after || attempt == kAttempts) return std::pair(after, std::move(entries));
  }
}

bool same_columns(const TableDefinition& a, const TableDefinition& b) {
  return a.columns == b.columns;
}

}  // namespace

Result<std::unique_ptr<SchemaTracker>> SchemaTracker::open(const SchemaTrackerOptions& options) {
  MZL_TRY(SchemaHistory history, SchemaHistory::open(options.history_path));
  ScratchSchema scratch(options.connection, options.instance);
  MZL_TRY(net::ServerConnection * connection, scratch.connection());
  const std::string flavour = connection->is_mariadb() ? "mariadb" : "mysql";
  if (!history.seeded()) {
    MZL_TRY(auto seed, read_stable_seed(*connection, scratch.prefix()));
    MZL_CHECK(history.seed(flavour, seed.first, connection->server_name(), seed.second));
  } else if (history.flavour() != flavour) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("the schema history is of a {} server, {} is {}: give each server its own "
                             "--schema-history",
                             history.flavour(), connection->server_name(), flavour))
        .at_r(history.path());
  }
  std::unique_ptr<SchemaTracker> tracker(new SchemaTracker(std::move(history), std::move(scratch)));
  MZL_TRY(tracker->seed_, GtidPoint::parse(flavour, tracker->history_.seed_gtid_position()));
  MZL_TRY(GtidPoint start, GtidPoint::parse(flavour, options.start_gtid_position));
  tracker->state_ = tracker->history_.state_at([&](const std::string& gtid) { return start.contains(gtid); });
  return tracker;
}

void SchemaTracker::applied(const std::vector<HistoryEntry>& entries, bool replayed) {
  for (const HistoryEntry& entry : entries) {
    state_.apply(entry);
    if (!replayed) scratch_.forget(entry.database);
  }
  described_.clear();
}

Status SchemaTracker::on_query(const codec::QueryEvent& query, std::string_view gtid, std::string_view file,
                               uint64_t position) {
  const DdlStatement ddl = classify_ddl(query.query);
  if (ddl.kind == DdlKind::kNone || before_seed(gtid)) return ok_status();
  if (!gtid.empty() && history_.has(gtid)) {  // followed by an earlier run: the history says what it did
    std::vector<HistoryEntry> entries;
    for (const HistoryEntry* entry : history_.entries_of(gtid)) entries.push_back(*entry);
    applied(entries, false);
    return ok_status();
  }
  std::vector<HistoryEntry> entries;
  auto entry_at = [&](std::string database, std::string table) {
    HistoryEntry entry;
    entry.gtid = std::string(gtid);
    entry.file = std::string(file);
    entry.position = position;
    entry.database = std::move(database);
    entry.table = std::move(table);
    return entry;
  };
  switch (ddl.kind) {
    case DdlKind::kCreateDatabase: {
      if (state_.has_database(ddl.database)) return ok_status();
      MZL_TRY(net::ServerConnection * c, scratch_.connection());
      const std::string scratch = scratch_.scratch_name(ddl.database);
      MZL_CHECK(scratch_.drop(ddl.database));
      MZL_CHECK(c->execute(fmt::format("CREATE DATABASE {}{}", net::quote_identifier(scratch),
                                       query.query.substr(std::min(ddl.after_name, query.query.size()))),
                           "the CREATE DATABASE replayed on the scratch schema"));
      HistoryEntry entry = entry_at(ddl.database, "");
      MZL_TRY(entry.collation, database_collation(*c, scratch));
      scratch_.mark_built(ddl.database);
      entries.push_back(std::move(entry));
      break;
    }
    case DdlKind::kDropDatabase: {
      for (const TableDefinition* table : state_.tables_of(ddl.database)) {
        HistoryEntry entry = entry_at(ddl.database, table->table);
        entry.dropped = true;
        entries.push_back(std::move(entry));
      }
      HistoryEntry entry = entry_at(ddl.database, "");
      entry.dropped = true;
      entries.push_back(std::move(entry));
      MZL_CHECK(scratch_.drop(ddl.database));
      break;
    }
    case DdlKind::kTable:
      return follow_table_ddl(query, gtid, file, position);
    case DdlKind::kNone:
      return ok_status();
  }
  MZL_CHECK(history_.append(std::string(gtid), entries));
  applied(entries, true);
  return ok_status();
}

Status SchemaTracker::follow_table_ddl(const codec::QueryEvent& query, std::string_view gtid,
                                       std::string_view file, uint64_t position) {
  const RewrittenStatement rewritten = rewrite_databases(
      query.query, [&](std::string_view database) { return scratch_.scratch_name(database); });
  std::vector<std::string> databases = rewritten.databases;
  if (!query.db.empty() && std::find(databases.begin(), databases.end(), query.db) == databases.end()) {
    databases.push_back(query.db);
  }
  auto cannot_follow = [&](Error cause) {
    return Error(ErrorCode::kUnsupported,
                 fmt::format("cannot follow the DDL of GTID {} (database `{}`): {}: {} -- the stream stops "
                             "rather than name columns wrongly; fix the cause (privileges for the scratch "
                             "schema, see SCHEMA HISTORY in mzl-binlog-tail(1)) and restart it",
                             gtid.empty() ? "(none)" : std::string(gtid), query.db, query.query,
                             cause.to_string()))
        .at_r(std::string(file), position);
  };
  for (const std::string& database : databases) {
    Status built = scratch_.materialize(database, state_);
    if (!built.ok()) return cannot_follow(std::move(built).error());
  }
  Status ran = scratch_.run(query, rewritten.sql);
  if (!ran.ok()) {
    scratch_.forget_all();  // the scratch copy may be half changed
    return cannot_follow(std::move(ran).error());
  }
  std::vector<HistoryEntry> entries;
  for (const std::string& database : databases) {
    auto changes = changes_in(database, rewritten.identifiers);
    if (!changes.ok()) return cannot_follow(std::move(changes).error());
    for (HistoryEntry& entry : *changes) {
      entry.gtid = std::string(gtid);
      entry.file = std::string(file);
      entry.position = position;
      entries.push_back(std::move(entry));
    }
  }
  MZL_CHECK(history_.append(std::string(gtid), entries));
  applied(entries, true);
  return ok_status();
}

Result<std::vector<HistoryEntry>> SchemaTracker::changes_in(const std::string& database,
                                                            const std::vector<std::string>& identifiers) {
  MZL_TRY(net::ServerConnection * c, scratch_.connection());
  const std::string scratch = scratch_.scratch_name(database);
  MZL_TRY(auto after, read_tables(*c, scratch));
  std::vector<HistoryEntry> entries;
  for (auto& [name, definition] : after) {
    const TableDefinition* before = state_.find(database, name);
    const bool named = std::find(identifiers.begin(), identifiers.end(), name) != identifiers.end();
    if (before && !named && same_columns(*before, definition)) continue;
    MZL_TRY(definition.create_statement, show_create_table(*c, scratch, name));
    definition.database = database;
    if (before && same_columns(*before, definition) &&
        before->create_statement == definition.create_statement)
      continue;
    HistoryEntry entry;
    entry.database = database;
    entry.table = name;
    entry.definition = std::move(definition);
    entries.push_back(std::move(entry));
  }
  for (const TableDefinition* before : state_.tables_of(database)) {
    if (after.count(before->table)) continue;
    HistoryEntry entry;
    entry.database = database;
    entry.table = before->table;
    entry.dropped = true;
    entries.push_back(std::move(entry));
  }
  if (!state_.has_database(database)) {  // a database the history did not know (created before the seed?)
    HistoryEntry entry;
    entry.database = database;
    MZL_TRY(entry.collation, database_collation(*c, scratch));
    entries.insert(entries.begin(), std::move(entry));
  }
  return entries;
}

Result<std::shared_ptr<const codec::TableMapEvent>> SchemaTracker::describe(
    const std::shared_ptr<const codec::TableMapEvent>& map, std::string_view gtid, std::string_view file,
    uint64_t position) {
  if (!map->optional.column_names.empty()) return map;
  auto cached = described_.find(map->table_id);
  if (cached != described_.end() && cached->second.map == map) return cached->second.described;
  std::shared_ptr<const codec::TableMapEvent> described = map;
  const TableDefinition* definition = state_.find(map->database, map->table);
  Result<std::shared_ptr<const codec::TableMapEvent>> with =
      definition
          ? with_definition(*map, *definition)
          : Result<std::shared_ptr<const codec::TableMapEvent>>(
                Error(ErrorCode::kCorrupt,
                      "the schema history has no definition of this table at this position (created before "
                      "the history's seed by a DDL it did not see?)")
                    .at_r(fmt::format("`{}`.`{}`", map->database, map->table)));
  const bool early = before_seed(gtid);
  if (with.ok()) {
    described = std::move(*with);
  } else if (!early) {
    return std::move(with).error().at_r(std::string(file), position);
  }
  if (early && !warned_before_seed_) {
    // The history knows nothing before its seed: a column renamed between such a row and the seed would
    // carry its later name. Said once, so that it is never silent.
    std::fprintf(
        stderr,
        "mzl-binlog-tail: warning: %s:%llu: rows from before the schema history's seed (GTID position "
        "%s) are named with the seed's definitions where their columns fit them, else written with "
        "@1, @2... keys%s%s; start the stream (or its --schema-history) before the data it is to name\n",
        std::string(file).c_str(), static_cast<unsigned long long>(position),
        history_.seed_gtid_position().c_str(), with.ok() ? "" : ": ",
        with.ok() ? "" : with.error().to_string().c_str());
    warned_before_seed_ = true;
  }
  described_[map->table_id] = Described{map, described};
  return described;
}

}  // namespace mzl::schema
