#include "mzl/gtid/maria_gtid.h"

#include <vector>

namespace mzl::gtid {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

Error parse_error(std::string_view what, size_t at, const std::string& problem) {
  Error e(ErrorCode::kInvalidArgument,
          "malformed " + std::string(what) + " at character " + std::to_string(at) + ": " + problem);
  e.at(std::string(what), at);
  return e;
}

// Reads a decimal number <= max at text[pos...], advancing pos.
Result<uint64_t> number(std::string_view text, size_t& pos, uint64_t max, const char* name,
                        std::string_view what) {
  const size_t at = pos;
  if (pos >= text.size() || !is_digit(text[pos]))
    return parse_error(what, at, std::string("expected ") + name);
  uint64_t value = 0;
  while (pos < text.size() && is_digit(text[pos])) {
    const uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
    if (value > (max - digit) / 10) {
      return parse_error(what, at, std::string(name) + " is larger than " + std::to_string(max));
    }
    value = value * 10 + digit;
    ++pos;
  }
  return value;
}

Result<MariaGtid> parse_at(std::string_view text, size_t& pos, std::string_view what) {
  MariaGtid gtid;
  MZL_TRY(uint64_t domain, number(text, pos, UINT32_MAX, "a domain id", what));
  if (pos >= text.size() || text[pos] != '-')
    return parse_error(what, pos, "expected '-' after the domain id");
  ++pos;
  MZL_TRY(uint64_t server, number(text, pos, UINT32_MAX, "a server id", what));
  if (pos >= text.size() || text[pos] != '-')
    return parse_error(what, pos, "expected '-' after the server id");
  ++pos;
  MZL_TRY(uint64_t seq, number(text, pos, UINT64_MAX, "a sequence number", what));
  gtid.domain_id = static_cast<uint32_t>(domain);
  gtid.server_id = static_cast<uint32_t>(server);
  gtid.seq_no = seq;
  return gtid;
}

void skip_space(std::string_view text, size_t& pos) {
  while (pos < text.size() && is_space(text[pos])) ++pos;
}

}  // namespace

Result<MariaGtid> MariaGtid::parse(std::string_view text) {
  size_t pos = 0;
  skip_space(text, pos);
  MZL_TRY(MariaGtid gtid, parse_at(text, pos, "MariaDB GTID"));
  skip_space(text, pos);
  if (pos != text.size()) return parse_error("MariaDB GTID", pos, "unexpected text after the GTID");
  return gtid;
}

std::string MariaGtid::to_string() const {
  return std::to_string(domain_id) + "-" + std::to_string(server_id) + "-" + std::to_string(seq_no);
}

Result<MariaGtidPosition> MariaGtidPosition::parse(std::string_view text) {
  constexpr std::string_view kWhat = "MariaDB GTID position";
  MariaGtidPosition position;
  size_t pos = 0;
  skip_space(text, pos);
  if (pos == text.size()) return position;
  while (true) {
    skip_space(text, pos);
    const size_t at = pos;
    MZL_TRY(MariaGtid gtid, parse_at(text, pos, kWhat));
    if (position.gtids_.count(gtid.domain_id) != 0) {
      return parse_error(kWhat, at, "a second GTID for domain " + std::to_string(gtid.domain_id));
    }
    position.gtids_[gtid.domain_id] = gtid;
    skip_space(text, pos);
    if (pos == text.size()) return position;
    if (text[pos] != ',') return parse_error(kWhat, pos, "expected ',' or the end of the position");
    ++pos;
  }
}

std::string MariaGtidPosition::to_string() const {
  std::string out;
  for (const auto& [domain, gtid] : gtids_) {
    if (!out.empty()) out += ',';
    out += gtid.to_string();
  }
  return out;
}

std::optional<MariaGtid> MariaGtidPosition::find(uint32_t domain_id) const {
  auto it = gtids_.find(domain_id);
  if (it == gtids_.end()) return std::nullopt;
  return it->second;
}

void MariaGtidPosition::merge(const MariaGtidPosition& other) {
  for (const auto& [domain, gtid] : other.gtids_) {
    auto it = gtids_.find(domain);
    if (it == gtids_.end() || gtid.seq_no > it->second.seq_no) gtids_[domain] = gtid;
  }
}

bool MariaGtidPosition::contains(const MariaGtid& gtid) const {
  auto it = gtids_.find(gtid.domain_id);
  return it != gtids_.end() && it->second.seq_no >= gtid.seq_no;
}

bool MariaGtidPosition::contains(const MariaGtidPosition& other) const {
  for (const auto& [domain, gtid] : other.gtids_) {
    if (!contains(gtid)) return false;
  }
  return true;
}

MariaGtidPosition::Order MariaGtidPosition::compare(const MariaGtidPosition& other) const {
  if (*this == other) return Order::kEqual;
  for (const auto& [domain, gtid] : gtids_) {
    auto theirs = other.find(domain);
    if (theirs && theirs->seq_no == gtid.seq_no && theirs->server_id != gtid.server_id)
      return Order::kDiverged;
  }
  if (other.contains(*this)) return Order::kBefore;
  if (contains(other)) return Order::kAfter;
  return Order::kDiverged;
}

MariaGtidState::Continuity MariaGtidState::check(const MariaGtid& gtid) const {
  auto it = last_.find(gtid.domain_id);
  if (it == last_.end()) return Continuity::kFirstInDomain;
  const uint64_t last = it->second.seq_no;
  if (gtid.seq_no <= last) return Continuity::kOutOfOrder;
  return gtid.seq_no == last + 1 ? Continuity::kNext : Continuity::kGap;
}

MariaGtidState::Continuity MariaGtidState::add(const MariaGtid& gtid) {
  const Continuity continuity = check(gtid);
  auto& seq = entries_[{gtid.domain_id, gtid.server_id}];
  if (gtid.seq_no > seq) seq = gtid.seq_no;
  last_[gtid.domain_id] = gtid;
  return continuity;
}

bool MariaGtidState::contains(const MariaGtid& gtid) const {
  auto it = entries_.find({gtid.domain_id, gtid.server_id});
  return it != entries_.end() && it->second >= gtid.seq_no;
}

MariaGtidPosition MariaGtidState::position() const {
  MariaGtidPosition position;
  for (const auto& [domain, gtid] : last_) position.set(gtid);
  return position;
}

std::string MariaGtidState::to_string() const {
  std::string out;
  auto append = [&out](uint32_t domain, uint32_t server, uint64_t seq) {
    if (!out.empty()) out += ',';
    out += MariaGtid{domain, server, seq}.to_string();
  };
  auto it = entries_.begin();
  while (it != entries_.end()) {
    const uint32_t domain = it->first.first;
    const auto last = last_.find(domain);
    std::vector<std::pair<uint32_t, uint64_t>> deferred;
    for (; it != entries_.end() && it->first.first == domain; ++it) {
      if (last != last_.end() && it->first.second == last->second.server_id) {
        deferred.emplace_back(it->first.second, it->second);
      } else {
        append(domain, it->first.second, it->second);
      }
    }
    for (const auto& [server, seq] : deferred) append(domain, server, seq);
  }
  return out;
}

}  // namespace mzl::gtid
