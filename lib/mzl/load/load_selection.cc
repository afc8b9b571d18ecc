#include "mzl/load/load_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "mzl/net/sql_text.h"

namespace mzl::load {

namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         c >= 0x80;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A token of SQL text: a bare word, a `quoted` identifier (unquoted in `text`), a string literal, or one
// punctuation byte. Comments and white space are skipped.
struct Token {
  enum Kind { kWord, kQuoted, kString, kPunct } kind;
  std::string text;
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view sql) : sql_(sql) {}

  std::optional<Token> next() {
    skip_space_and_comments();
    if (pos_ >= sql_.size()) return std::nullopt;
    const char c = sql_[pos_];
    if (c == '`' || c == '\'' || c == '"') return quoted(c);
    if (is_word_byte(static_cast<unsigned char>(c))) {
      const size_t start = pos_;
      while (pos_ < sql_.size() && is_word_byte(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
      return Token{Token::kWord, std::string(sql_.substr(start, pos_ - start))};
    }
    ++pos_;
    return Token{Token::kPunct, std::string(1, c)};
  }

  size_t position() const { return pos_; }

 private:
  void skip_space_and_comments() {
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (sql_.substr(pos_, 2) == "/*") {
        const size_t end = sql_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? sql_.size() : end + 2;
      } else if (c == '#' || sql_.substr(pos_, 3) == "-- ") {
        const size_t end = sql_.find('\n', pos_);
        pos_ = end == std::string_view::npos ? sql_.size() : end + 1;
      } else {
        return;
      }
    }
  }

  // A quoted run; the quote doubled inside stands for itself, and in strings a backslash escapes a byte.
  Token quoted(char quote) {
    std::string text;
    ++pos_;
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_++];
      if (c == quote) {
        if (pos_ < sql_.size() && sql_[pos_] == quote) {
          text += quote;
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\\' && quote != '`' && pos_ < sql_.size()) {
        text += sql_[pos_++];
        continue;
      }
      text += c;
    }
    return Token{quote == '`' ? Token::kQuoted : Token::kString, std::move(text)};
  }

  std::string_view sql_;
  size_t pos_ = 0;
};

bool is_word(const std::optional<Token>& token, std::string_view word) {
  return token && token->kind == Token::kWord && equals_ignoring_case(token->text, word);
}

bool is_identifier(const std::optional<Token>& token) {
  return token && (token->kind == Token::kWord || token->kind == Token::kQuoted);
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::optional<std::string> trigger_table(std::string_view sql) {
  Tokenizer tokens(sql);
  std::optional<Token> t;
  while ((t = tokens.next()) && !is_word(t, "TRIGGER")) {
  }
  if (!t) return std::nullopt;
  while ((t = tokens.next()) && !is_word(t, "ON")) {
  }
  if (!t) return std::nullopt;
  std::optional<Token> name = tokens.next();
  if (!is_identifier(name)) return std::nullopt;
  Tokenizer after = tokens;
  std::optional<Token> dot = after.next();
  if (dot && dot->kind == Token::kPunct && dot->text == ".") {
    std::optional<Token> table = after.next();
    if (!is_identifier(table)) return std::nullopt;
    return table->text;
  }
  return name->text;
}

Result<std::string> create_database_statement(std::string_view sql, std::string_view new_name) {
  Tokenizer tokens(sql);
  if (!is_word(tokens.next(), "CREATE") || !is_word(tokens.next(), "DATABASE")) {
    return Error{ErrorCode::kCorrupt,
                 fmt::format("not a CREATE DATABASE statement: '{}'", sql.substr(0, 80))};
  }
  // "/*!32312 IF NOT EXISTS*/" is a comment to the tokenizer; a plain IF NOT EXISTS is skipped here.
  std::optional<Token> name = tokens.next();
  if (is_word(name, "IF")) {
    if (!is_word(tokens.next(), "NOT") || !is_word(tokens.next(), "EXISTS"))
      name.reset();
    else
      name = tokens.next();
  }
  if (!is_identifier(name)) {
    return Error{ErrorCode::kCorrupt, fmt::format("no database name in '{}'", sql.substr(0, 80))};
  }
  return fmt::format("CREATE DATABASE IF NOT EXISTS {}{}", net::quote_identifier(new_name),
                     sql.substr(tokens.position()));
}

Result<LoadSelection> LoadSelection::make(const std::vector<snapshot::SchemaObject>& objects,
                                          const SelectionOptions& options) {
  LoadSelection selection;
  selection.options_ = options;
  std::set<std::string> databases, qualified;
  for (const snapshot::SchemaObject& o : objects) {
    if (o.database.empty()) continue;
    databases.insert(o.database);
    if (o.kind == "table" || o.kind == "view") qualified.insert(o.database + "." + o.name);
  }
  // A pattern with wildcards may match nothing; an exact name must exist (as mzl-snapshot's filters do).
  for (const std::string& d : options.databases) {
    if (!has_wildcard(d) && !databases.count(d)) {
      return Error{ErrorCode::kNotFound,
                   fmt::format("the snapshot has no database {}", net::quote_identifier(d))};
    }
  }
  for (const std::string& t : options.tables) {
    if (!has_wildcard(t) && !qualified.count(t)) {
      return Error{ErrorCode::kNotFound,
                   fmt::format("the snapshot has no table or view '{}' (give it as db.name)", t)};
    }
  }
  std::set<std::string> new_names;
  for (const auto& [from, to] : options.rename_databases) {
    if (!databases.count(from)) {
      return Error{ErrorCode::kNotFound, fmt::format("cannot rename {}: the snapshot has no such database",
                                                     net::quote_identifier(from))};
    }
    if (to.empty()) {
      return Error{ErrorCode::kInvalidArgument,
                   fmt::format("empty new name for database {}", net::quote_identifier(from))};
    }
    if (!selection.renames_.emplace(from, to).second) {
      return Error{ErrorCode::kInvalidArgument,
                   fmt::format("database {} is renamed twice", net::quote_identifier(from))};
    }
    if (!new_names.insert(to).second) {
      return Error{ErrorCode::kInvalidArgument,
                   fmt::format("two databases are renamed to {}", net::quote_identifier(to))};
    }
  }
  for (const snapshot::SchemaObject& o : objects) {
    if ((o.kind == "table" || o.kind == "view") && selection.includes_table(o.database, o.name))
      selection.databases_with_tables_.insert(o.database);
  }
  std::vector<std::string> targets;
  for (const snapshot::SchemaObject& o : objects) {
    if (!o.database.empty() && selection.includes(o))
      targets.push_back(selection.target_database(o.database));
  }
  selection.target_databases_ = sorted_unique(std::move(targets));
  return selection;
}

bool LoadSelection::database_selected(const std::string& database) const {
  // Names and patterns match as in every program's table filters (util/table_filter.h, man/mzl.7).
  return options_.databases.empty() || matches_any(options_.databases, database);
}

bool LoadSelection::includes_table(std::string_view database, std::string_view table) const {
  const std::string d(database);
  if (!database_selected(d)) return false;
  if (options_.tables.empty()) return true;
  const std::string qualified = d + "." + std::string(table);
  return matches_any(options_.tables, qualified);
}

bool LoadSelection::includes(const snapshot::SchemaObject& o) const {
  if (o.kind == "user" || o.kind == "grant") return options_.users;
  if (!database_selected(o.database)) return false;
  if (options_.tables.empty()) return true;
  if (o.kind == "database") {
    return databases_with_tables_.count(o.database) > 0;
  }
  if (o.kind == "table" || o.kind == "view") return includes_table(o.database, o.name);
  if (o.kind == "trigger") {
    const std::optional<std::string> table = trigger_table(o.sql);
    return table && includes_table(o.database, *table);
  }
  return false;  // routines and events belong to the database, not to a table
}

const std::string& LoadSelection::target_database(const std::string& database) const {
  const auto it = renames_.find(database);
  return it == renames_.end() ? database : it->second;
}

}  // namespace mzl::load
