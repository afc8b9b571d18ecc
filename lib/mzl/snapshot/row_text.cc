#include "mzl/snapshot/row_text.h"

namespace mzl::snapshot {

void append_field(std::string&, const char*, size_t) {}
void append_null(std::string&) {}
void append_row(std::string&, const char* const*, const unsigned long*, unsigned) {}

RowTextReader::RowTextReader(InputStream& in) : in_(&in), where_(in.name()) {}
RowTextReader::RowTextReader(std::string_view text, std::string where) : where_(std::move(where)) {
  pos_ = reinterpret_cast<const uint8_t*>(text.data());
  end_ = pos_ + text.size();
}
Result<bool> RowTextReader::next(std::vector<std::optional<std::string>>&) {
  return Error{ErrorCode::kInternal, "not implemented"};
}
Result<bool> RowTextReader::fill() {
  return false;
}
Error RowTextReader::corrupt(const std::string& problem, uint64_t at) const {
  return Error{ErrorCode::kCorrupt, problem}.at_r(where_, at);
}

}  // namespace mzl::snapshot
