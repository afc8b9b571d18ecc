#include "common_options.h"

#include <fmt/format.h>

#include "cli.h"
#include "mzl/repo/repository_layout.h"

namespace mzl::tool {

void add_common_flags(CLI::App& app, CommonOptions& options) {
  add_option_file_flags(app, options.option_files_);
  add_connection_flags(app, options.connection_);
}

Status CommonOptions::apply_option_files(CLI::App& app) {
  MZL_TRY(files_, load_option_files(option_files_));
  MZL_CHECK(tool::apply_option_files(app, files_, program_, option_files_.defaults_group_suffix));
  if (option_files_.print_defaults) {
    // As the server's clients print them (my_print_defaults), one argument per line, the password masked;
    // only after every option was checked, so a line printed is an option this program takes.
    for (const auto& option : files_.options(option_groups(program_, option_files_.defaults_group_suffix))) {
      const bool secret = option.name == "password";
      fmt::print("--{}{}\n", option.name,
                 option.value ? "=" + (secret ? std::string("*****") : *option.value) : std::string());
    }
    throw EarlyExit{kExitOk};
  }
  return ok_status();
}

Result<net::ConnectionOptions> CommonOptions::connection_options() const {
  return tool::connection_options(connection_, files_, program_, option_files_.defaults_group_suffix);
}

Status require_repo_flag(const std::string& repo, std::string_view missing) {
  if (repo.empty()) return Error(ErrorCode::kInvalidArgument, std::string(missing));
  return repo::require_repository(repo);
}

}  // namespace mzl::tool
