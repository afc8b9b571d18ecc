#include "cli.h"

#include <fmt/format.h>

#include <cstdio>

namespace mzl::tool {

void print_error(std::string_view program, const Error& error) {
  fmt::print(stderr, "{}: error: {}\n", program, error.to_string());
}

void configure_app(CLI::App& app, std::string_view program) {
  app.set_help_flag("--help",
                    "Print this summary and exit (the full manual: man " + std::string(program) + ")");
  app.footer(
      fmt::format("Exit status: 0 ok, 1 problem found in the data, 2 usage, 3 server or network, 4 local "
                  "I/O.\nSee {}(1) and mzl(7).",
                  program));
  app.get_formatter()->column_width(36);
}

int run(CLI::App& app, int argc, char** argv, const std::function<Status()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", app.help());
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: usage error: {}\nTry '{} --help'.\n", app.get_name(), e.what(), app.get_name());
    return kExitUsage;
  }
  Status status = body();
  if (!status.ok()) {
    print_error(app.get_name(), status.error());
    return exit_code_for(status.error());
  }
  return kExitOk;
}

}  // namespace mzl::tool
