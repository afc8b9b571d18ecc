#include "mzl/snapshot/data_file_writer.h"

namespace mzl::snapshot {

class DataFileWriter::Sink {
 public:
  std::string name;
};
class DataFileWriter::Codec {};

DataFileWriter::DataFileWriter(std::unique_ptr<Sink> sink, std::unique_ptr<Codec> codec)
    : sink_(std::move(sink)), codec_(std::move(codec)) {}
DataFileWriter::~DataFileWriter() = default;

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::create_file(const std::string& path, Compression,
                                                                    int) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(path);
}
Result<std::unique_ptr<DataFileWriter>> DataFileWriter::to_memory(std::vector<uint8_t>&, Compression, int,
                                                                  std::string name) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(name);
}
Status DataFileWriter::write(std::span<const uint8_t>) {
  return Error{ErrorCode::kInternal, "not implemented"};
}
Result<FileDigest> DataFileWriter::finish() {
  return Error{ErrorCode::kInternal, "not implemented"};
}
uint64_t DataFileWriter::written_bytes() const {
  return 0;
}
const std::string& DataFileWriter::name() const {
  return sink_->name;
}

Result<std::unique_ptr<InputStream>> open_data_file(const std::string& path, Compression,
                                                    const ExpectedDigest*) {
  return Error{ErrorCode::kInternal, "not implemented"}.at_r(path);
}
std::unique_ptr<InputStream> open_data_file(std::unique_ptr<InputStream> source, Compression,
                                            const ExpectedDigest*) {
  return source;
}
std::unique_ptr<InputStream> make_zstd_input(std::unique_ptr<InputStream> source) {
  return source;
}
std::string sha256_hex(std::span<const uint8_t>) {
  return {};
}

}  // namespace mzl::snapshot
