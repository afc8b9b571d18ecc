#pragma once
// MySQL/MariaDB option files (my.cnf): the format every client of the servers reads, so that mzl programs
// take their settings from the files operators already have.
// https://mariadb.com/kb/en/configuring-mariadb-with-option-files/
// https://dev.mysql.com/doc/refman/8.0/en/option-files.html
//
// Format: "[group]" lines open a group; "name", "name=value" or "name = value" lines set an option in it;
// "#" and ";" start comments (at the start of a line; after a value only when preceded by whitespace);
// values may be quoted with ' or " (quotes removed, escapes \n \t \r \b \s \" \' \\ processed inside
// double or single quotes, and in unquoted values too); "!include FILE" reads another file,
// "!includedir DIR" every *.cnf (and *.ini) file of a directory in name order. Names are normalised:
// "_" becomes "-", a "loose-" prefix is removed and remembered.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mzl/util/result.h"

namespace mzl {

struct OptionValue {
  std::string name;  // normalised: lower case is NOT applied (option names are case-sensitive), '_' -> '-'
  std::optional<std::string> value;  // nullopt for a bare "name" line
  bool loose = false;                // written as loose-name: unknown names are ignored, not errors
  std::string file;                  // where it was set, for messages
  int line = 0;
};

class OptionFileSet {
 public:
  // Reads `path` (and what it includes) and appends its options. A file that does not exist is an error
  // only when `must_exist` (as for --defaults-file); kIo for unreadable files, kInvalidArgument for a
  // malformed line (the message names file and line).
  Status read(const std::filesystem::path& path, bool must_exist);

  // Options of the given groups, in file order (later entries override earlier ones for the same name).
  std::vector<OptionValue> options(const std::vector<std::string>& groups) const;

  // The last value of `name` in `groups`, if any.
  std::optional<OptionValue> find(const std::string& name, const std::vector<std::string>& groups) const;

 private:
  Status read_file(const std::filesystem::path& path, int depth);
  std::vector<std::pair<std::string, OptionValue>> entries_;  // (group, option) in reading order
};

// The files a client reads when no --defaults-file is given, in order: /etc/my.cnf, /etc/mysql/my.cnf,
// then ~/.my.cnf (those that exist are read; MariaDB's and MySQL's clients both read these).
std::vector<std::filesystem::path> default_option_files();

// The groups a program reads: [client], [client-server], [client-mariadb], [mzl], [mzl-<program>], and
// each of those with `suffix` appended when a --defaults-group-suffix is given.
std::vector<std::string> option_groups(const std::string& program, const std::string& suffix);

}  // namespace mzl
