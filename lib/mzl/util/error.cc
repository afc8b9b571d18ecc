#include "mzl/util/error.h"

#include <fmt/format.h>

namespace mzl {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNeedMoreData:
      return "need more data";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kChecksumMismatch:
      return "checksum mismatch";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "I/O error";
    case ErrorCode::kServer:
      return "server error";
    case ErrorCode::kNetwork:
      return "network error";
    case ErrorCode::kAuth:
      return "access denied";
    case ErrorCode::kInterrupted:
      return "interrupted";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown error";
}

Error& Error::at(std::string place, std::optional<uint64_t> byte_offset) {
  if (where.empty()) where = std::move(place);
  if (!offset && byte_offset) offset = byte_offset;
  return *this;
}

std::string Error::to_string() const {
  std::string out;
  if (!where.empty()) out += where;
  if (offset) out += fmt::format("{}offset {}", out.empty() ? "" : ":", *offset);
  if (!out.empty()) out += ": ";
  out += message;
  return out;
}

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNeedMoreData:
    case ErrorCode::kCorrupt:
    case ErrorCode::kChecksumMismatch:
    case ErrorCode::kUnsupported:
    case ErrorCode::kNotFound:
      return kExitProblem;
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kServer:
    case ErrorCode::kNetwork:
    case ErrorCode::kAuth:
      return kExitServer;
    case ErrorCode::kIo:
      return kExitIo;
    case ErrorCode::kInterrupted:
    case ErrorCode::kInternal:
      return kExitProblem;
  }
  return kExitProblem;
}

}  // namespace mzl
