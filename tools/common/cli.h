#pragma once
// What every mzl program's main shares: flag parsing with the toolkit's exit codes (man/mzl.7), error
// reporting on stderr, and the conventions of help text.
#include <CLI/CLI.hpp>

#include <functional>
#include <string_view>

#include "mzl/util/result.h"

namespace mzl::tool {

// Parses argv with `app`, then runs `body`. Returns the process exit code:
// 0 on success, 2 on a usage error (bad flag or value, reported on stderr with a pointer to --help), or the
// code exit_code_for() gives for the Error that `body` returned (printed as "<program>: error: ...").
// `--help` prints a one-screen summary (help_text.h), `--help-all` every option; both return 0. -h is left
// free for --host, as in the server's own clients.
int run(CLI::App& app, int argc, char** argv, const std::function<Status()>& body);

// As run(), for a program whose body chooses the exit code when it succeeds (mzl-verify: 0 verified, 1
// problems found).
int run_with_exit_code(CLI::App& app, int argc, char** argv, const std::function<Result<int>()>& body);

// Thrown by a body that has already done everything it was asked (--print-defaults): run() returns `code`.
struct EarlyExit {
  int code = kExitOk;
};

void print_error(std::string_view program, const Error& error);

// A fresh CLI::App with the toolkit's help conventions (only --help prints help; footers point to the man
// page).
void configure_app(CLI::App& app, std::string_view program);

}  // namespace mzl::tool
