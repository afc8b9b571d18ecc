// describe_record (promotion.h): the record of a run as people read it.
#include <fmt/format.h>

#include "mzl/failover/promotion.h"

namespace mzl::failover {

std::string describe_record(const repo::FailoverRecord& r) {
  std::string out = fmt::format(
      "{}: {}\n", repo::json_name(r.kind),
      r.outcome == repo::Outcome::kDryRun ? "dry run (nothing was changed)" : repo::json_name(r.outcome));
  out += "servers before:\n";
  for (const auto& s : r.before) {
    out +=
        fmt::format("  {:<22} {:<11} {:<9} {}{}\n", s.address, s.role, s.writable ? "writable" : "read-only",
                    s.gtids, s.source.empty() ? "" : " <- " + s.source);
  }
  if (!r.old_primary.address.empty()) {
    out += fmt::format("old primary: {} (server_id {})\n", r.old_primary.address, r.old_primary.server_id);
  }
  if (!r.new_primary.address.empty()) {
    out += fmt::format("new primary: {} (server_id {})\n", r.new_primary.address, r.new_primary.server_id);
  }
  if (r.outcome == repo::Outcome::kDryRun) {
    out += fmt::format("would promote: {}\n", r.new_primary.address.empty() ? "none" : r.new_primary.address);
  }
  if (!r.candidate.empty()) out += fmt::format("why: {}\n", r.candidate);
  for (const auto& x : r.excluded) out += fmt::format("excluded: {}\n", x);
  out += "steps:\n";
  for (const auto& step : r.steps) {
    out += fmt::format("  {:>6} ms {:>5} ms  {}{}{}{}\n", step.at_ms, step.ms, step.server,
                       step.server.empty() ? "" : ": ", step.what, step.ok ? "" : "  FAILED: " + step.error);
  }
  if (r.archive) {
    out += fmt::format("archive {}: acknowledged {}; the new primary holds it: {}\n", r.archive->source,
                       r.archive->acknowledged.empty() ? "(nothing)" : r.archive->acknowledged,
                       r.archive->new_primary_holds ? "yes" : "no");
  }
  if (r.nothing_acknowledged_lost) {
    out += fmt::format("nothing acknowledged lost: {}\n", *r.nothing_acknowledged_lost ? "yes" : "NO");
  }
  if (r.write_downtime_ms) out += fmt::format("write downtime: {:.1f} ms\n", *r.write_downtime_ms);
  if (!r.fork_position.empty()) out += fmt::format("fork position: {}\n", r.fork_position);
  if (!r.after.empty()) {
    out += "servers after:\n";
    for (const auto& s : r.after) {
      out += fmt::format("  {:<22} {:<11} {:<9} {}{}\n", s.address, s.role,
                         s.writable ? "writable" : "read-only", s.gtids,
                         s.source.empty() ? "" : " <- " + s.source);
    }
  }
  if (!r.message.empty()) out += fmt::format("message: {}\n", r.message);
  if (!r.id.empty()) out += fmt::format("record: failovers/{}.json\n", r.id);
  return out;
}

}  // namespace mzl::failover
