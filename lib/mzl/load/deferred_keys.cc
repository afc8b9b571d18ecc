#include "mzl/load/deferred_keys.h"

#include <fmt/format.h>

#include "mzl/net/sql_text.h"

namespace mzl::load {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (;;) {
    const size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return lines;
    text = text.substr(end + 1);
  }
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::optional<DeferredKeys> split_secondary_keys(std::string_view sql) {
  if (!starts_with(sql, "CREATE TABLE `") || sql.find("FOREIGN KEY") != std::string_view::npos) {
    return std::nullopt;
  }
  const std::vector<std::string_view> lines = split_lines(sql);
  // Line 0 "CREATE TABLE `t` (", definitions, then ") ENGINE=InnoDB ..." and maybe partitioning lines.
  size_t close = 1;
  while (close < lines.size() && !starts_with(lines[close], ")")) ++close;
  if (lines.size() < 3 || close == lines.size() || !lines[0].ends_with("(") ||
      !starts_with(lines[close], ") ENGINE=InnoDB")) {
    return std::nullopt;
  }
  DeferredKeys out;
  std::vector<std::string> kept;
  for (size_t i = 1; i < close; ++i) {
    std::string_view line = lines[i];
    if (!starts_with(line, "  ")) return std::nullopt;  // not one definition per line
    const bool comma = line.ends_with(",");
    if (starts_with(line, "  KEY `")) {
      line.remove_prefix(2);
      if (comma) line.remove_suffix(1);
      out.keys.emplace_back(line);
    } else {
      kept.emplace_back(comma ? line.substr(0, line.size() - 1) : line);
    }
  }
  if (out.keys.empty() || kept.empty()) return std::nullopt;
  out.create_sql = std::string(lines[0]);
  for (size_t i = 0; i < kept.size(); ++i) {
    out.create_sql += '\n';
    out.create_sql += kept[i];
    if (i + 1 < kept.size()) out.create_sql += ',';
  }
  for (size_t i = close; i < lines.size(); ++i) {
    out.create_sql += '\n';
    out.create_sql += lines[i];
  }
  return out;
}

std::string add_keys_statement(std::string_view database, std::string_view table,
                               const std::vector<std::string>& keys) {
  std::string sql = "ALTER TABLE " + net::qualified_name(database, table);
  for (size_t i = 0; i < keys.size(); ++i) sql += fmt::format("{} ADD {}", i == 0 ? "" : ",", keys[i]);
  return sql;
}

bool is_referenced(std::string_view database, std::string_view table,
                   const std::vector<std::pair<std::string, std::string_view>>& create_statements) {
  const std::string qualified = "REFERENCES " + net::qualified_name(database, table) + " ";
  const std::string unqualified = "REFERENCES " + net::quote_identifier(table) + " ";
  for (const auto& [db, sql] : create_statements) {
    if (sql.find("FOREIGN KEY") == std::string_view::npos) continue;
    if (sql.find(qualified) != std::string_view::npos) return true;
    if (db == database && sql.find(unqualified) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace mzl::load
