#pragma once
// What mzl-verify finds is a value, not an error: a Problem names the piece (a file, a snapshot member, a
// table), the byte offset when there is one, and what it means for the operator. Errors (Result/Status)
// are kept for what stops the check itself: a repository that cannot be read (kIo), bad usage
// (kInvalidArgument).
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace mzl::verify {

struct Problem {
  std::string where;               // a path (relative to the repository when inside it) or a table
  std::optional<uint64_t> offset;  // byte offset in `where`, when the problem is at one
  std::string what;                // what is wrong and what it means, in a sentence
  bool operator==(const Problem&) const = default;
};

// "where:offset: what", or "where: what" without an offset.
inline std::string format_problem(const Problem& p) {
  return p.offset ? fmt::format("{}:{}: {}", p.where, *p.offset, p.what)
                  : fmt::format("{}: {}", p.where, p.what);
}

// Its JSON (util/json_report.h): {"where":..., "offset":N or null, "what":...}.
void visit_fields(auto& io, const Problem& p) {
  io.field("where", p.where);
  io.field("offset", p.offset);
  io.field("what", p.what);
}

}  // namespace mzl::verify
