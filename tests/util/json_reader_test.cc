#include "mzl/util/json_reader.h"

#include <catch2/catch.hpp>

using namespace mzl;

TEST_CASE("parse_json: every kind of value") {
  auto r = parse_json(R"( {"s":"a\"b\\c\/d\n\t\u00e9\ud83d\ude00", "n":-12, "u":18446744073709551615,
                          "d":1.5e3, "t":true, "f":false, "z":null, "a":[1,[2],{}], "o":{"k":"v"}} )",
                      "x.json");
  REQUIRE(r.ok());
  const JsonValue& v = *r;
  REQUIRE(v.kind() == JsonValue::Kind::kObject);
  REQUIRE(v.find("s")->as_string());
  CHECK(*v.find("s")->as_string() == "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(v.find("n")->as_int64() == -12);
  CHECK_FALSE(v.find("n")->as_uint64());
  CHECK(v.find("u")->as_uint64() == UINT64_MAX);
  CHECK_FALSE(v.find("u")->as_int64());
  CHECK(v.find("d")->as_double() == 1500.0);
  CHECK_FALSE(v.find("d")->as_uint64());
  CHECK(*v.find("t")->as_bool());
  CHECK_FALSE(*v.find("f")->as_bool());
  CHECK(v.find("z")->is_null());
  REQUIRE(v.find("a")->as_array());
  CHECK(v.find("a")->as_array()->size() == 3);
  CHECK((*v.find("a")->as_array())[1].as_array()->at(0).as_uint64() == 2);
  CHECK(v.find("o")->find("k")->as_string()->compare("v") == 0);
  CHECK(v.find("missing") == nullptr);
  CHECK(v.find("s")->find("x") == nullptr);
}

TEST_CASE("parse_json: bad documents are kCorrupt with where, offset and what") {
  const char* bad[] = {"",  "{",  "{\"a\":}", "[1,]",    "{\"a\" 1}", "\"abc",    "tru",   "01",    "1.",
                       "-", "1e", "{} x",     "\"\\x\"", "\"\\u12\"", "\"a\nb\"", "{1:2}", "[1 2]", "+1"};
  for (const char* text : bad) {
    INFO(text);
    auto r = parse_json(text, "m.json", "manifest");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kCorrupt);
    CHECK(r.error().where == "m.json");
    CHECK(r.error().offset.has_value());
    CHECK(r.error().message.rfind("bad manifest: ", 0) == 0);
  }
  auto r = parse_json("{\"a\": x}", "f");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().offset == 6u);
}

TEST_CASE("parse_json: nesting is bounded") {
  std::string deep(kMaxJsonDepth + 5, '[');
  deep += std::string(kMaxJsonDepth + 5, ']');
  auto r = parse_json(deep, "f");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("nested too deeply") != std::string::npos);
  std::string ok(kMaxJsonDepth, '[');
  ok += std::string(kMaxJsonDepth, ']');
  CHECK(parse_json(ok, "f").ok());
}

TEST_CASE("JsonFields: typed fields, defaults, required, errors naming the key") {
  auto r = parse_json(R"({"s":"x","u":7,"big":300,"neg":-3,"b":true,"d":0.25,"l":["a","b"],"bad":[1],
                          "o":{"k":1},"arr":[]})",
                      "f.json", "manifest");
  REQUIRE(r.ok());
  JsonFields f(*r->as_object(), "f.json", "manifest", "tables[2]");
  std::string s = "default";
  CHECK(f.get("s", s).ok());
  CHECK(s == "x");
  std::string missing = "kept";
  CHECK(f.get("nope", missing).ok());
  CHECK(missing == "kept");
  auto req = f.get("nope", missing, true);
  REQUIRE_FALSE(req.ok());
  CHECK(req.error().code == ErrorCode::kCorrupt);
  CHECK(req.error().where == "f.json");
  CHECK(req.error().message == "bad manifest: field \"tables[2].nope\" is missing");
  uint64_t u = 0;
  CHECK(f.get("u", u).ok());
  CHECK(u == 7);
  uint8_t small = 0;
  CHECK_FALSE(f.get_int("big", small).ok());
  CHECK(f.get_int("u", small).ok());
  CHECK(small == 7);
  int8_t signed_small = 0;
  CHECK(f.get_int("neg", signed_small).ok());
  CHECK(signed_small == -3);
  unsigned un = 0;
  auto neg = f.get_int("neg", un);
  REQUIRE_FALSE(neg.ok());
  CHECK(neg.error().message.find("\"tables[2].neg\"") != std::string::npos);
  bool b = false;
  CHECK(f.get("b", b).ok());
  CHECK(b);
  double d = 0;
  CHECK(f.get("d", d).ok());
  CHECK(d == 0.25);
  CHECK(f.get("u", d).ok());
  CHECK(d == 7.0);
  std::vector<std::string> l;
  CHECK(f.get("l", l).ok());
  CHECK(l == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(f.get("bad", l).ok());
  CHECK(l == std::vector<std::string>{"a", "b"});
  auto wrong = f.get("u", s);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message == "bad manifest: field \"tables[2].u\" is not a string");
  CHECK_FALSE(f.get("s", u).ok());
  CHECK_FALSE(f.get("s", b).ok());
  auto o = f.object("o");
  REQUIRE(o.ok());
  REQUIRE(*o != nullptr);
  CHECK((*o)->size() == 1);
  CHECK(*f.object("none") == nullptr);
  CHECK_FALSE(f.object("none", true).ok());
  CHECK_FALSE(f.object("arr").ok());
  auto a = f.array("arr");
  REQUIRE(a.ok());
  CHECK((*a)->empty());
  CHECK_FALSE(f.array("o").ok());
}
