#include "mzl/serve/replica_queries.h"

#include <fmt/format.h>

#include <algorithm>

#include "mzl/serve/served_variables.h"
#include "mzl/serve/sql_tokens.h"
#include "mzl/util/parse_number.h"

namespace mzl::serve {
namespace {

// Error codes, SQLSTATEs and texts of MariaDB 10.11 sql/share/errmsg-utf8.txt (the same in MySQL 8.0/8.4
// share/messages_to_clients.txt, with "MySQL" for "MariaDB").
constexpr uint16_t kErBadField = 1054;               // 42S22
constexpr uint16_t kErParseError = 1064;             // 42000
constexpr uint16_t kErEmptyQuery = 1065;             // 42000
constexpr uint16_t kErUnknownSystemVariable = 1193;  // HY000
constexpr uint16_t kErSpecificAccessDenied = 1227;   // 42000
constexpr uint16_t kErNotSupportedYet = 1235;        // 42000
constexpr size_t kNearTextLimit = 80;                // ER_PARSE_ERROR's "near '%-.80s'"
constexpr size_t kNotSupportedTextLimit = 64;

QueryAnswer error_answer(uint16_t code, std::string sqlstate, std::string message) {
  QueryAnswer a;
  a.kind = QueryAnswer::Kind::kError;
  a.error_code = code;
  a.sqlstate = std::move(sqlstate);
  a.message = std::move(message);
  return a;
}

QueryAnswer ok_answer() {
  return QueryAnswer{};
}

std::string product(const ServedServer& server) {
  return is_mysql(server) ? "MySQL" : "MariaDB";
}

// ER_PARSE_ERROR quoting the statement from byte `at` (the rest of it, as the server does), on its line.
QueryAnswer syntax_error_at(std::string_view sql, size_t at, const ServedServer& server) {
  const size_t line = 1 + static_cast<size_t>(std::count(sql.begin(), sql.begin() + at, '\n'));
  const std::string_view near = sql.substr(at, kNearTextLimit);
  return error_answer(
      kErParseError, "42000",
      fmt::format("You have an error in your SQL syntax; check the manual that corresponds to "
                  "your {} server version for the right syntax to use near '{}' at line {}",
                  product(server), near, line));
}

// First words of statements the server knows and the served archive does not run (1235, not 1064).
bool is_statement_keyword(std::string_view word) {
  for (std::string_view w :
       {"ALTER",    "ANALYZE", "BACKUP",  "BEGIN",      "BINLOG",   "CALL",     "CHANGE",    "CHECK",
        "CHECKSUM", "COMMIT",  "CREATE",  "DEALLOCATE", "DELETE",   "DESC",     "DESCRIBE",  "DO",
        "DROP",     "EXECUTE", "EXPLAIN", "FLUSH",      "GET",      "GRANT",    "HANDLER",   "HELP",
        "INSERT",   "INSTALL", "LOAD",    "LOCK",       "OPTIMIZE", "PREPARE",  "PURGE",     "RELEASE",
        "RENAME",   "REPAIR",  "REPLACE", "RESET",      "RESIGNAL", "REVOKE",   "ROLLBACK",  "SAVEPOINT",
        "SHUTDOWN", "SIGNAL",  "START",   "STOP",       "TABLE",    "TRUNCATE", "UNINSTALL", "UNLOCK",
        "UPDATE",   "USE",     "VALUES",  "WITH",       "XA"}) {
    if (equals_ignoring_case(word, w)) return true;
  }
  return false;
}

// One expression of a SELECT list or the right side of an assignment: its value, or the error evaluating it
// gives. Errors are kept until the whole statement has parsed, as the server reports a syntax error first.
struct Expression {
  std::optional<std::string> value;
  std::optional<QueryAnswer> error;
  size_t begin = 0, end = 0;  // the text as written
  bool string_literal = false;
};

// A parsed statement's answer. Token positions index `tokens_`; a missing token (the end) reads as kEnd.
class StatementAnswerer {
 public:
  StatementAnswerer(std::string_view sql, std::vector<Token> tokens, const ServedServer& server,
                    ReplicaSession& session, std::chrono::system_clock::time_point now)
      : sql_(sql), tokens_(std::move(tokens)), server_(server), session_(session), now_(now) {}

