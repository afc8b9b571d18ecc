#pragma once
// What mzl-verify finds is a value, not an error: a Problem names the piece (a file, a snapshot member, a
// table), the byte offset when there is one, and what it means for the operator. Errors (Result/Status)
// are kept for what stops the check itself: a repository that cannot be read (kIo), bad usage
// (kInvalidArgument).
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include <vector>

#include "mzl/util/json.h"

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

// "problems":[{"where":..., "offset":N or null, "what":...}, ...] as one key of the object being written.
inline void write_problems(JsonWriter& w, const std::vector<Problem>& problems) {
  w.plain_key("problems");
  w.begin_array();
  for (const Problem& p : problems) {
    w.begin_object();
    w.field("where", p.where);
    w.plain_key("offset");
    if (p.offset) {
      w.value(*p.offset);
    } else {
      w.null();
    }
    w.field("what", p.what);
    w.end_object();
  }
  w.end_array();
}

}  // namespace mzl::verify
