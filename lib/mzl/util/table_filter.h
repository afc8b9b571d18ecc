#pragma once
// The one wildcard dialect of mzl's table filters (man/mzl.7, "Table filters"): `*` matches any run of bytes
// (also none), `?` exactly one byte, every other byte itself; the pattern must match the whole text. There
// are no bracket expressions and no escapes, so a name containing `*` or `?` is matched by those characters
// as wildcards. Pure logic: used by codec/ (the --read event filter) and, through net/sql_text.h, by every
// program's --databases/--tables/--exclude.
#include <string>
#include <string_view>
#include <vector>

namespace mzl {

bool wildcard_match(std::string_view pattern, std::string_view text);

// True when `pattern` contains `*` or `?` (an exact name otherwise: programs may report it missing).
bool has_wildcard(std::string_view pattern);

// True when any of `patterns` matches `text`.
bool matches_any(const std::vector<std::string>& patterns, std::string_view text);

// Which databases and tables a program works on. Empty `databases` and `tables` select every database; given
// together they narrow together (a table must be in one of `databases` AND named by `tables`). `tables`
// entries are "db.table" (matched against the whole "db.table" text); `exclude` entries are "db" or
// "db.table"; all three accept the wildcards above. An entry without wildcards names exactly one object.
struct TableFilter {
  std::vector<std::string> databases;
  std::vector<std::string> tables;
  std::vector<std::string> exclude;

  bool empty() const { return databases.empty() && tables.empty() && exclude.empty(); }
  // The table passes `databases`, `tables` and `exclude` (system schemas are not special here).
  bool selects_table(std::string_view database, std::string_view table) const;
  // The database passes `databases` and `exclude` (ignores `tables`).
  bool selects_database(std::string_view database) const;
  // Some `tables` pattern's database part (before its first ".") matches `database`.
  bool database_named_by_tables(std::string_view database) const;
};

}  // namespace mzl
