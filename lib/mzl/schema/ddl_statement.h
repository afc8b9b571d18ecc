#pragma once
// What a statement of a QUERY event does to table definitions, and the statement with its database names
// replaced, so that schema_tracker.h can replay it against a scratch copy of the schema on the same server
// (the server's own parser then decides what it means). Only the lexical structure is read here: comments
// (-- , #, /* */; the executable /*! */ and /*M! */ count as code), quoted strings, `quoted` and bare
// identifiers (https://mariadb.com/kb/en/identifier-names/,
// https://dev.mysql.com/doc/refman/8.0/en/comments.html).
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mzl::schema {

enum class DdlKind {
  kNone,   // changes no table definition (DML, GRANT, views, routines, TEMPORARY tables, TRUNCATE ...)
  kTable,  // CREATE/ALTER/DROP/RENAME TABLE, CREATE/DROP INDEX: replayed on the scratch schema
  kCreateDatabase,  // CREATE DATABASE/SCHEMA
  kDropDatabase,    // DROP DATABASE/SCHEMA
};

struct DdlStatement {
  DdlKind kind = DdlKind::kNone;
  std::string database;  // kCreateDatabase / kDropDatabase: the database named
  // kCreateDatabase: where the name ends in the statement (its options follow: CHARACTER SET ...).
  size_t after_name = 0;
};

DdlStatement classify_ddl(std::string_view statement);

struct RewrittenStatement {
  std::string sql;
  std::vector<std::string> databases;    // every database named as a qualifier (`db`.`table`), once each
  std::vector<std::string> identifiers;  // every identifier (unquoted), for finding the tables it names
};

// `statement` with the qualifier of every `db`.`name` for which `replacement(db)` returns a name put back
// as that name (quoted). Numbers (1.5) are not names.
RewrittenStatement rewrite_databases(
    std::string_view statement, const std::function<std::string(std::string_view database)>& replacement);

}  // namespace mzl::schema