  QueryAnswer answer() {
    while (!tokens_.empty() && is_symbol(tokens_.size() - 1, ";")) tokens_.pop_back();
    if (tokens_.empty()) return error_answer(kErEmptyQuery, "42000", "Query was empty");
    if (tokens_[0].kind != TokenKind::kWord) return syntax_error();
    if (accept_word("SELECT")) return answer_select();
    if (accept_word("SET")) return answer_set();
    if (accept_word("SHOW")) return answer_show();
    if (accept_word("KILL")) return answer_kill();
    if (!is_statement_keyword(tokens_[0].text)) return syntax_error();
    return not_supported(tokens_[0].begin, tokens_.back().end);
  }

 private:
  // --- token access ---
  bool at_end() const { return pos_ >= tokens_.size(); }
  const Token* peek(size_t ahead = 0) const {
    return pos_ + ahead < tokens_.size() ? &tokens_[pos_ + ahead] : nullptr;
  }
  bool is_symbol(size_t index, std::string_view s) const {
    return index < tokens_.size() && tokens_[index].kind == TokenKind::kSymbol && tokens_[index].text == s;
  }
  bool is_word(size_t index, std::string_view w) const {
    return index < tokens_.size() && tokens_[index].kind == TokenKind::kWord &&
           equals_ignoring_case(tokens_[index].text, w);
  }
  bool accept_word(std::string_view w) {
    if (!is_word(pos_, w)) return false;
    ++pos_;
    return true;
  }
  bool accept_symbol(std::string_view s) {
    if (!is_symbol(pos_, s)) return false;
    ++pos_;
    return true;
  }
  size_t end_of_previous() const { return pos_ == 0 ? 0 : tokens_[pos_ - 1].end; }

  // --- answers ---
  // ER_PARSE_ERROR near the current token: the rest of the statement, as the server quotes it.
  QueryAnswer syntax_error() const {
    size_t at = at_end() ? sql_.size() : tokens_[pos_].begin;
    if (is_symbol(pos_, ";") && pos_ + 1 < tokens_.size())
      at = tokens_[pos_ + 1].begin;  // a second statement
    return syntax_error_at(sql_, at, server_);
  }
  QueryAnswer not_supported(size_t begin, size_t end) const {
    std::string what(sql_.substr(begin, end - begin));
    if (what.size() > kNotSupportedTextLimit) what = what.substr(0, kNotSupportedTextLimit);
    return error_answer(kErNotSupportedYet, "42000",
                        fmt::format("This version of {} doesn't yet support '{}'", product(server_), what));
  }
  QueryAnswer unknown_variable(std::string_view name) const {
    return error_answer(kErUnknownSystemVariable, "HY000", fmt::format("Unknown system variable '{}'", name));
  }
  QueryAnswer access_denied() const {
    return error_answer(kErSpecificAccessDenied, "42000",
                        fmt::format("Access denied; you need (at least one of) the {} privilege(s) for this "
                                    "operation",
                                    is_mysql(server_) ? "SUPER or SYSTEM_VARIABLES_ADMIN" : "SUPER"));
  }

  // --- expressions ---
  // The tokens from pos_ to the end of the current list item (a ',' outside parentheses, FROM, LIMIT or the
  // end), consumed, as an expression we do not evaluate.
  Expression unsupported_expression(size_t begin) {
    int depth = 0;
    while (!at_end()) {
      if (depth == 0 &&
          (is_symbol(pos_, ",") || is_symbol(pos_, ";") || is_word(pos_, "FROM") || is_word(pos_, "LIMIT")))
        break;
      if (is_symbol(pos_, "(")) ++depth;
      if (is_symbol(pos_, ")")) --depth;
      ++pos_;
    }
    Expression e;
    e.begin = begin;
    e.end = end_of_previous();
    e.error = not_supported(e.begin, e.end);
    return e;
  }

