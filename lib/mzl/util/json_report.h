#pragma once
// One description of a struct's JSON, for the --json reports of the programs (their man pages document the
// keys) and for the files mzl writes and reads back (snapshot manifest). A type lists its fields once, in
// JSON order, in a visit_fields() that argument-dependent lookup finds (so it must be declared in the type's
// own namespace, not in an unnamed one; a .cc file makes it `static`):
//
//   void visit_fields(auto& io, const Problem& p) {
//     io.field("where", p.where);
//     io.field("offset", p.offset);  // a std::optional: null when empty
//     io.field("what", p.what);
//   }
//
// and json_line(value) is then {"where":...,"offset":...,"what":...} and a newline.
//
// What a field's value becomes: bool, integers and floating point as JsonWriter writes them; strings
// (anything convertible to std::string_view) as JSON strings; std::optional<T> as null or T; std::vector<T>
// as an array of T; a type with json_name(value) (found by argument-dependent lookup) as that string (an enum
// by its name); a callable taking the JsonFieldWriter& as an object whose fields the call writes (for an
// object that is no struct of its own); any other type as an object of its visit_fields().
//
// The same visit_fields can serve a reader too (snapshot/manifest.cc reads its manifest back with one):
// `io.kReading` tells the two apart, and the writer ignores the `required` argument a reader uses.
// Keys are literals of letters, digits and '_' (JsonWriter::plain_key): they are not escaped.
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mzl/util/json.h"

namespace mzl {

// For a visit_fields shared by reader and writer: `FieldsOf<Manifest> auto& m` takes a Manifest& (reading)
// and a const Manifest& (writing).
template <class T, class U>
concept FieldsOf = std::same_as<std::remove_const_t<T>, U>;

namespace json_report_detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
}  // namespace json_report_detail

template <class T>
concept JsonNamed = requires(const T& value) {
  { json_name(value) } -> std::convertible_to<std::string_view>;
};

class JsonFieldWriter {
 public:
  static constexpr bool kReading = false;
  explicit JsonFieldWriter(JsonWriter& w) : w_(w) {}

  // "key":value, value as the header describes.
  template <class T>
  void field(std::string_view key, const T& value, bool /*required*/ = false) {
    w_.plain_key(key);
    write(value);
  }
  // The same as field(); the names say to a reader which JSON type to expect.
  template <class T>
  void object(std::string_view key, const T& value) {
    field(key, value);
  }
  // With one_per_line, each element starts a new line (indented two spaces): see line_break().
  template <class T>
  void array(std::string_view key, const std::vector<T>& values, bool one_per_line = false) {
    w_.plain_key(key);
    w_.begin_array();
    for (const T& value : values) {
      if (one_per_line) w_.out() += "\n  ";
      write(value);
    }
    w_.end_array();
  }

  // Text that need not be UTF-8 (SQL may hold a binary literal): a JSON string when it is UTF-8, else the
  // key "<key>_base64" with the bytes in base64, so no byte is lost. A list is base64 as a whole when any
  // of its strings is not UTF-8.
  void text(std::string_view key, std::string_view value, bool required = false);
  void text(std::string_view key, const std::vector<std::string>& values);

  // A line break (and the indent of a top-level key) before the next key, for files people read. The
  // output then holds each separating comma after the break: put it through commas_before_line_breaks().
  void line_break() { w_.out() += "\n "; }

  // A whole value (e.g. an object or an array of objects), as a field's value is written.
  template <class T>
  void write(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      w_.value(value);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      w_.value(std::string_view(value));
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      w_.value(static_cast<int64_t>(value));
    } else if constexpr (std::is_integral_v<T>) {
      w_.value(static_cast<uint64_t>(value));
    } else if constexpr (std::is_floating_point_v<T>) {
      w_.value(static_cast<double>(value));
    } else if constexpr (json_report_detail::is_optional<T>::value) {
      if (value) {
        write(*value);
      } else {
        w_.null();
      }
    } else if constexpr (json_report_detail::is_vector<T>::value) {
      w_.begin_array();
      for (const auto& element : value) write(element);
      w_.end_array();
    } else if constexpr (JsonNamed<T>) {
      w_.value(std::string_view(json_name(value)));
    } else if constexpr (std::is_invocable_v<const T&, JsonFieldWriter&>) {
      w_.begin_object();
      value(*this);
      w_.end_object();
    } else {
      w_.begin_object();
      visit_fields(*this, value);
      w_.end_object();
    }
  }

  JsonWriter& json() { return w_; }

 private:
  JsonWriter& w_;
};

// `value` as one line of JSON ending in "\n": what a program prints for --json.
template <class T>
std::string json_line(const T& value) {
  std::string out;
  JsonWriter w(out);
  JsonFieldWriter(w).write(value);
  out += '\n';
  return out;
}

// JsonWriter puts the comma before the next item, i.e. after a break line_break() inserted before it: this
// moves each such comma to the end of the previous line. Every raw LF of `json` must be one of those breaks
// (JSON strings escape theirs).
std::string commas_before_line_breaks(std::string_view json);

}  // namespace mzl
