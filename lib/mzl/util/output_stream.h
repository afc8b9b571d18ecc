#pragma once
// Sequential byte sinks: a file (created or truncated) or standard output, buffered; and memory, for tests.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "mzl/util/result.h"

namespace mzl {

class OutputStream {
 public:
  virtual ~OutputStream() = default;
  // Appends all of `data` (buffered: it may reach the file only at flush()). kIo on failure (disk full, ...).
  virtual Status write(std::span<const uint8_t> data) = 0;
  // Hands buffered bytes to the operating system.
  virtual Status flush() = 0;
  // flush(), then fsync() for a file (no-op for stdout and memory).
  virtual Status sync() = 0;
  // flush() and release the file; later writes fail. The destructor closes without reporting errors, so
  // call close() to learn whether the last bytes were written.
  virtual Status close() = 0;
  virtual const std::string& name() const = 0;
};

// "-" is standard output. A file is created (mode 0644) or truncated. kIo / kNotFound when it cannot be.
Result<std::unique_ptr<OutputStream>> open_output(const std::string& path, size_t buffer_size = 256 * 1024);

// Collects everything written in memory; `sink` must outlive the stream.
std::unique_ptr<OutputStream> make_memory_output(std::vector<uint8_t>& sink, std::string name = "<memory>");

}  // namespace mzl