  // A literal, a variable or one of the few functions replicas call; nullopt after a syntax error.
  std::optional<Expression> primary() {
    const Token* t = peek();
    if (!t) return std::nullopt;
    Expression e;
    e.begin = t->begin;
    if (t->kind == TokenKind::kNumber) {
      e.value = t->text;
    } else if (t->kind == TokenKind::kSymbol && t->text == "-" && peek(1) &&
               peek(1)->kind == TokenKind::kNumber) {
      ++pos_;
      e.value = "-" + peek()->text;
    } else if (t->kind == TokenKind::kString) {
      e.value = t->text;
      e.string_literal = true;
    } else if (t->kind == TokenKind::kUserVariable) {
      auto it = session_.variables.find(to_lower_ascii(t->text));
      if (it != session_.variables.end()) e.value = it->second;
    } else if (t->kind == TokenKind::kSystemVariable) {
      auto v = find_served_variable(server_, t->text);
      if (v) {
        e.value = v->selected_value();
      } else {
        e.error = unknown_variable(t->text);
      }
    } else if (t->kind == TokenKind::kWord && is_symbol(pos_ + 1, "(")) {
      return function_call();
    } else if (t->kind == TokenKind::kWord && equals_ignoring_case(t->text, "NULL")) {
      e.value = std::nullopt;
    } else if (t->kind == TokenKind::kWord &&
               (equals_ignoring_case(t->text, "TRUE") || equals_ignoring_case(t->text, "FALSE"))) {
      e.value = equals_ignoring_case(t->text, "TRUE") ? "1" : "0";
    } else if (t->kind == TokenKind::kWord || t->kind == TokenKind::kQuotedName) {
      // A column reference: there is no table.
      e.error =
          error_answer(kErBadField, "42S22", fmt::format("Unknown column '{}' in 'field list'", t->text));
    } else {
      return std::nullopt;
    }
    ++pos_;
    e.end = end_of_previous();
    return e;
  }

  // name(...) at pos_: UNIX_TIMESTAMP(), VERSION(), DATABASE()/SCHEMA() and MariaDB's binlog_gtid_pos(f, p);
  // any other function (or these with other arguments) is not supported.
  std::optional<Expression> function_call() {
    const size_t begin = tokens_[pos_].begin;
    const std::string name = to_lower_ascii(tokens_[pos_].text);
    pos_ += 2;  // name (
    Expression e;
    e.begin = begin;
    if (accept_symbol(")")) {
      if (name == "unix_timestamp") {
        e.value =
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count());
      } else if (name == "version") {
        e.value = server_.server_version;
      } else if (name == "database" || name == "schema") {
        e.value = std::nullopt;
      } else {
        e.error = not_supported(begin, end_of_previous());
      }
      e.end = end_of_previous();
      return e;
    }
    if (name == "binlog_gtid_pos" && !is_mysql(server_)) {
      // The GTID position at a file and offset: the replica loads a non-NULL answer into gtid_slave_pos and
      // ignores NULL (sql/slave.cc). Answering it would need the archive; NULL keeps the replica's own state.
      auto file = primary();
      if (!file) return std::nullopt;
      if (!accept_symbol(",")) return std::nullopt;
      auto offset = primary();
      if (!offset || !accept_symbol(")")) return std::nullopt;
      e.error = file->error ? file->error : offset->error;
      e.end = end_of_previous();
      return e;
    }
    pos_ -= 2;
    return unsupported_expression(begin);
  }

  // --- SELECT ---
  QueryAnswer answer_select() {
    std::vector<Expression> items;
    std::vector<std::string> columns;
    do {
      const size_t begin = at_end() ? sql_.size() : tokens_[pos_].begin;
      auto e = primary();
      if (!e) return syntax_error();
      if (!at_end() && !is_symbol(pos_, ",") && !is_symbol(pos_, ";") && !is_clause_keyword(pos_) &&
          !is_alias(pos_)) {
        e = unsupported_expression(begin);  // an operator or more after the first term
      }
      std::string column =
          e->string_literal ? *e->value : std::string(sql_.substr(e->begin, e->end - e->begin));
      const bool as = accept_word("AS");
      if (as || is_alias(pos_)) {
        if (!is_alias(pos_)) return syntax_error();
        column = tokens_[pos_++].text;
      }
      columns.push_back(std::move(column));
      items.push_back(std::move(*e));
    } while (accept_symbol(","));
    if (accept_word("FROM")) {
      if (!accept_word("DUAL")) return not_supported(tokens_[pos_ - 1].begin, tokens_.back().end);
    }
    size_t offset = 0, count = 1;
    if (accept_word("LIMIT")) {
      auto first = limit_number();
      if (!first) return syntax_error();
      count = *first;
      if (accept_symbol(",")) {
        auto second = limit_number();
        if (!second) return syntax_error();
        offset = *first;
        count = *second;
      } else if (accept_word("OFFSET")) {
        auto second = limit_number();
        if (!second) return syntax_error();
        offset = *second;
      }
    }
    if (is_clause_keyword(pos_)) return not_supported(tokens_[0].begin, tokens_.back().end);
    if (!at_end()) return syntax_error();
    for (auto& e : items) {
      if (e.error) return std::move(*e.error);
    }
    QueryAnswer a;
    a.kind = QueryAnswer::Kind::kResultSet;
    a.columns = std::move(columns);
    if (offset == 0 && count > 0) {
      auto& row = a.rows.emplace_back();
      for (auto& e : items) row.push_back(std::move(e.value));
    }
    return a;
  }

