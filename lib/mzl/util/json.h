#pragma once
// Minimal JSON output: string escaping (RFC 8259) and a streaming object/array writer for JSON lines.
// Strings are written as UTF-8; bytes that are not valid UTF-8 are escaped as \u00XX of the Latin-1 reading
// (callers that must keep binary data exact render it as base64 instead: util/base64.h).
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace mzl {

// Appends s as a quoted JSON string.
void append_json_string(std::string& out, std::string_view s);
// Whether s is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view s);
// Whether every byte of s is ASCII that a JSON string holds as it is: 0x20-0x7F other than '"' and '\\'
// (RFC 8259 escapes only those and the control characters below 0x20; DEL is left as it is, as
// append_json_string does). Such a string is valid UTF-8 and goes into JSON between quotes unchanged.
bool is_plain_json_ascii(std::string_view s);

// Streaming writer: JsonWriter w(out); w.begin_object(); w.key("a"); w.value(1); w.end_object();
// Commas are inserted automatically. It does not validate nesting beyond a depth counter.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() {
    separate();
    out_ += '{';
    comma_ = false;
  }
  void end_object() {
    out_ += '}';
    comma_ = true;
  }
  void begin_array() {
    separate();
    out_ += '[';
    comma_ = false;
  }
  void end_array() {
    out_ += ']';
    comma_ = true;
  }
  void key(std::string_view k) {
    separate();
    append_json_string(out_, k);
    out_ += ':';
    comma_ = false;
  }
  void value(std::string_view s) {
    separate();
    append_json_string(out_, s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(bool b) {
    separate();
    out_ += b ? "true" : "false";
  }
  void value(int64_t v);
  void value(uint64_t v);
  void value(int v) { value(static_cast<int64_t>(v)); }
  void value(unsigned v) { value(static_cast<uint64_t>(v)); }
  void value(double v);
  void null() {
    separate();
    out_ += "null";
  }
  // Appends already-encoded JSON (e.g. a value rendered by another module).
  void raw(std::string_view json) {
    separate();
    out_ += json;
  }

  // A key that needs no escaping (a literal of letters, digits and '_'), written as it is.
  void plain_key(std::string_view k) {
    char buf[64];
    if (k.size() + 4 > sizeof buf) {
      key(k);
      return;
    }
    size_t n = 0;
    if (comma_) buf[n++] = ',';
    buf[n++] = '"';
    std::memcpy(buf + n, k.data(), k.size());
    n += k.size();
    buf[n++] = '"';
    buf[n++] = ':';
    out_.append(buf, n);
    comma_ = false;
  }
  // plain_key(k) then value(v): for the literal field names of a fixed format.
  template <class T>
  void field(std::string_view k, const T& v) {
    plain_key(k);
    value(v);
  }

  std::string& out() { return out_; }

 private:
  // A comma before every value, key or container that follows another one at the same level.
  void separate() {
    if (comma_) out_ += ',';
    comma_ = true;
  }

  std::string& out_;
  bool comma_ = false;
};

}  // namespace mzl
