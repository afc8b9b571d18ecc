#include "cli.h"

#include "help_text.h"

#include <fmt/format.h>

#include <cstdio>
#include <optional>

namespace mzl::tool {

void print_error(std::string_view program, const Error& error) {
  fmt::print(stderr, "{}: error: {}\n", program, error.to_string());
}

void configure_app(CLI::App& app, std::string_view program) {
  app.set_help_flag("--help", "Print a one-screen summary and exit");
  app.set_help_all_flag("--help-all",
                        "Print every option with its values and meaning, and exit (the manual: man " +
                            std::string(program) + ")");
  app.footer(
      fmt::format("Exit status: 0 ok, 1 problem found in the data, 2 usage, 3 server or network, 4 local "
                  "I/O.\nSee {}(1) and mzl(7).",
                  program));
  app.get_formatter()->column_width(36);
}

int run_with_exit_code(CLI::App& app, int argc, char** argv, const std::function<Result<int>()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", summary_help(app, app.get_name()));
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    fmt::print("{}", app.help());
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: usage error: {}\nTry '{} --help'.\n", app.get_name(), e.what(), app.get_name());
    return kExitUsage;
  }
  std::optional<Result<int>> ran;
  try {
    ran.emplace(body());
  } catch (const EarlyExit& early) {
    return early.code;
  }
  Result<int>& result = *ran;
  if (!result.ok()) {
    print_error(app.get_name(), result.error());
    return exit_code_for(result.error());
  }
  return *result;
}

int run(CLI::App& app, int argc, char** argv, const std::function<Status()>& body) {
  return run_with_exit_code(app, argc, argv, [&]() -> Result<int> {
    MZL_CHECK(body());
    return kExitOk;
  });
}

}  // namespace mzl::tool
