#include "mzl/gtid/mysql_gtid_set.h"

#include <algorithm>
#include <limits>

namespace mzl::gtid {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool starts_tag(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_tag_char(char c) {
  return starts_tag(c) || is_digit(c);
}

// A cursor over GTID text that reports errors with the character position.
class TextCursor {
 public:
  TextCursor(std::string_view text, const char* what) : text_(text), what_(what) {}

  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void advance(size_t n = 1) { pos_ += n; }
  void skip_space() {
    while (!at_end() && is_space(text_[pos_])) ++pos_;
  }
  std::string_view take(size_t n) {
    const auto out = text_.substr(pos_, n);
    pos_ += out.size();
    return out;
  }

  Error error(const std::string& problem, size_t at) const {
    Error e(ErrorCode::kInvalidArgument,
            std::string("malformed ") + what_ + " at character " + std::to_string(at) + ": " + problem);
    e.at(what_, at);
    return e;
  }

  Result<Uuid> uuid() {
    const size_t at = pos_;
    const auto text = text_.substr(pos_, kUuidTextLength);
    const auto uuid = text.size() == kUuidTextLength ? Uuid::parse(text) : std::nullopt;
    if (!uuid) return error("expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", at);
    pos_ += kUuidTextLength;
    return *uuid;
  }

  Result<std::string> tag() {
    const size_t at = pos_;
    size_t end = pos_;
    while (end < text_.size() && is_tag_char(text_[end])) ++end;
    const auto tag = normalize_tag(text_.substr(pos_, end - pos_));
    if (!tag) return error("a tag is at most 32 characters of [a-z0-9_] and starts with a letter or _", at);
    pos_ = end;
    return *tag;
  }

  // A decimal GNO in 1..kMaxGno.
  Result<int64_t> gno() {
    const size_t at = pos_;
    if (!is_digit(peek())) return error("expected a transaction number (GNO)", at);
    int64_t value = 0;
    while (is_digit(peek())) {
      const int digit = text_[pos_] - '0';
      if (value > (kMaxGno - digit) / 10) return error("GNO is larger than 2^63-2", at);
      value = value * 10 + digit;
      ++pos_;
    }
    if (value == 0) return error("GNO 0 is not a transaction number (they start at 1)", at);
    return value;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  const char* what_;
};

void insert_interval(std::vector<GnoInterval>& v, int64_t start, int64_t end) {
  if (!v.empty() && v.back().end <= start) {  // the common case: appending in GNO order
    if (v.back().end == start) {
      v.back().end = end;
    } else {
      v.push_back({start, end});
    }
    return;
  }
  auto first = std::lower_bound(v.begin(), v.end(), start,
                                [](const GnoInterval& iv, int64_t s) { return iv.end < s; });
  auto last = first;
  int64_t merged_start = start;
  int64_t merged_end = end;
  while (last != v.end() && last->start <= end) {
    merged_start = std::min(merged_start, last->start);
    merged_end = std::max(merged_end, last->end);
    ++last;
  }
  if (first == last) {
    v.insert(first, {start, end});
  } else {
    *first = {merged_start, merged_end};
    v.erase(first + 1, last);
  }
}

std::vector<GnoInterval> subtract_intervals(const std::vector<GnoInterval>& a,
                                            const std::vector<GnoInterval>& b) {
  std::vector<GnoInterval> out;
  size_t j = 0;
  for (const auto& iv : a) {
    int64_t cur = iv.start;
    while (j < b.size() && b[j].end <= cur) ++j;
    size_t k = j;
    while (k < b.size() && b[k].start < iv.end) {
      if (b[k].start > cur) out.push_back({cur, b[k].start});
      cur = std::max(cur, b[k].end);
      if (b[k].end > iv.end) break;
      ++k;
    }
    if (cur < iv.end) out.push_back({cur, iv.end});
    j = k;
  }
  return out;
}

std::vector<GnoInterval> intersect_intervals(const std::vector<GnoInterval>& a,
                                             const std::vector<GnoInterval>& b) {
  std::vector<GnoInterval> out;
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const int64_t start = std::max(a[i].start, b[j].start);
    const int64_t end = std::min(a[i].end, b[j].end);
    if (start < end) out.push_back({start, end});
    if (a[i].end < b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

// The interval of `v` holding `gno`, or nullptr.
const GnoInterval* find_interval(const std::vector<GnoInterval>& v, int64_t gno) {
  auto it = std::upper_bound(v.begin(), v.end(), gno,
                             [](int64_t g, const GnoInterval& iv) { return g < iv.start; });
  if (it == v.begin()) return nullptr;
  --it;
  return gno < it->end ? &*it : nullptr;
}

Result<Tsid> checked_tsid(const Tsid& tsid) {
  if (tsid.tag.empty()) return tsid;
  const auto tag = normalize_tag(tsid.tag);
  if (!tag) return Error(ErrorCode::kInvalidArgument, "invalid GTID tag '" + tsid.tag + "'");
  return Tsid{tsid.uuid, *tag};
}

}  // namespace

Result<MysqlGtid> MysqlGtid::parse(std::string_view text) {
  TextCursor in(text, "GTID");
  in.skip_space();
  MZL_TRY(Uuid uuid, in.uuid());
  MysqlGtid gtid;
  gtid.tsid.uuid = uuid;
  in.skip_space();
  if (in.peek() != ':') return in.error("expected ':' after the UUID", in.pos());
  in.advance();
  in.skip_space();
  if (starts_tag(in.peek())) {
    MZL_TRY(std::string tag, in.tag());
    gtid.tsid.tag = std::move(tag);
    in.skip_space();
    if (in.peek() != ':') return in.error("expected ':' after the tag", in.pos());
    in.advance();
    in.skip_space();
  }
  MZL_TRY(int64_t gno, in.gno());
  gtid.gno = gno;
  in.skip_space();
  if (!in.at_end()) return in.error("unexpected text after the GTID", in.pos());
  return gtid;
}

std::string MysqlGtid::to_string() const {
  std::string out = tsid.uuid.to_string();
  if (!tsid.tag.empty()) out += ":" + tsid.tag;
  return out + ":" + std::to_string(gno);
}

Result<MysqlGtidSet> MysqlGtidSet::parse(std::string_view text) {
  TextCursor in(text, "GTID set");
  MysqlGtidSet set;
  in.skip_space();
  while (true) {
    while (in.peek() == ',') {
      in.advance();
      in.skip_space();
    }
    if (in.at_end()) return set;
    MZL_TRY(Uuid uuid, in.uuid());
    Tsid tsid{uuid, ""};
    in.skip_space();
    while (in.peek() == ':') {
      in.advance();
      in.skip_space();
      if (starts_tag(in.peek())) {
        MZL_TRY(std::string tag, in.tag());
        tsid.tag = std::move(tag);
        in.skip_space();
        continue;
      }
      const size_t at = in.pos();
      MZL_TRY(int64_t start, in.gno());
      int64_t last = start;
      in.skip_space();
      if (in.peek() == '-') {
        in.advance();
        in.skip_space();
        MZL_TRY(int64_t end, in.gno());
        last = end;
        in.skip_space();
      }
      if (last < start) {
        return in.error(
            "interval " + std::to_string(start) + "-" + std::to_string(last) + " ends before it starts", at);
      }
      insert_interval(set.intervals_[tsid], start, last + 1);
    }
    if (!in.at_end() && in.peek() != ',')
      return in.error("expected ',', ':' or the end of the set", in.pos());
  }
}

std::string MysqlGtidSet::to_string(std::string_view separator) const {
  std::string out;
  const Uuid* previous = nullptr;
  for (const auto& [tsid, ivs] : intervals_) {
    if (previous == nullptr || tsid.uuid != *previous) {
      if (previous != nullptr) out += separator;
      out += tsid.uuid.to_string();
      previous = &tsid.uuid;
    }
    if (!tsid.tag.empty()) {
      out += ':';
      out += tsid.tag;
    }
    for (const auto& iv : ivs) {
      out += ':';
      out += std::to_string(iv.start);
      if (iv.end - 1 > iv.start) {
        out += '-';
        out += std::to_string(iv.end - 1);
      }
    }
  }
  return out;
}

Status MysqlGtidSet::add(const Tsid& tsid, int64_t gno) {
  if (gno < 1 || gno > kMaxGno) {
    return Error(ErrorCode::kInvalidArgument, "GNO " + std::to_string(gno) + " is outside 1..2^63-2");
  }
  return add_interval(tsid, gno, gno + 1);
}

Status MysqlGtidSet::add(const Uuid& uuid, std::string_view tag, int64_t gno) {
  return add(Tsid{uuid, std::string(tag)}, gno);
}

Status MysqlGtidSet::add_interval(const Tsid& tsid, int64_t start, int64_t end) {
  if (start < 1 || start >= end || end - 1 > kMaxGno) {
    return Error(ErrorCode::kInvalidArgument, "GNO interval [" + std::to_string(start) + ", " +
                                                  std::to_string(end) + ") is empty or out of range");
  }
  MZL_TRY(Tsid checked, checked_tsid(tsid));
  insert_interval(intervals_[checked], start, end);
  return ok_status();
}

void MysqlGtidSet::add(const MysqlGtidSet& other) {
  for (const auto& [tsid, ivs] : other.intervals_) {
    auto& mine = intervals_[tsid];
    for (const auto& iv : ivs) insert_interval(mine, iv.start, iv.end);
  }
}

void MysqlGtidSet::subtract(const MysqlGtidSet& other) {
  for (const auto& [tsid, ivs] : other.intervals_) {
    auto it = intervals_.find(tsid);
    if (it == intervals_.end()) continue;
    it->second = subtract_intervals(it->second, ivs);
    if (it->second.empty()) intervals_.erase(it);
  }
}

void MysqlGtidSet::intersect(const MysqlGtidSet& other) {
  for (auto it = intervals_.begin(); it != intervals_.end();) {
    auto theirs = other.intervals_.find(it->first);
    if (theirs != other.intervals_.end()) it->second = intersect_intervals(it->second, theirs->second);
    if (theirs == other.intervals_.end() || it->second.empty()) {
      it = intervals_.erase(it);
    } else {
      ++it;
    }
  }
}

bool MysqlGtidSet::contains(const Tsid& tsid, int64_t gno) const {
  auto it = intervals_.find(tsid);
  return it != intervals_.end() && find_interval(it->second, gno) != nullptr;
}

bool MysqlGtidSet::contains(const MysqlGtidSet& other) const {
  for (const auto& [tsid, ivs] : other.intervals_) {
    auto it = intervals_.find(tsid);
    if (it == intervals_.end()) {
      if (!ivs.empty()) return false;
      continue;
    }
    for (const auto& iv : ivs) {
      const GnoInterval* mine = find_interval(it->second, iv.start);
      if (mine == nullptr || mine->end < iv.end) return false;
    }
  }
  return true;
}

uint64_t MysqlGtidSet::count() const {
  uint64_t total = 0;
  for (const auto& [tsid, ivs] : intervals_) {
    for (const auto& iv : ivs) {
      const auto n = static_cast<uint64_t>(iv.end - iv.start);
      if (total > std::numeric_limits<uint64_t>::max() - n) return std::numeric_limits<uint64_t>::max();
      total += n;
    }
  }
  return total;
}

int64_t MysqlGtidSet::last_gno(const Tsid& tsid) const {
  auto it = intervals_.find(tsid);
  return it == intervals_.end() || it->second.empty() ? 0 : it->second.back().end - 1;
}

}  // namespace mzl::gtid
