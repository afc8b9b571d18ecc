#include "mzl/snapshot/manifest.h"

namespace mzl::snapshot {

std::string_view compression_name(Compression) {
  return "none";
}
std::string_view compression_suffix(Compression) {
  return "";
}
Result<Compression> parse_compression(std::string_view) {
  return Error{ErrorCode::kInternal, "not implemented"};
}
std::string encode_manifest(const Manifest&) {
  return {};
}
Result<Manifest> decode_manifest(std::string_view, const std::string&) {
  return Error{ErrorCode::kInternal, "not implemented"};
}
std::string encode_schema_object(const SchemaObject&) {
  return {};
}
Result<SchemaObject> decode_schema_object(std::string_view, const std::string&) {
  return Error{ErrorCode::kInternal, "not implemented"};
}
std::string data_file_path(std::string_view, std::string_view, unsigned, unsigned, Compression) {
  return {};
}
std::string file_name_component(std::string_view) {
  return {};
}

}  // namespace mzl::snapshot
