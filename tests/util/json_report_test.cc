#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "mzl/util/json_report.h"

// The types and their visit_fields are in a named namespace: argument-dependent lookup finds them there (it
// would not in an unnamed one).
namespace mzl::json_report_test {

enum class Colour { kRed, kGreen };
std::string_view json_name(Colour c) {
  return c == Colour::kRed ? "red" : "green";
}

struct Point {
  int64_t x = 0;
  uint64_t y = 0;
};
void visit_fields(auto& io, const Point& p) {
  io.field("x", p.x);
  io.field("y", p.y);
}

struct Shape {
  std::string name;
  bool closed = false;
  double area = 0;
  Colour colour = Colour::kRed;
  std::optional<Point> centre;
  std::optional<uint32_t> corners;
  std::vector<Point> points;
  std::vector<std::string> tags;
};
void visit_fields(auto& io, const Shape& s) {
  io.field("name", s.name);
  io.field("closed", s.closed);
  io.field("area", s.area);
  io.field("colour", s.colour);
  io.object("centre", s.centre);
  io.field("corners", s.corners);
  io.array("points", s.points);
  io.field("tags", s.tags);
  io.object("bounds", [&](JsonFieldWriter& o) {
    o.field("points", static_cast<uint64_t>(s.points.size()));
    o.field("empty", s.points.empty());
  });
}

TEST_CASE("json_line writes a struct's fields in order, nested objects, arrays and null") {
  Shape s;
  s.name = "tri";
  s.closed = true;
  s.area = 0.5;
  s.colour = Colour::kGreen;
  s.centre = Point{-1, 2};
  s.points = {{0, 0}, {1, 0}, {0, 1}};
  s.tags = {"a", "b"};
  CHECK(json_line(s) ==
        R"({"name":"tri","closed":true,"area":0.5,"colour":"green","centre":{"x":-1,"y":2},"corners":null,)"
        R"("points":[{"x":0,"y":0},{"x":1,"y":0},{"x":0,"y":1}],"tags":["a","b"],)"
        R"("bounds":{"points":3,"empty":false}})"
        "\n");
}

TEST_CASE("json_line: empty arrays, false, zero and an optional number that is set") {
  Shape s;
  s.corners = 4;
  CHECK(
      json_line(s) ==
      R"({"name":"","closed":false,"area":0,"colour":"red","centre":null,"corners":4,"points":[],"tags":[],)"
      R"("bounds":{"points":0,"empty":true}})"
      "\n");
}

TEST_CASE("json_line escapes strings per RFC 8259") {
  Shape s;
  s.name = std::string("q\"b\\s\n\t\x01", 8);
  s.tags = {"\xff"};
  const std::string line = json_line(s);
  CHECK(line.find(R"("name":"q\"b\\s\n\t\u0001")") != std::string::npos);
  CHECK(line.find(R"("tags":["\u00ff"])") != std::string::npos);
}

TEST_CASE("json_line writes the extremes of integers and non-finite doubles as null") {
  Point p{std::numeric_limits<int64_t>::min(), std::numeric_limits<uint64_t>::max()};
  CHECK(json_line(p) == "{\"x\":-9223372036854775808,\"y\":18446744073709551615}\n");
  Shape s;
  s.area = std::numeric_limits<double>::infinity();
  CHECK(json_line(s).find(R"("area":null)") != std::string::npos);
  s.area = 1e21;
  CHECK(json_line(s).find(R"("area":1e+21)") != std::string::npos);
}

TEST_CASE("json_line of a top-level array and of an optional") {
  CHECK(json_line(std::vector<Point>{{1, 2}}) == "[{\"x\":1,\"y\":2}]\n");
  CHECK(json_line(std::optional<Point>{}) == "null\n");
  CHECK(json_line(std::vector<bool>{}) == "[]\n");
}

struct Blob {
  std::string utf8 = "caf\xc3\xa9";
  std::string bytes = std::string("\x00\xff", 2);
  std::vector<std::string> mixed = {"ok", "\xfe"};
};
void visit_fields(auto& io, const Blob& b) {
  io.text("utf8", b.utf8);
  io.text("bytes", b.bytes);
  io.text("mixed", b.mixed);
}

TEST_CASE("text fields that are not UTF-8 are written as <key>_base64") {
  CHECK(json_line(Blob{}) ==
        "{\"utf8\":\"caf\xc3\xa9\",\"bytes_base64\":\"AP8=\",\"mixed_base64\":[\"b2s=\",\"/g==\"]}\n");
}

struct Listing {
  std::string id = "x";
  std::vector<Point> points = {{1, 1}, {2, 2}};
};
void visit_fields(auto& io, const Listing& l) {
  io.field("id", l.id);
  io.line_break();
  io.array("points", l.points, true);
}

TEST_CASE("line breaks: each comma ends the line before, not starts the next") {
  std::string out;
  JsonWriter w(out);
  JsonFieldWriter(w).write(Listing{});
  CHECK(commas_before_line_breaks(out) ==
        "{\"id\":\"x\",\n \"points\":[\n  {\"x\":1,\"y\":1},\n  {\"x\":2,\"y\":2}]}");
  // A newline inside a string is escaped, so it is never mistaken for a break.
  CHECK(commas_before_line_breaks("[\"a\\n\"\n ,1]") == "[\"a\\n\",\n 1]");
}

}  // namespace mzl::json_report_test
