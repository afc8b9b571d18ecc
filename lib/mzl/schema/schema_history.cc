#include "mzl/schema/schema_history.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mzl/util/json.h"
#include "mzl/util/json_reader.h"

namespace mzl::schema {

namespace {

constexpr std::string_view kWhat = "schema history";

Result<HistoryEntry> entry_from_json(const JsonObject& object, const std::string& where) {
  JsonFields fields(object, where, kWhat);
  HistoryEntry entry;
  MZL_CHECK(fields.get("gtid", entry.gtid));
  MZL_CHECK(fields.get("file", entry.file));
  MZL_CHECK(fields.get("pos", entry.position));
  MZL_CHECK(fields.get("database", entry.database, true));
  MZL_CHECK(fields.get("table", entry.table));
  MZL_CHECK(fields.get("dropped", entry.dropped));
  MZL_CHECK(fields.get("collation", entry.collation));
  MZL_TRY(const JsonObject* definition, fields.object("definition", !entry.table.empty() && !entry.dropped));
  if (definition) {
    MZL_TRY(entry.definition, definition_from_json(*definition, where));
    entry.definition->database = entry.database;
    entry.definition->table = entry.table;
  }
  return entry;
}

void append_entry_json(std::string& out, const HistoryEntry& entry) {
  JsonWriter w(out);
  w.begin_object();
  if (!entry.gtid.empty()) {
    w.field("gtid", entry.gtid);
    w.field("file", entry.file);
    w.field("pos", entry.position);
  }
  w.field("database", entry.database);
  if (!entry.table.empty()) w.field("table", entry.table);
  if (entry.dropped) w.field("dropped", true);
  if (!entry.collation.empty()) w.field("collation", entry.collation);
  if (entry.definition && !entry.dropped) {
    w.key("definition");
    std::string definition;
    append_definition_json(definition, *entry.definition);
    w.raw(definition);
  }
  w.end_object();
  out += '\n';
}

}  // namespace

void SchemaState::apply(const HistoryEntry& entry) {
  if (entry.table.empty()) {
    if (entry.dropped) {
      databases_.erase(entry.database);
      for (auto it = tables_.lower_bound(std::pair(entry.database, std::string()));
           it != tables_.end() && it->first.first == entry.database;) {
        it = tables_.erase(it);
      }
    } else {
      databases_[entry.database] = entry.collation;
    }
    return;
  }
  auto key = std::pair(entry.database, entry.table);
  if (entry.dropped || !entry.definition) {
    tables_.erase(key);
  } else {
    tables_[std::move(key)] = *entry.definition;
    databases_.try_emplace(entry.database);
  }
}

const TableDefinition* SchemaState::find(std::string_view database, std::string_view table) const {
  auto it = tables_.find(std::pair(std::string(database), std::string(table)));
  return it == tables_.end() ? nullptr : &it->second;
}

bool SchemaState::has_database(std::string_view database) const {
  return databases_.find(database) != databases_.end();
}

std::string SchemaState::collation(std::string_view database) const {
  auto it = databases_.find(database);
  return it == databases_.end() ? std::string() : it->second;
}

std::vector<const TableDefinition*> SchemaState::tables_of(std::string_view database) const {
  std::vector<const TableDefinition*> out;
  for (auto it = tables_.lower_bound(std::pair(std::string(database), std::string()));
       it != tables_.end() && it->first.first == database; ++it) {
    out.push_back(&it->second);
  }
  return out;
}

Result<SchemaHistory> SchemaHistory::open(const std::string& path) {
  SchemaHistory history;
  history.path_ = path;
  if (path.empty()) return history;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return history;
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("open", path, errno);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  size_t complete = text.rfind('\n');
  complete = complete == std::string::npos ? 0 : complete + 1;
  size_t line_start = 0;
  // The end of the last whole unit: the seed, then each DDL's entries with the line that closes them.
  size_t committed = 0;
  std::vector<HistoryEntry> pending;
  for (size_t number = 1; line_start < complete; ++number) {
    const size_t line_end = text.find('\n', line_start);
    const std::string where = fmt::format("{} line {}", path, number);
    MZL_TRY(JsonValue value,
            parse_json(std::string_view(text).substr(line_start, line_end - line_start), where, kWhat));
    line_start = line_end + 1;
    const JsonObject* object = value.as_object();
    if (object == nullptr)
      return Error(ErrorCode::kCorrupt, "bad schema history: a line is not an object").at_r(where);
    JsonFields fields(*object, where, kWhat);
    if (number == 1) {
      uint64_t version = 0;
      MZL_CHECK(fields.get("mzl_schema_history", version, true));
      if (version != 1) {
        return Error(ErrorCode::kCorrupt,
                     fmt::format("schema history version {} is not one this mzl reads (1)", version))
            .at_r(where);
      }
      MZL_CHECK(fields.get("flavour", history.flavour_, true));
      MZL_CHECK(fields.get("seed_gtid_position", history.seed_gtid_position_, true));
      history.seeded_ = true;
      committed = line_start;
      continue;
    }
    if (const JsonValue* followed = fields.find("followed")) {
      if (followed->as_string() == nullptr) return fields.wrong("followed");
      history.followed_.insert(*followed->as_string());
      for (HistoryEntry& entry : pending) history.entries_.push_back(std::move(entry));
      pending.clear();
      committed = line_start;
      continue;
    }
    MZL_TRY(HistoryEntry entry, entry_from_json(*object, where));
    if (entry.gtid.empty()) {  // the seed (written whole, see seed())
      history.entries_.push_back(std::move(entry));
      committed = line_start;
    } else {
      pending.push_back(std::move(entry));
    }
  }
  MZL_TRY(history.file_, open_append_only_file(path));
  if (committed != text.size()) {
    // A DDL's entries cut short by a crash (a torn line, or no closing line): it is followed again when it
    // passes, as if never seen.
    MZL_CHECK(history.file_->truncate(committed));
    MZL_CHECK(history.file_->sync());
  }
  if (committed == 0) history.seeded_ = false;
  return history;
}

Status SchemaHistory::write_lines(const std::string& lines, bool created) {
  if (path_.empty()) return ok_status();
  if (!file_) {
    MZL_TRY(file_, open_append_only_file(path_));
    created = true;
  }
  MZL_CHECK(file_->append(std::span(reinterpret_cast<const uint8_t*>(lines.data()), lines.size())));
  MZL_CHECK(file_->sync());
  if (created) {
    const std::string dir = std::filesystem::path(path_).parent_path().string();
    MZL_CHECK(fsync_directory(dir.empty() ? "." : dir));
  }
  return ok_status();
}

Status SchemaHistory::seed(const std::string& flavour, const std::string& gtid_position,
                           const std::string& server, const std::vector<HistoryEntry>& entries) {
  if (seeded_) return Error(ErrorCode::kInvalidArgument, "the schema history is seeded already").at_r(path_);
  std::string lines;
  JsonWriter w(lines);
  w.begin_object();
  w.field("mzl_schema_history", 1);
  w.field("flavour", flavour);
  w.field("seed_gtid_position", gtid_position);
  w.field("server", server);
  w.field("seeded_at", static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count()));
  w.end_object();
  lines += '\n';
  for (const HistoryEntry& entry : entries) append_entry_json(lines, entry);
  if (!path_.empty()) {
    // All or nothing: a seed cut short would look complete and lack tables.
    MZL_CHECK(
        atomic_write_file(path_, std::span(reinterpret_cast<const uint8_t*>(lines.data()), lines.size())));
    MZL_TRY(file_, open_append_only_file(path_));
  }
  seeded_ = true;
  flavour_ = flavour;
  seed_gtid_position_ = gtid_position;
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  return ok_status();
}

Status SchemaHistory::append(const std::string& gtid, const std::vector<HistoryEntry>& entries) {
  std::string lines;
  for (const HistoryEntry& entry : entries) append_entry_json(lines, entry);
  JsonWriter w(lines);
  w.begin_object();
  w.field("followed", gtid);
  w.end_object();
  lines += '\n';
  MZL_CHECK(write_lines(lines, false));
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  followed_.insert(gtid);
  return ok_status();
}

bool SchemaHistory::has(std::string_view gtid) const {
  return followed_.find(gtid) != followed_.end();
}

std::vector<const HistoryEntry*> SchemaHistory::entries_of(std::string_view gtid) const {
  std::vector<const HistoryEntry*> out;
  for (const HistoryEntry& entry : entries_)
    if (entry.gtid == gtid) out.push_back(&entry);
  return out;
}

}  // namespace mzl::schema
