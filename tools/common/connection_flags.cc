#include "connection_flags.h"

#include <fmt/format.h>

#include <set>

namespace mzl::tool {

void add_option_file_flags(CLI::App& app, OptionFileFlags& flags) {
  auto* group = app.add_option_group("Option files");
  group->add_option("--defaults-file", flags.defaults_file, "Read options from this file only");
  group->add_option("--defaults-extra-file", flags.defaults_extra_file,
                    "Read this file after the usual ones");
  group->add_option("--defaults-group-suffix", flags.defaults_group_suffix,
                    "Also read the groups [client<SUFFIX>], [mzl-<program><SUFFIX>]...");
  group->add_flag("--no-defaults", flags.no_defaults, "Read no option file");
  group->add_flag("--print-defaults", flags.print_defaults,
                  "Print the options the option files give this program (checked), then exit");
}

void add_connection_flags(CLI::App& app, net::ConnectionFlags& flags) {
  auto* group = app.add_option_group("Connection");
  group->add_option("-h,--host", flags.host, "Server host (localhost: the Unix socket)");
  group->add_option("-P,--port", flags.port, "Server TCP port")->check(CLI::Range(1, 65535));
  group->add_option("-u,--user", flags.user, "User name");
  group->add_option("-S,--socket", flags.socket, "Unix socket file");
  group->add_option("--password-file", flags.password_file,
                    "Read the password from the first line of this file (else option files or MYSQL_PWD)");
  group->add_option("--ssl-mode", flags.ssl_mode,
                    "DISABLED, PREFERRED (default), REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
  group->add_option("--ssl-ca", flags.ssl_ca, "CA certificate file (PEM) to check the server's certificate");
  group->add_option("--ssl-capath", flags.ssl_capath, "Directory of CA certificates");
  group->add_option("--ssl-cert", flags.ssl_cert, "Client certificate (PEM)");
  group->add_option("--ssl-key", flags.ssl_key, "Client private key (PEM)");
  group->add_option("--ssl-cipher", flags.ssl_cipher, "Allowed TLS ciphers");
  group->add_option("--default-auth", flags.default_auth, "Authentication plugin to use first");
  group->add_option("--plugin-dir", flags.plugin_dir, "Directory of client authentication plugins");
  group->add_option("--connect-timeout", flags.connect_timeout,
                    "Seconds to wait for the server (default 10)");
}

Result<OptionFileSet> load_option_files(const OptionFileFlags& flags) {
  OptionFileSet files;
  if (flags.no_defaults) return files;
  if (flags.defaults_file) {
    MZL_CHECK(files.read(*flags.defaults_file, /*must_exist=*/true));
    return files;
  }
  for (const auto& path : default_option_files()) MZL_CHECK(files.read(path, false));
  if (flags.defaults_extra_file) MZL_CHECK(files.read(*flags.defaults_extra_file, true));
  return files;
}

namespace {

// The option-file flags themselves, and the connection settings (handled by connection_options()).
const std::set<std::string>& names_handled_elsewhere() {
  static const std::set<std::string> names = {"defaults-file",
                                              "defaults-extra-file",
                                              "defaults-group-suffix",
                                              "no-defaults",
                                              "print-defaults",
                                              "password",
                                              "host",
                                              "port",
                                              "user",
                                              "socket",
                                              "ssl-mode",
                                              "ssl-ca",
                                              "ssl-capath",
                                              "ssl-cert",
                                              "ssl-key",
                                              "ssl-cipher",
                                              "default-auth",
                                              "plugin-dir",
                                              "connect-timeout",
                                              "password-file",
                                              "ssl",
                                              "skip-ssl",
                                              "ssl-verify-server-cert"};
  return names;
}

}  // namespace

Status apply_option_files(CLI::App& app, const OptionFileSet& files, const std::string& program,
                          const std::string& group_suffix) {
  std::vector<std::string> groups = {"mzl", program};
  if (!group_suffix.empty()) {
    groups.push_back("mzl" + group_suffix);
    groups.push_back(program + group_suffix);
  }
  for (const auto& option : files.options(groups)) {
    if (names_handled_elsewhere().count(option.name) != 0) continue;
    CLI::Option* target = nullptr;
    try {
      target = app.get_option("--" + option.name);
    } catch (const CLI::OptionNotFound&) {
      target = nullptr;
    }
    if (target == nullptr) {
      if (option.loose) continue;
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("unknown option '{}' for {} (write loose-{} to let other versions ignore it)",
                               option.name, program, option.name))
          .at_r(fmt::format("{}:{}", option.file, option.line));
    }
    if (target->count() > 0) continue;  // the command line wins
    try {
      if (target->get_expected_max() == 0) {  // a flag (CLI11 expects no value for it)
        const std::string v = option.value.value_or("1");
        target->add_result(v == "0" || v == "OFF" || v == "off" || v == "false" ? "false" : "true");
      } else {
        if (!option.value) {
          return Error(ErrorCode::kInvalidArgument, fmt::format("option '{}' needs a value", option.name))
              .at_r(fmt::format("{}:{}", option.file, option.line));
        }
        target->add_result(*option.value);
      }
      target->run_callback();
    } catch (const CLI::Error& e) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("option '{}': {}", option.name, e.what()))
          .at_r(fmt::format("{}:{}", option.file, option.line));
    }
  }
  return ok_status();
}

Result<net::ConnectionOptions> connection_options(const net::ConnectionFlags& flags,
                                                  const OptionFileSet& files, const std::string& program,
                                                  const std::string& group_suffix) {
  return net::resolve_connection_options(flags, files, option_groups(program, group_suffix));
}

}  // namespace mzl::tool
