#pragma once
// SQL text that mzl builds for a server: quoting of string literals and identifiers and the system schemas;
// and, from util/table_filter.h, the one wildcard matcher and table filter of every program (syntax in
// man/mzl.7, "Table filters"). Quoting follows the MariaDB KB pages "Identifier Names" and "String Literals".
#include <string>
#include <string_view>

#include "mzl/util/table_filter.h"

namespace mzl::net {

// `name` quoted with backticks, any backtick doubled: a`b -> `a``b`.
std::string quote_identifier(std::string_view name);
// `db`.`table`
std::string qualified_name(std::string_view database, std::string_view table);
// A string literal for SQL: 'it''s' with backslashes doubled (works whatever NO_BACKSLASH_ESCAPES says).
std::string quote_string(std::string_view text);
// mysql, information_schema, performance_schema, sys: never dumped as user data.
bool is_system_schema(std::string_view database);

}  // namespace mzl::net
