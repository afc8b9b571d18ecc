#include "mzl/serve/sql_tokens.h"

#include <cctype>

namespace mzl::serve {
namespace {

bool is_name_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

Error unterminated(std::string_view what, size_t at) {
  Error e(ErrorCode::kInvalidArgument, "unterminated " + std::string(what));
  e.offset = at;
  return e;
}

class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  Result<std::vector<Token>> run() {
    while (true) {
      if (auto skipped = skip_space_and_comments(); !skipped) return skipped.error();
      if (pos_ >= sql_.size()) break;
      auto token = next();
      if (!token) return token.error();
      tokens_.push_back(std::move(*token));
    }
    return std::move(tokens_);
  }

 private:
  bool at(std::string_view s) const { return sql_.substr(pos_, s.size()) == s; }

  Status skip_space_and_comments() {
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_];
      if (is_space(c)) {
        ++pos_;
      } else if (c == '#' || (at("--") && (pos_ + 2 == sql_.size() || is_space(sql_[pos_ + 2])))) {
        while (pos_ < sql_.size() && sql_[pos_] != '\n') ++pos_;
      } else if (at("/*!") || at("/*M!")) {
        // Executable comment: its content is part of the statement; the version number is not.
        pos_ += at("/*!") ? 3 : 4;
        while (pos_ < sql_.size() && is_digit(sql_[pos_])) ++pos_;
        ++open_executable_comments_;
      } else if (at("*/") && open_executable_comments_ > 0) {
        pos_ += 2;
        --open_executable_comments_;
      } else if (at("/*")) {
        const size_t start = pos_;
        const size_t close = sql_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) return unterminated("comment", start);
        pos_ = close + 2;
      } else {
        break;
      }
    }
    return ok_status();
  }

  Result<Token> next() {
    Token t;
    t.begin = pos_;
    const char c = sql_[pos_];
    if (c == '\'' || c == '"') {
      t.kind = TokenKind::kString;
      auto text = quoted(c, /*backslash_escapes=*/true);
      if (!text) return text.error();
      t.text = std::move(*text);
    } else if (c == '`') {
      t.kind = TokenKind::kQuotedName;
      auto text = quoted('`', false);
      if (!text) return text.error();
      t.text = std::move(*text);
    } else if (at("@@")) {
      t.kind = TokenKind::kSystemVariable;
      pos_ += 2;
      t.text = name();
      for (std::string_view scope : {"global", "session", "local"}) {
        if (equals_ignoring_case(t.text, scope) && pos_ < sql_.size() && sql_[pos_] == '.') {
          ++pos_;
          t.scope = std::string(scope);
          t.text = name();
          break;
        }
      }
    } else if (c == '@') {
      t.kind = TokenKind::kUserVariable;
      ++pos_;
      if (pos_ < sql_.size() && (sql_[pos_] == '\'' || sql_[pos_] == '"' || sql_[pos_] == '`')) {
        auto text = quoted(sql_[pos_], sql_[pos_] != '`');
        if (!text) return text.error();
        t.text = std::move(*text);
      } else {
        // User variable names may contain '.', unlike identifiers (MariaDB KB "User-Defined Variables").
        while (pos_ < sql_.size() && (is_name_char(sql_[pos_]) || sql_[pos_] == '.')) ++pos_;
        t.text = std::string(sql_.substr(t.begin + 1, pos_ - t.begin - 1));
      }
    } else if (is_digit(c) || (c == '.' && pos_ + 1 < sql_.size() && is_digit(sql_[pos_ + 1]))) {
      t.kind = TokenKind::kNumber;
      number();
      t.text = std::string(sql_.substr(t.begin, pos_ - t.begin));
    } else if (is_name_char(c)) {
      t.kind = TokenKind::kWord;
      t.text = name();
    } else {
      t.kind = TokenKind::kSymbol;
      const size_t length = at(":=") ? 2 : 1;
      t.text = std::string(sql_.substr(pos_, length));
      pos_ += length;
    }
    t.end = pos_;
    return t;
  }

  std::string name() {
    const size_t start = pos_;
    while (pos_ < sql_.size() && is_name_char(sql_[pos_])) ++pos_;
    return std::string(sql_.substr(start, pos_ - start));
  }

  void number() {
    while (pos_ < sql_.size() && is_digit(sql_[pos_])) ++pos_;
    if (pos_ < sql_.size() && sql_[pos_] == '.') {
      ++pos_;
      while (pos_ < sql_.size() && is_digit(sql_[pos_])) ++pos_;
    }
    if (pos_ < sql_.size() && (sql_[pos_] == 'e' || sql_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < sql_.size() && (sql_[p] == '+' || sql_[p] == '-')) ++p;
      if (p < sql_.size() && is_digit(sql_[p])) {
        pos_ = p;
        while (pos_ < sql_.size() && is_digit(sql_[pos_])) ++pos_;
      }
    }
  }

  // The text between `quote` characters from pos_ (which is at the opening quote); a doubled quote stands
  // for one. With backslash escapes as in MariaDB KB "String Literals": \% and \_ keep their backslash (LIKE
  // patterns need it), an unknown escape is the character itself.
  Result<std::string> quoted(char quote, bool backslash_escapes) {
    const size_t start = pos_;
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
        return text;
      }
      if (c == '\\' && backslash_escapes && pos_ < sql_.size()) {
        const char e = sql_[pos_++];
        switch (e) {
          case '0':
            text += '\0';
            break;
          case 'b':
            text += '\b';
            break;
          case 'n':
            text += '\n';
            break;
          case 'r':
            text += '\r';
            break;
          case 't':
            text += '\t';
            break;
          case 'Z':
            text += '\x1a';
            break;
          case '%':
          case '_':
            text += '\\';
            text += e;
            break;
          default:
            text += e;
        }
        continue;
      }
      text += c;
    }
    return unterminated(quote == '`' ? "quoted name" : "string", start);
  }

  std::string_view sql_;
  size_t pos_ = 0;
  int open_executable_comments_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::vector<Token>> tokenize_sql(std::string_view sql) {
  return Lexer(sql).run();
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string to_lower_ascii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

}  // namespace mzl::serve
