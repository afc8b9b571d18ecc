#include <catch2/catch.hpp>

#include <string>

#include "mzl/util/parse_number.h"

using namespace mzl;

TEST_CASE("parse_uint: all of the text, decimal digits, in range") {
  CHECK(*parse_uint("0", "n") == 0);
  CHECK(*parse_uint("42", "n") == 42);
  CHECK(*parse_uint("18446744073709551615", "n") == 18446744073709551615ULL);
  CHECK_FALSE(parse_uint("18446744073709551616", "n").ok());
  CHECK(*parse_uint("4294967295", "n", 4294967295U) == 4294967295U);
  CHECK_FALSE(parse_uint("4294967296", "n", 4294967295U).ok());
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "12abc", "0x10", "1.5"}) {
    INFO(bad);
    CHECK_FALSE(parse_uint(bad, "n").ok());
  }
}

TEST_CASE("parse_uint: the error names what was read and the text") {
  auto r = parse_uint("12abc", "collation ID");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kCorrupt);
  CHECK(r.error().message.find("collation ID") != std::string::npos);
  CHECK(r.error().message.find("'12abc'") != std::string::npos);
}

TEST_CASE("parse_int: signed 64-bit range") {
  CHECK(*parse_int("-9223372036854775808", "n") == INT64_MIN);
  CHECK(*parse_int("9223372036854775807", "n") == INT64_MAX);
  CHECK_FALSE(parse_int("9223372036854775808", "n").ok());
  CHECK_FALSE(parse_int("", "n").ok());
  CHECK_FALSE(parse_int("-", "n").ok());
  CHECK_FALSE(parse_int("5x", "n").ok());
}

TEST_CASE("parse_duration: units, fractions, plain seconds, and what is refused") {
  using std::chrono::milliseconds;
  CHECK(*mzl::parse_duration("1s", "--interval") == milliseconds(1000));
  CHECK(*mzl::parse_duration("1", "--interval") == milliseconds(1000));
  CHECK(*mzl::parse_duration("0.2", "--interval") == milliseconds(200));
  CHECK(*mzl::parse_duration("500ms", "--interval") == milliseconds(500));
  CHECK(*mzl::parse_duration("10m", "--cooldown") == milliseconds(600'000));
  CHECK(*mzl::parse_duration("1.5h", "--cooldown") == milliseconds(5'400'000));
  CHECK(*mzl::parse_duration("0", "--cooldown") == milliseconds(0));
  for (const char* bad : {"", "s", "-1s", "1x", "1 s", "1.2.3", "ms", "1sec", ".s"}) {
    INFO(bad);
    auto r = mzl::parse_duration(bad, "--interval");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("--interval"));
  }
}
