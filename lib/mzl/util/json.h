#pragma once
// Minimal JSON output: string escaping (RFC 8259) and a streaming object/array writer for JSON lines.
// Strings are written as UTF-8; bytes that are not valid UTF-8 are escaped as \u00XX of the Latin-1 reading
// (callers that must keep binary data exact render it as base64 instead; see append_base64).
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
// Appends standard base64 (RFC 4648, with padding) of data.
void append_base64(std::string& out, std::span<const uint8_t> data);

// Streaming writer: JsonWriter w(out); w.begin_object(); w.key("a"); w.value(1); w.end_object();
// Commas are inserted automatically. It does not validate nesting beyond a depth counter.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() {
    separate();
    out_ += '{';
    push();
  }
  void end_object() {
    pop();
    out_ += '}';
  }
  void begin_array() {
    separate();
    out_ += '[';
    push();
  }
  void end_array() {
    pop();
    out_ += ']';
  }
  void key(std::string_view k) {
    separate();
    append_json_string(out_, k);
    out_ += ':';
    after_key_ = true;
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
    separate();
    const size_t at = out_.size();
    out_.resize(at + k.size() + 3);
    char* p = out_.data() + at;
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p[k.size()] = '"';
    p[k.size() + 1] = ':';
    after_key_ = true;
  }
  // plain_key(k) then value(v): for the literal field names of a fixed format.
  template <class T>
  void field(std::string_view k, const T& v) {
    plain_key(k);
    value(v);
  }

  std::string& out() { return out_; }

 private:
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0 && !first_[depth_ - 1]) out_ += ',';
    if (depth_ > 0) first_[depth_ - 1] = false;
  }
  void push() {
    if (depth_ < kMaxDepth) first_[depth_] = true;
    ++depth_;
  }
  void pop() { --depth_; }

  static constexpr int kMaxDepth = 64;
  std::string& out_;
  bool first_[kMaxDepth] = {};
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace mzl
