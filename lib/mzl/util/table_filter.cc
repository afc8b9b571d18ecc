#include "mzl/util/table_filter.h"

#include <algorithm>

namespace mzl {

bool wildcard_match(std::string_view pattern, std::string_view text) {
  // Greedy match with one backtrack point (the last `*`): linear in practice, no recursion.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool has_wildcard(std::string_view pattern) {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

bool matches_any(const std::vector<std::string>& patterns, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return wildcard_match(p, text); });
}

bool TableFilter::selects_database(std::string_view database) const {
  if (matches_any(exclude, database)) return false;
  return databases.empty() || matches_any(databases, database);
}

bool TableFilter::selects_table(std::string_view database, std::string_view table) const {
  std::string full(database);
  full += '.';
  full += table;
  if (matches_any(exclude, database) || matches_any(exclude, full)) return false;
  // --databases and --tables narrow together: a table must pass both (an empty list passes everything).
  return (databases.empty() || matches_any(databases, database)) &&
         (tables.empty() || matches_any(tables, full));
}

bool TableFilter::database_named_by_tables(std::string_view database) const {
  for (const auto& pattern : tables) {
    const size_t dot = pattern.find('.');
    if (dot != std::string::npos && wildcard_match(std::string_view(pattern).substr(0, dot), database)) {
      return true;
    }
  }
  return false;
}

}  // namespace mzl
