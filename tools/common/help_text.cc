#include "help_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace mzl::tool {

namespace {

constexpr size_t kWidth = 100;

// "  Title: --a --b --c" wrapped at kWidth, continuation lines under the first name.
std::string name_list(std::string_view title, const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::string out = fmt::format("  {}:", title);
  const size_t indent = out.size() + 1;
  size_t column = out.size();
  for (const std::string& name : names) {
    if (column + 1 + name.size() > kWidth) {
      out += "\n" + std::string(indent - 1, ' ');
      column = indent - 1;
    }
    out += " " + name;
    column += 1 + name.size();
  }
  return out + "\n";
}

// `text` re-flowed into lines of at most kWidth columns (its own line breaks are where a wider terminal
// wanted them).
std::string wrapped(std::string_view text) {
  std::string out, line;
  size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\n')) ++at;
    const size_t end = std::min(text.find_first_of(" \n", at), text.size());
    if (end == at) break;
    const std::string_view word = text.substr(at, end - at);
    if (!line.empty() && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + std::string(word);
    at = end;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

// The long names (else the short ones) of the options of `app` itself, help flags left out.
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    if (option == app.get_help_ptr() || option == app.get_help_all_ptr()) continue;
    if (!option->nonpositional()) continue;  // in the usage line
    const auto& longs = option->get_lnames();
    names.push_back(longs.empty() ? "-" + option->get_snames().front() : "--" + longs.front());
  }
  return names;
}

}  // namespace

std::string summary_help(const CLI::App& root, std::string_view program) {
  const CLI::App* app = &root;
  std::string command(program);
  for (auto selected = app->get_subcommands(); !selected.empty(); selected = app->get_subcommands()) {
    app = selected.front();
    command += " " + app->get_name();
  }
  const auto groups = app->get_subcommands([](const CLI::App* a) { return a->get_name().empty(); });
  const auto commands = app->get_subcommands([](const CLI::App* a) { return !a->get_name().empty(); });

  std::string out;
  if (!app->get_description().empty()) out += wrapped(app->get_description()) + "\n";
  std::string positionals;
  for (const CLI::Option* option : app->get_options()) {
    if (!option->nonpositional()) positionals += fmt::format(" [{}]", option->get_name());
  }
  out += fmt::format("Usage: {} [OPTIONS]{}{}\n\n", command, positionals,
                     commands.empty() ? "" : " [COMMAND [OPTIONS]]");
  out += name_list("Options", option_names(*app));
  for (const CLI::App* group : groups) out += name_list(group->get_group(), option_names(*group));
  if (!commands.empty()) {
    out += "\nCommands:\n";
    for (const CLI::App* c : commands) {
      std::string what = c->get_description();
      if (what.size() > kWidth - 14) what = what.substr(0, kWidth - 17) + "...";
      out += fmt::format("  {:<10}  {}\n", c->get_name(), what);
    }
  }
  out += fmt::format(
      "\nEvery option explained: {} --help-all. The manual: man {}.\n"
      "Exit status: 0 ok, 1 problem found in the data, 2 usage, 3 server or network, 4 local I/O (mzl(7)).\n",
      command, program);
  return out;
}

}  // namespace mzl::tool
