#pragma once
// LOAD DATA's default text format (TAB between fields, LF after a row, \N for NULL, and \ TAB LF CR NUL ^Z
// escaped), written independently of the snapshot's own encoder (row_text.h), so that tests can check it
// against the server and feed the loader files that mzl did not write.
#include <string>
#include <string_view>

namespace mzl::test {

inline void append_reference_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace mzl::test
