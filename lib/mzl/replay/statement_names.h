#pragma once
// The names in a logged SQL statement, for partial and renamed replays (replay_sql.h, ReplayFilter): a small
// lexer that knows MariaDB's quoting, enough to tell identifiers from string literals and comments.
// Strings '...' and "..." (backslash escapes, doubled quotes), `identifiers` (doubled backquotes), comments
// (-- and # to the end of the line, /* ... */; the executable comments /*! ... */ and /*M! ... */ are code).
#include <string>
#include <string_view>
#include <vector>

namespace mzl::replay {

// Every identifier of `sql` outside literals and comments, as written (unquoted) or inside backquotes
// (unescaped). Keywords are identifiers here too: callers look for names they know.
std::vector<std::string> statement_identifiers(std::string_view sql);

// `sql` with every database qualifier `from` (an identifier equal to `from`, then optional spaces and a '.')
// replaced by `to` in backquotes. Literals and comments are left alone. A table alias spelled like the
// database and used as a qualifier is renamed too (documented in man/mzl-pitr-restore.1).
std::string rename_database_qualifiers(std::string_view sql, const std::string& from, const std::string& to);

}  // namespace mzl::replay
