#include "mzl/snapshot/tar_stream.h"

namespace mzl::snapshot {

Status TarWriter::add_file(std::string_view, std::span<const uint8_t>, int64_t) {
  return Error{ErrorCode::kInternal, "not implemented"};
}
Status TarWriter::finish() {
  return Error{ErrorCode::kInternal, "not implemented"};
}
Status TarWriter::write(std::span<const uint8_t>) {
  return ok_status();
}
Status TarWriter::write_header(std::string_view, uint64_t, int64_t, char, std::string_view) {
  return ok_status();
}

Result<std::optional<TarMember>> TarReader::next() {
  return Error{ErrorCode::kInternal, "not implemented"};
}
Result<size_t> TarReader::read(std::span<uint8_t>) {
  return Error{ErrorCode::kInternal, "not implemented"};
}
std::unique_ptr<InputStream> TarReader::member_input() {
  return nullptr;
}
Result<bool> TarReader::read_block(uint8_t*) {
  return false;
}
Status TarReader::read_exact(uint8_t*, size_t) {
  return ok_status();
}
Status TarReader::skip(uint64_t) {
  return ok_status();
}
Result<std::string> TarReader::read_record(uint64_t) {
  return std::string();
}
Error TarReader::corrupt(const std::string& problem, uint64_t at) const {
  return Error{ErrorCode::kCorrupt, problem}.at_r(in_.name(), at);
}

}  // namespace mzl::snapshot