  // A keyword that may follow a SELECT list: not an alias.
  bool is_clause_keyword(size_t index) const {
    for (std::string_view w : {"AS", "FROM", "LIMIT", "WHERE", "GROUP", "HAVING", "ORDER", "INTO", "UNION",
                               "FOR", "LOCK", "PROCEDURE", "WINDOW"}) {
      if (is_word(index, w)) return true;
    }
    return false;
  }

  // An alias without AS: a name that is not a keyword of what may follow.
  bool is_alias(size_t index) const {
    if (index >= tokens_.size()) return false;
    const Token& t = tokens_[index];
    if (t.kind == TokenKind::kQuotedName || t.kind == TokenKind::kString) return true;
    return t.kind == TokenKind::kWord && !is_clause_keyword(index);
  }

  std::optional<size_t> limit_number() {
    const Token* t = peek();
    if (!t || t->kind != TokenKind::kNumber) return std::nullopt;
    auto n = parse_uint(t->text, "LIMIT");
    if (!n) return std::nullopt;
    ++pos_;
    return static_cast<size_t>(*n);
  }

  // --- SET ---
  struct Assignment {
    std::string key;  // session key: "name" for @name, "@@name" for a session system variable
    bool global = false;
    Expression value;
  };

  QueryAnswer answer_set() {
    if (is_word(pos_, "STATEMENT")) return not_supported(tokens_[0].begin, tokens_.back().end);
    std::string scope = "session";  // sticky: a GLOBAL or SESSION keyword holds for what follows it
    std::vector<Assignment> assignments;
    do {
      if (accept_word("GLOBAL")) {
        scope = "global";
      } else if (accept_word("SESSION") || accept_word("LOCAL")) {
        scope = "session";
      }
      // SET [GLOBAL | SESSION] TRANSACTION ISOLATION LEVEL ...: no transactions here.
      if (accept_word("TRANSACTION")) {
        if (scope == "global") return access_denied();
        return ok_answer();
      }
      if (accept_word("NAMES") || accept_word("CHARSET") ||
          (accept_word("CHARACTER") && accept_word("SET"))) {
        if (!peek() || (peek()->kind != TokenKind::kWord && peek()->kind != TokenKind::kString))
          return syntax_error();
        ++pos_;  // the character set; the connection's is not the archive's business
        if (accept_word("COLLATE")) {
          if (!peek()) return syntax_error();
          ++pos_;
        }
        continue;
      }
      const Token* target = peek();
      if (!target) return syntax_error();
      Assignment a;
      if (target->kind == TokenKind::kUserVariable) {
        a.key = to_lower_ascii(target->text);
      } else if (target->kind == TokenKind::kSystemVariable) {
        a.key = "@@" + to_lower_ascii(target->text);
        a.global = target->scope == "global" || (target->scope.empty() && scope == "global");
      } else if (target->kind == TokenKind::kWord) {
        a.key = "@@" + to_lower_ascii(target->text);
        a.global = scope == "global";
      } else {
        return syntax_error();
      }
      ++pos_;
      if (!accept_symbol("=") && !accept_symbol(":=")) return syntax_error();
      auto value = assigned_value(target->kind != TokenKind::kUserVariable);
      if (!value) return syntax_error();
      a.value = std::move(*value);
      assignments.push_back(std::move(a));
    } while (accept_symbol(","));
    if (!at_end()) return syntax_error();
    for (auto& a : assignments) {
      if (a.value.error) return std::move(*a.value.error);
    }
    for (auto& a : assignments) {
      if (a.global) return access_denied();
    }
    for (auto& a : assignments) {
      if (a.value.value) {
        session_.variables[a.key] = *a.value.value;
      } else {
        session_.variables.erase(a.key);
      }
    }
    return ok_answer();
  }

  // The right side of an assignment. A system variable also takes a bare word (ON, OFF, DEFAULT, utf8mb4).
  std::optional<Expression> assigned_value(bool system_variable) {
    const Token* t = peek();
    if (!t) return std::nullopt;
    const bool last_term = pos_ + 1 == tokens_.size() || is_symbol(pos_ + 1, ",");
    if (system_variable && t->kind == TokenKind::kWord && last_term &&
        !equals_ignoring_case(t->text, "NULL") && !equals_ignoring_case(t->text, "TRUE") &&
        !equals_ignoring_case(t->text, "FALSE")) {
      Expression e;
      e.begin = t->begin;
      e.end = t->end;
      e.value = t->text;
      ++pos_;
      return e;
    }
    const size_t begin = t->begin;
    auto e = primary();
    if (!e) return std::nullopt;
    if (!at_end() && !is_symbol(pos_, ",")) return unsupported_expression(begin);
    return e;
  }

