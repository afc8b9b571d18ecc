#pragma once
// A RowValueSink that builds RowChanges from the streamed values (the way decode_row_changes builds them), so
// that tests and the row-image fuzz target can hold stream_row_changes to decode_row_changes.
#include <vector>

#include "mzl/codec/row_image.h"
#include "mzl/codec/row_image_stream.h"

namespace mzl::test {

class RowChangeCollector final : public codec::RowValueSink {
 public:
  explicit RowChangeCollector(size_t column_count) : column_count_(column_count) {}

  void begin_row() override { changes.emplace_back(); }
  void begin_image(bool after) override {
    auto& image = after ? changes.back().after : changes.back().before;
    image.emplace(column_count_);
    current_ = &*image;
  }
  void int_value(size_t column, const codec::IntValue& value) override { current_->at(column) = value; }
  void string_value(size_t column, Bytes bytes, const codec::ColumnInfo& info) override {
    current_->at(column) = codec::StringValue{std::vector<uint8_t>(bytes.begin(), bytes.end()), info.charset};
  }
  void value(size_t column, const codec::ColumnValue& value) override { current_->at(column) = value; }
  void end_image() override { current_ = nullptr; }
  void end_row() override {}

  std::vector<codec::RowChange> changes;

 private:
  size_t column_count_;
  codec::Row* current_ = nullptr;
};

}  // namespace mzl::test
