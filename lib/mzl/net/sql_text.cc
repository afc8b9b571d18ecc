#include "mzl/net/sql_text.h"

namespace mzl::net {

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string qualified_name(std::string_view database, std::string_view table) {
  return quote_identifier(database) + "." + quote_identifier(table);
}

std::string quote_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

bool is_system_schema(std::string_view database) {
  return database == "mysql" || database == "information_schema" || database == "performance_schema" ||
         database == "sys";
}

}  // namespace mzl::net