  // --- SHOW ---
  QueryAnswer answer_show() {
    const size_t begin = tokens_[0].begin;
    const bool scoped = accept_word("GLOBAL") || accept_word("SESSION") || accept_word("LOCAL");
    if (accept_word("VARIABLES")) {
      std::optional<std::string> pattern;
      if (accept_word("LIKE")) {
        if (!peek() || peek()->kind != TokenKind::kString) return syntax_error();
        pattern = tokens_[pos_++].text;
      } else if (is_word(pos_, "WHERE")) {
        return not_supported(begin, tokens_.back().end);
      }
      if (!at_end()) return syntax_error();
      QueryAnswer a;
      a.kind = QueryAnswer::Kind::kResultSet;
      a.columns = {"Variable_name", "Value"};
      for (auto& v : served_variables(server_)) {
        if (!pattern || like_match(*pattern, v.name)) a.rows.push_back({v.name, v.value});
      }
      return a;
    }
    if (!scoped && (accept_word("WARNINGS") || accept_word("ERRORS"))) {
      // Nothing here leaves a warning behind.
      QueryAnswer a;
      a.kind = QueryAnswer::Kind::kResultSet;
      a.columns = {"Level", "Code", "Message"};
      return a;
    }
    return not_supported(begin, tokens_.back().end);
  }

  // SQL LIKE as SHOW VARIABLES applies it: % any run, _ one character, \ escapes, case-insensitive.
  static bool like_match(std::string_view pattern, std::string_view text) {
    if (pattern.empty()) return text.empty();
    if (pattern[0] == '%') {
      for (size_t skip = 0; skip <= text.size(); ++skip) {
        if (like_match(pattern.substr(1), text.substr(skip))) return true;
      }
      return false;
    }
    if (text.empty()) return false;
    if (pattern[0] == '_') return like_match(pattern.substr(1), text.substr(1));
    size_t width = 1;
    if (pattern[0] == '\\' && pattern.size() > 1) width = 2;
    if (!equals_ignoring_case(pattern.substr(width - 1, 1), text.substr(0, 1))) return false;
    return like_match(pattern.substr(width), text.substr(1));
  }

  // --- KILL ---
  QueryAnswer answer_kill() {
    if (!accept_word("HARD")) accept_word("SOFT");
    if (!accept_word("CONNECTION")) accept_word("QUERY");
    if (!peek() || peek()->kind != TokenKind::kNumber || !parse_uint(peek()->text, "connection id"))
      return syntax_error();
    ++pos_;
    if (!at_end()) return syntax_error();
    return ok_answer();
  }

  std::string_view sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  const ServedServer& server_;
  ReplicaSession& session_;
  std::chrono::system_clock::time_point now_;
};

}  // namespace

QueryAnswer answer_replica_query(std::string_view sql, const ServedServer& server, ReplicaSession& session,
                                 std::chrono::system_clock::time_point now) {
  auto tokens = tokenize_sql(sql);
  if (!tokens) {
    // Quoted from where the unterminated string or comment starts, as the server's parser does.
    return syntax_error_at(sql, static_cast<size_t>(tokens.error().offset.value_or(0)), server);
  }
  return StatementAnswerer(sql, std::move(*tokens), server, session, now).answer();
}

std::optional<uint64_t> killed_connection_id(std::string_view sql) {
  auto tokens = tokenize_sql(sql);
  if (!tokens) return std::nullopt;
  auto& t = *tokens;
  while (!t.empty() && t.back().kind == TokenKind::kSymbol && t.back().text == ";") t.pop_back();
  size_t i = 0;
  auto word = [&](std::string_view w) {
    if (i < t.size() && t[i].kind == TokenKind::kWord && equals_ignoring_case(t[i].text, w)) {
      ++i;
      return true;
    }
    return false;
  };
  if (!word("KILL")) return std::nullopt;
  if (!word("HARD")) word("SOFT");
  word("CONNECTION");
  if (i + 1 != t.size() || t[i].kind != TokenKind::kNumber) return std::nullopt;
  auto id = parse_uint(t[i].text, "connection id");
  if (!id) return std::nullopt;
  return *id;
}

}  // namespace mzl::serve
