#include "mzl/util/option_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace mzl {

namespace {

constexpr int kMaxIncludeDepth = 10;

std::string trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

char unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case 's':
      return ' ';
    default:
      return c;  // \" \' \\ and anything else: the character itself
  }
}

// Parses the text after '=': a quoted string, or an unquoted value ending at a comment that follows
// whitespace. Returns nullopt when a quote is not closed.
std::optional<std::string> parse_value(std::string_view raw) {
  const std::string text = trim(raw);
  std::string out;
  if (!text.empty() && (text[0] == '"' || text[0] == '\'')) {
    const char quote = text[0];
    size_t i = 1;
    for (; i < text.size() && text[i] != quote; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        out += unescape(text[++i]);
      } else {
        out += text[i];
      }
    }
    if (i >= text.size()) return std::nullopt;
    return out;  // anything after the closing quote (a comment) is ignored
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '#' || c == ';') && i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) break;
    if (c == '\\' && i + 1 < text.size()) {
      out += unescape(text[++i]);
    } else {
      out += c;
    }
  }
  return trim(out);
}

std::string normalise_name(std::string name, bool* loose) {
  std::replace(name.begin(), name.end(), '_', '-');
  *loose = name.rfind("loose-", 0) == 0;
  if (*loose) name.erase(0, 6);
  return name;
}

}  // namespace

Status OptionFileSet::read(const std::filesystem::path& path, bool must_exist) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!must_exist) return ok_status();
    return Error(ErrorCode::kNotFound, "option file does not exist").at_r(path.string());
  }
  return read_file(path, 0);
}

Status OptionFileSet::read_file(const std::filesystem::path& path, int depth) {
  if (depth > kMaxIncludeDepth) {
    return Error(ErrorCode::kInvalidArgument, "!include nested too deeply (a loop?)").at_r(path.string());
  }
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kIo, "cannot read option file").at_r(path.string());
  std::string group;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string text = trim(line);
    const auto where = [&] { return fmt::format("{}:{}", path.string(), number); };
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text[0] == '!') {
      const size_t space = text.find_first_of(" \t");
      const std::string directive = text.substr(0, space);
      const std::string target = space == std::string::npos ? "" : trim(text.substr(space));
      if (directive == "!include") {
        std::filesystem::path file = target;
        if (file.is_relative()) file = path.parent_path() / file;
        MZL_CHECK(read_file(file, depth + 1));
      } else if (directive == "!includedir") {
        std::vector<std::filesystem::path> files;
        std::error_code ec;
        for (std::filesystem::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
          const auto ext = it->path().extension();
          if (it->is_regular_file() && (ext == ".cnf" || ext == ".ini")) files.push_back(it->path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) MZL_CHECK(read_file(f, depth + 1));
      } else {
        return Error(ErrorCode::kInvalidArgument, fmt::format("unknown directive '{}'", directive))
            .at_r(where());
      }
      continue;
    }
    if (text[0] == '[') {
      const size_t close = text.find(']');
      if (close == std::string::npos) {
        return Error(ErrorCode::kInvalidArgument, "group line without ']'").at_r(where());
      }
      group = trim(text.substr(1, close - 1));
      continue;
    }
    if (group.empty()) {
      return Error(ErrorCode::kInvalidArgument, "option before the first [group] line").at_r(where());
    }
    OptionValue option;
    option.file = path.string();
    option.line = number;
    const size_t eq = text.find('=');
    option.name = normalise_name(trim(text.substr(0, eq)), &option.loose);
    if (eq != std::string::npos) {
      option.value = parse_value(std::string_view(text).substr(eq + 1));
      if (!option.value) {
        return Error(ErrorCode::kInvalidArgument,
                     fmt::format("unterminated quote in the value of '{}'", option.name))
            .at_r(where());
      }
    }
    entries_.emplace_back(group, std::move(option));
  }
  return ok_status();
}

std::vector<OptionValue> OptionFileSet::options(const std::vector<std::string>& groups) const {
  std::vector<OptionValue> out;
  for (const auto& [group, option] : entries_) {
    if (std::find(groups.begin(), groups.end(), group) != groups.end()) out.push_back(option);
  }
  return out;
}

std::optional<OptionValue> OptionFileSet::find(const std::string& name,
                                               const std::vector<std::string>& groups) const {
  std::optional<OptionValue> found;
  for (const auto& option : options(groups)) {
    if (option.name == name) found = option;
  }
  return found;
}

std::vector<std::filesystem::path> default_option_files() {
  std::vector<std::filesystem::path> files = {"/etc/my.cnf", "/etc/mysql/my.cnf"};
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    files.push_back(std::filesystem::path(home) / ".my.cnf");
  }
  return files;
}

std::vector<std::string> option_groups(const std::string& program, const std::string& suffix) {
  std::vector<std::string> groups = {"client", "client-server", "client-mariadb", "mzl", program};
  if (!suffix.empty()) {
    const size_t n = groups.size();
    for (size_t i = 0; i < n; ++i) groups.push_back(groups[i] + suffix);
  }
  return groups;
}

}  // namespace mzl
