#pragma once
// Errors as values. Every failure inside the library is an Error that says what went wrong, where (file or
// server, and byte offset when there is one) and, in the message, what to do. Exceptions never cross the
// library boundary; tools map Error::code to the toolkit's exit codes with exit_code_for().
#include <cstdint>
#include <optional>
#include <string>

namespace mzl {

enum class ErrorCode {
  kNeedMoreData,      // the input ends inside a unit (event, packet): normal while tailing a growing file
  kCorrupt,           // bytes that cannot be what they claim to be (bad magic, length past the end, ...)
  kChecksumMismatch,  // CRC32 / SHA-256 does not match
  kUnsupported,       // well-formed input we do not handle (unknown column type, encrypted binlog, ...)
  kInvalidArgument,   // the caller (usually the operator, through a flag) asked for something impossible
  kNotFound,          // a file, table, snapshot or GTID that should exist does not
  kIo,                // local file system: open, read, write, fsync, rename, disk full
  kServer,            // the server answered with an error
  kNetwork,           // the server could not be reached or went away
  kAuth,              // access denied
  kInterrupted,       // stopped by a signal before finishing
  kInternal,          // a bug in mzl
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string where;               // file name, server address, table: whatever locates the problem
  std::optional<uint64_t> offset;  // byte offset in `where`, when it is a file or stream

  Error() = default;
  Error(ErrorCode c, std::string msg) : code(c), message(std::move(msg)) {}

  // Adds a location unless one is already set (the innermost location is the most precise).
  Error& at(std::string place, std::optional<uint64_t> byte_offset = std::nullopt);
  Error&& at_r(std::string place, std::optional<uint64_t> byte_offset = std::nullopt) && {
    at(std::move(place), byte_offset);
    return std::move(*this);
  }

  // "where:offset: message" (the form compilers use, so editors and grep understand it).
  std::string to_string() const;
};

// The toolkit's exit codes (man/mzl.7): 0 ok, 1 problem found, 2 usage, 3 server or network, 4 local I/O.
enum ExitCode : int {
  kExitOk = 0,
  kExitProblem = 1,
  kExitUsage = 2,
  kExitServer = 3,
  kExitIo = 4,
};

int exit_code_for(const Error& error);

}  // namespace mzl
