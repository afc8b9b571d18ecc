#pragma once
// The flags every mzl program that talks to a server shares, spelled as the server's own clients spell them
// (-h -P -u -S, --defaults-file, --ssl-*), and the option files they come from: [client], [client-server],
// [client-mariadb], [mzl] and [mzl-<program>] (plus --defaults-group-suffix variants).
#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "mzl/net/connection_options.h"
#include "mzl/util/option_file.h"

namespace mzl::tool {

struct OptionFileFlags {
  std::optional<std::string> defaults_file;        // read only this file (no default files)
  std::optional<std::string> defaults_extra_file;  // read after the default files
  std::string defaults_group_suffix;
  bool no_defaults = false;
  bool print_defaults = false;  // print what the option files give this program, then exit
};

// --defaults-file, --defaults-extra-file, --defaults-group-suffix, --no-defaults, --print-defaults.
void add_option_file_flags(CLI::App& app, OptionFileFlags& flags);

// -h/--host, -P/--port, -u/--user, -S/--socket, --password-file, --ssl-mode, --ssl-ca, --ssl-capath,
// --ssl-cert, --ssl-key, --ssl-cipher, --default-auth, --plugin-dir, --connect-timeout. There is no
// --password: a password on the command line is visible to every user of the machine.
void add_connection_flags(CLI::App& app, net::ConnectionFlags& flags);

// Reads the option files the flags name (or the default ones).
Result<OptionFileSet> load_option_files(const OptionFileFlags& flags);

// Gives every option of `app` that was not on the command line the value its long name has in the
// program's option-file groups ([mzl], [mzl-<program>] and suffixed variants; not [client], whose settings
// belong to every client). A name in those groups that is no option of `app` is a usage error (a typo must
// not pass silently) unless written loose-<name>.
Status apply_option_files(CLI::App& app, const OptionFileSet& files, const std::string& program,
                          const std::string& group_suffix);

// The connection settings: option files' client groups and the program's groups, then the flags.
Result<net::ConnectionOptions> connection_options(const net::ConnectionFlags& flags,
                                                  const OptionFileSet& files, const std::string& program,
                                                  const std::string& group_suffix);

}  // namespace mzl::tool
