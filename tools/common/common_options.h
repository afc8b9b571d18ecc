#pragma once
// The flags every mzl program takes besides its own, and what they become: the option files
// (--defaults-file, ...) and the connection (-h -P -u -S, --ssl-*), see connection_flags.h. A main adds them
// with add_common_flags() and, once the command line is parsed, calls apply_option_files() and, when it
// connects to a server, connection_options().
#include <CLI/CLI.hpp>

#include <string>

#include "connection_flags.h"
#include "mzl/net/connection_options.h"
#include "mzl/util/option_file.h"
#include "mzl/util/result.h"

namespace mzl::tool {

class CommonOptions {
 public:
  explicit CommonOptions(std::string program) : program_(std::move(program)) {}

  // Reads the option files the flags name (or the default ones, or none with --no-defaults) and gives every
  // option of `app` that was not on the command line its value from the program's groups
  // (apply_option_files in connection_flags.h). Call once, after parsing.
  Status apply_option_files(CLI::App& app);

  // The connection settings: the option files' client groups and the program's groups, then the flags.
  // After apply_option_files(). Only the commands that connect call it, so a bad [client] setting does not
  // stop one that does not (mzl-snapshot list, mzl-verify --repo).
  Result<net::ConnectionOptions> connection_options() const;

 private:
  friend void add_common_flags(CLI::App& app, CommonOptions& options);

  std::string program_;
  OptionFileFlags option_files_;
  net::ConnectionFlags connection_;
  OptionFileSet files_;
};

// The option-file flags and the connection flags, in their help groups.
void add_common_flags(CLI::App& app, CommonOptions& options);

// What a command that needs the repository checks first: kInvalidArgument (exit 2) saying `missing` when
// --repo is empty, else what repo::require_repository() says.
Status require_repo_flag(const std::string& repo, std::string_view missing);

}  // namespace mzl::tool
