#pragma once
// Rows in LOAD DATA's default text format (MariaDB KB "LOAD DATA INFILE"; MySQL manual 15.2.9, "Field and
// Line Handling"): FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n', read with
// CHARACTER SET binary. Fields are separated by TAB, every row ends with LF, NULL is the two bytes "\N", an
// empty string is an empty field, and inside a value the bytes \ TAB LF CR NUL 0x1A are written as
// \\ \t \n \r \0 \Z; every other byte is written as it is. So NULL, "" and the two-byte string "\N" (written
// "\\N") are three different fields.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/util/input_stream.h"
#include "mzl/util/result.h"

namespace mzl::snapshot {

// Appends one field's value, escaped (no separator).
void append_field(std::string& out, const char* data, size_t length);
inline void append_field(std::string& out, std::string_view value) {
  append_field(out, value.data(), value.size());
}
// Appends "\N".
void append_null(std::string& out);
// Appends one row: the fields separated by TAB, then LF. fields[i] == nullptr is NULL (the layout of
// mysql_fetch_row()/mysql_fetch_lengths()). count must be >= 1 (a row of 0 fields would read back as one
// empty field).
void append_row(std::string& out, const char* const* fields, const unsigned long* lengths, unsigned count);

// The dump's batch of rows: append_row() without std::string's zeroing of the room it reserves.
class RowTextBuffer {
 public:
  void append_row(const char* const* fields, const unsigned long* lengths, unsigned count);
  std::span<const uint8_t> bytes() const { return {reinterpret_cast<const uint8_t*>(data_.get()), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Splits text written by append_row() back into rows, for verify and tests. Reads an InputStream in chunks
// (memory: one chunk plus the current row) or a buffer in memory.
// Errors (kCorrupt, at the stream's name and the byte offset where the problem is, message naming the row
// number counted from 1): an escape other than the six above and \N; "\N" with more bytes in the same field;
// input that does not end with LF (a truncated file). Errors of the stream are passed on.
class RowTextReader {
 public:
  explicit RowTextReader(InputStream& in);
  explicit RowTextReader(std::string_view text, std::string where = "<memory>");

  // Reads the next row into `fields` (replacing its content; nullopt is NULL). Returns false at the end of
  // the input (then `fields` is empty).
  Result<bool> next(std::vector<std::optional<std::string>>& fields);

  // Rows returned so far; byte offset of the next unread byte.
  uint64_t rows() const { return rows_; }
  uint64_t offset() const { return offset_; }

 private:
  Result<bool> fill();
  Error corrupt(const std::string& problem, uint64_t at) const;

  InputStream* in_ = nullptr;
  std::string where_;
  std::vector<uint8_t> chunk_;
  const uint8_t* pos_ = nullptr;  // next unread byte of the current chunk (or of the text)
  const uint8_t* end_ = nullptr;
  uint64_t offset_ = 0;  // stream offset of pos_
  uint64_t rows_ = 0;
  bool eof_ = false;
};

}  // namespace mzl::snapshot
