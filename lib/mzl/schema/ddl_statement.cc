#include "mzl/schema/ddl_statement.h"

#include <algorithm>
#include <cctype>

#include "mzl/net/sql_text.h"

namespace mzl::schema {

namespace {

struct Token {
  enum Kind { kWord, kQuotedName, kString, kPunct } kind = kPunct;
  std::string text;  // a name unquoted; a word as written
  size_t begin = 0, end = 0;
};

bool word_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

// Splits the statement into tokens, dropping white space and comments. An executable comment's markers
// ("/*!50100", "/*M!100100", its "*/") are dropped and its content kept.
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  int executable_depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '#' || (c == '-' && s.substr(i, 2) == "--" &&
                            (i + 2 == s.size() || std::isspace(static_cast<unsigned char>(s[i + 2]))))) {
      i = s.find('\n', i);
      if (i == std::string_view::npos) i = s.size();
    } else if (s.substr(i, 3) == "/*!" || s.substr(i, 4) == "/*M!") {
      i += s[i + 2] == 'M' ? 4 : 3;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      ++executable_depth;
    } else if (s.substr(i, 2) == "/*") {
      i = s.find("*/", i + 2);
      i = i == std::string_view::npos ? s.size() : i + 2;
    } else if (executable_depth > 0 && s.substr(i, 2) == "*/") {
      i += 2;
      --executable_depth;
    } else if (c == '`') {
      Token t{Token::kQuotedName, "", i, 0};
      for (++i; i < s.size(); ++i) {
        if (s[i] == '`') {
          if (i + 1 < s.size() && s[i + 1] == '`') {
            t.text += '`';
            ++i;
            continue;
          }
          break;
        }
        t.text += s[i];
      }
      t.end = std::min(i + 1, s.size());
      i = t.end;
      tokens.push_back(std::move(t));
    } else if (c == '\'' || c == '"') {
      Token t{Token::kString, "", i, 0};
      for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
          ++i;
        } else if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) {
            ++i;
            continue;
          }
          break;
        }
      }
      t.end = std::min(i + 1, s.size());
      i = t.end;
      tokens.push_back(std::move(t));
    } else if (word_char(static_cast<unsigned char>(c))) {
      Token t{Token::kWord, "", i, 0};
      while (i < s.size() && word_char(static_cast<unsigned char>(s[i]))) ++i;
      t.end = i;
      t.text = std::string(s.substr(t.begin, i - t.begin));
      tokens.push_back(std::move(t));
    } else {
      tokens.push_back(Token{Token::kPunct, std::string(1, c), i, i + 1});
      ++i;
    }
  }
  return tokens;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool is_name(const Token& t) {
  if (t.kind == Token::kQuotedName) return true;
  return t.kind == Token::kWord && !std::all_of(t.text.begin(), t.text.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c));
         });
}

// The upper-cased words at the start of the statement, stopping at the first token that is not a word.
class Keywords {
 public:
  explicit Keywords(const std::vector<Token>& tokens) : tokens_(tokens) {}
  bool next_is(std::string_view word) const {
    return at_ < tokens_.size() && tokens_[at_].kind == Token::kWord && upper(tokens_[at_].text) == word;
  }
  bool take(std::string_view word) {
    if (!next_is(word)) return false;
    ++at_;
    return true;
  }
  size_t position() const { return at_; }

 private:
  const std::vector<Token>& tokens_;
  size_t at_ = 0;
};

DdlStatement database_statement(const std::vector<Token>& tokens, Keywords& k, DdlKind kind) {
  if (kind == DdlKind::kCreateDatabase) {
    if (k.take("IF")) k.take("NOT"), k.take("EXISTS");
  } else if (k.take("IF")) {
    k.take("EXISTS");
  }
  const size_t at = k.position();
  if (at >= tokens.size() || !is_name(tokens[at])) return {};
  return DdlStatement{kind, tokens[at].text, tokens[at].end};
}

DdlStatement table_statement() {
  DdlStatement statement;
  statement.kind = DdlKind::kTable;
  return statement;
}

}  // namespace

DdlStatement classify_ddl(std::string_view statement) {
  const std::vector<Token> tokens = tokenize(statement);
  Keywords k(tokens);
  if (k.take("CREATE")) {
    if (k.take("OR")) k.take("REPLACE");
    if (k.take("DATABASE") || k.take("SCHEMA"))
      return database_statement(tokens, k, DdlKind::kCreateDatabase);
    if (k.next_is("TEMPORARY")) return {};
    if (k.take("TABLE")) return table_statement();
    k.take("ONLINE") || k.take("OFFLINE");
    k.take("UNIQUE") || k.take("FULLTEXT") || k.take("SPATIAL");
    if (k.take("INDEX")) return table_statement();
    return {};
  }
  if (k.take("DROP")) {
    if (k.take("DATABASE") || k.take("SCHEMA")) return database_statement(tokens, k, DdlKind::kDropDatabase);
    if (k.next_is("TEMPORARY")) return {};
    k.take("ONLINE") || k.take("OFFLINE");
    if (k.take("TABLE") || k.take("TABLES") || k.take("INDEX")) return table_statement();
    return {};
  }
  if (k.take("ALTER")) {
    k.take("ONLINE") || k.take("OFFLINE");
    k.take("IGNORE");
    if (k.take("TABLE")) return table_statement();
    return {};
  }
  if (k.take("RENAME")) {
    if (k.take("TABLE") || k.take("TABLES")) return table_statement();
  }
  return {};
}

RewrittenStatement rewrite_databases(
    std::string_view statement, const std::function<std::string(std::string_view database)>& replacement) {
  const std::vector<Token> tokens = tokenize(statement);
  RewrittenStatement out;
  size_t copied = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (is_name(t)) out.identifiers.push_back(t.text);
    const bool qualifier = is_name(t) && i + 2 < tokens.size() && tokens[i + 1].text == "." &&
                           tokens[i + 1].kind == Token::kPunct && is_name(tokens[i + 2]) &&
                           (i == 0 || tokens[i - 1].text != ".");
    if (!qualifier) continue;
    if (std::find(out.databases.begin(), out.databases.end(), t.text) == out.databases.end()) {
      out.databases.push_back(t.text);
    }
    const std::string name = replacement(t.text);
    if (name.empty()) continue;
    out.sql.append(statement.substr(copied, t.begin - copied));
    out.sql += net::quote_identifier(name);
    copied = t.end;
  }
  out.sql.append(statement.substr(copied));
  return out;
}

}  // namespace mzl::schema
