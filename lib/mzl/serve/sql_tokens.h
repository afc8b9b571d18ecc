#pragma once
// The tokens of the few statements a replica (or a client library) sends to the server it replicates from,
// for replica_queries.h. Lexical rules of the MariaDB KB pages "String Literals", "Identifier Names",
// "User-Defined Variables", "Server System Variables" (the @@scope.name form) and "Comment Syntax"; MySQL 8.0
// and 8.4 share them for these statements. Not a general SQL lexer: no hexadecimal, bit or national
// literals, no ANSI_QUOTES, no character set introducers.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/util/result.h"

namespace mzl::serve {

enum class TokenKind {
  kWord,            // keyword or unquoted identifier: text as written
  kQuotedName,      // `identifier`: text without the backticks, `` undoubled
  kString,          // 'text' or "text": text with quotes and escapes resolved
  kNumber,          // 12, 1.50, 3e9: text as written (a leading '-' is a separate kSymbol)
  kUserVariable,    // @name, @'name', @`name`: text is the name as written, without '@'
  kSystemVariable,  // @@name, @@global.name, @@session.name, @@local.name: text is the name, scope apart
  kSymbol,          // one of , ( ) = ; . * + - / < > ! and the pair :=
};

struct Token {
  TokenKind kind = TokenKind::kWord;
  std::string text;
  std::string scope;  // kSystemVariable only: "global", "session", "local" (lower case) or "" when none given
  size_t begin = 0;   // [begin, end) in the statement: the text as written, for column names and errors
  size_t end = 0;
};

// The statement's tokens, comments dropped (the content of MariaDB/MySQL executable comments, /*! ... */ and
// /*M! ... */, is kept, as the server runs it). An unterminated string, quoted name or comment is an Error
// (kInvalidArgument) whose offset is where it starts, so the caller can quote the text "near" it as the
// server's syntax error does.
Result<std::vector<Token>> tokenize_sql(std::string_view sql);

// ASCII case-insensitive equality, for keywords and variable names.
bool equals_ignoring_case(std::string_view a, std::string_view b);
std::string to_lower_ascii(std::string_view text);

}  // namespace mzl::serve
