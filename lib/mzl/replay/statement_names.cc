#include "mzl/replay/statement_names.h"

#include <cctype>
#include <functional>

#include "mzl/net/sql_text.h"

namespace mzl::replay {
namespace {

bool identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Walks `sql` and calls `token(begin, end, name)` for each identifier; literals and comments are skipped.
void for_each_identifier(std::string_view sql,
                         const std::function<void(size_t, size_t, std::string)>& token) {
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      for (++i; i < n; ++i) {
        if (sql[i] == '\\') {
          ++i;
        } else if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (c == '`') {
      const size_t begin = i;
      std::string name;
      for (++i; i < n; ++i) {
        if (sql[i] == '`') {
          if (i + 1 < n && sql[i + 1] == '`') {
            name += '`';
            ++i;
          } else {
            break;
          }
        } else {
          name += sql[i];
        }
      }
      ++i;
      token(begin, std::min(i, n), std::move(name));
    } else if (c == '#' || (c == '-' && i + 2 < n && sql[i + 1] == '-' &&
                            std::isspace(static_cast<unsigned char>(sql[i + 2])))) {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const bool executable =
          (i + 2 < n && sql[i + 2] == '!') || (i + 3 < n && sql[i + 2] == 'M' && sql[i + 3] == '!');
      if (executable) {
        i += sql[i + 2] == '!' ? 3 : 4;  // the version digits that may follow are a number: skipped below
        continue;
      }
      const size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
    } else if (identifier_char(c)) {
      const size_t begin = i;
      while (i < n && identifier_char(sql[i])) ++i;
      const std::string word(sql.substr(begin, i - begin));
      // A number (and a version number after /*!) is not an identifier.
      if (!std::isdigit(static_cast<unsigned char>(word[0])) ||
          word.find_first_not_of("0123456789") != std::string::npos) {
        token(begin, i, word);
      }
    } else {
      ++i;
    }
  }
}

}  // namespace

std::vector<std::string> statement_identifiers(std::string_view sql) {
  std::vector<std::string> out;
  for_each_identifier(sql, [&](size_t, size_t, std::string name) { out.push_back(std::move(name)); });
  return out;
}

std::string rename_database_qualifiers(std::string_view sql, const std::string& from, const std::string& to) {
  std::string out;
  size_t copied = 0;
  for_each_identifier(sql, [&](size_t begin, size_t end, const std::string& name) {
    if (name != from) return;
    size_t next = end;
    while (next < sql.size() && std::isspace(static_cast<unsigned char>(sql[next]))) ++next;
    if (next >= sql.size() || sql[next] != '.') return;
    out.append(sql.substr(copied, begin - copied));
    out += net::quote_identifier(to);
    copied = end;
  });
  out.append(sql.substr(copied));
  return out;
}

}  // namespace mzl::replay
