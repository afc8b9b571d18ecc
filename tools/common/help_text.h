#pragma once
// --help as a summary that fits one screen: what the program (or subcommand) does, how to call it, the names
// of its options by group, its subcommands, and where the rest is (--help-all: every option with its type and
// explanation; the man page). An operator reaching for --help wants the shape of the command, not 80 lines.
#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace mzl::tool {

// The summary of `app`, or of the subcommand the command line selected.
std::string summary_help(const CLI::App& app, std::string_view program);

}  // namespace mzl::tool
