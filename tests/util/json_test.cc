#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mzl/util/json.h"

using namespace mzl;

TEST_CASE("JSON strings are escaped per RFC 8259") {
  std::string out;
  append_json_string(out, std::string("a\"b\\c\n\x01", 7));
  CHECK(out == R"("a\"b\\c\n\u0001")");
}

TEST_CASE("invalid UTF-8 is escaped byte by byte, valid UTF-8 kept") {
  std::string out;
  append_json_string(out, "h\xc3\xa9");
  CHECK(out == "\"h\xc3\xa9\"");
  out.clear();
  append_json_string(out, "\xff\x41");
  CHECK(out == R"("\u00ffA")");
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a UTF-16 surrogate
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong '/'
}

TEST_CASE("JsonWriter places commas and colons") {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("a", 1);
  w.key("b");
  w.begin_array();
  w.value("x");
  w.null();
  w.value(true);
  w.end_array();
  w.field("c", 1.5);
  w.end_object();
  CHECK(out == R"({"a":1,"b":["x",null,true],"c":1.5})");
}

TEST_CASE("escaping finds special bytes at every position of long strings") {
  // Every position of a 40-byte string, for each byte that must be escaped: the word-at-a-time scan must not
  // miss one, whatever its alignment.
  const std::vector<std::pair<char, std::string>> specials = {
      {'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"}, {'\x1f', "\\u001f"}, {'\0', "\\u0000"}};
  for (const auto& [special, escaped] : specials) {
    for (size_t pos = 0; pos < 40; ++pos) {
      std::string in(40, 'a');
      in[pos] = special;
      std::string expected = "\"" + std::string(pos, 'a') + escaped + std::string(39 - pos, 'a') + "\"";
      std::string out;
      append_json_string(out, in);
      CHECK(out == expected);
    }
  }
  // An invalid UTF-8 byte at any position escapes every high byte of the string.
  for (size_t pos = 0; pos < 40; ++pos) {
    std::string in(40, 'b');
    in[pos] = '\xfe';
    std::string out;
    append_json_string(out, in);
    CHECK(out == "\"" + std::string(pos, 'b') + "\\u00fe" + std::string(39 - pos, 'b') + "\"");
  }
}

TEST_CASE("json: is_plain_json_ascii is ASCII from 0x20 without quote and backslash, at every position") {
  for (int b = 0; b < 256; ++b) {
    const bool plain = b >= 0x20 && b <= 0x7F && b != '"' && b != '\\';
    for (size_t before : {0, 1, 7, 8, 15, 16, 17, 31, 40}) {
      for (size_t after : {0, 1, 9, 16, 23}) {
        std::string s(before, 'a');
        s += static_cast<char>(b);
        s += std::string(after, 'z');
        INFO("byte " << b << " after " << before << " plain bytes, before " << after);
        REQUIRE(mzl::is_plain_json_ascii(s) == plain);
        // A plain string goes into JSON as it is.
        if (plain) {
          std::string out;
          mzl::append_json_string(out, s);
          REQUIRE(out == "\"" + s + "\"");
        }
      }
    }
  }
  CHECK(mzl::is_plain_json_ascii(""));
}
