#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "mzl/util/base64.h"

using namespace mzl;

namespace {

// RFC 4648 section 10.
const std::vector<std::pair<std::string, std::string>> kRfc4648 = {{"", ""},
                                                                   {"f", "Zg=="},
                                                                   {"fo", "Zm8="},
                                                                   {"foo", "Zm9v"},
                                                                   {"foob", "Zm9vYg=="},
                                                                   {"fooba", "Zm9vYmE="},
                                                                   {"foobar", "Zm9vYmFy"}};

Bytes bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("base64 matches RFC 4648 test vectors") {
  for (const auto& [in, expected] : kRfc4648) {
    std::string out = "prefix:";
    append_base64(out, bytes_of(in));
    CHECK(out == "prefix:" + expected);
    CHECK(base64_encode(bytes_of(in)) == expected);
    CHECK(decode_base64(expected) == in);
  }
}

TEST_CASE("base64: every byte value, and the two alphabet ends") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  CHECK(decode_base64(base64_encode(bytes_of(all))) == all);
  CHECK(base64_encode(bytes_of(std::string("\xfb\xff\xbf", 3))) == "+/+/");
}

TEST_CASE("decode_base64 refuses what is not padded standard base64") {
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "Zm-_", "Zm9v\n"}) {
    INFO(bad);
    CHECK_FALSE(decode_base64(bad).has_value());
  }
}
