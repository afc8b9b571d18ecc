#pragma once
// MySQL GTIDs and GTID sets (gtid_executed, gtid_purged, PREVIOUS_GTIDS), untagged and MySQL 8.4 tagged.
// Text syntax and printing follow MySQL sql/rpl_gtid_set.cc (Gtid_set::add_gtid_text, to_string) and
// https://dev.mysql.com/doc/refman/8.4/en/replication-gtids-concepts.html:
//   set   := [ tsids { "," tsids } ]          (empty items between commas are allowed)
//   tsids := uuid { ":" ( interval | tag ) }  (a tag switches the tag of the intervals that follow it)
//   interval := gno [ "-" gno ]               (gno in 1..2^63-2, decimal)
// Whitespace (spaces, tabs, newlines) is allowed before and after every token, as the server allows.
// Unlike the server, a reversed interval ("5-3") is an error rather than silently nothing, and GNOs are
// decimal only (the server's strtoll also takes 0x.. and 0.. octal).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/gtid/uuid.h"
#include "mzl/util/result.h"

namespace mzl::gtid {

inline constexpr int64_t kMaxGno = INT64_MAX - 1;  // GNO_END (INT64_MAX) is one past the last GNO

// A half-open GNO range [start, end), as the server and the PREVIOUS_GTIDS event keep them.
struct GnoInterval {
  int64_t start = 0;
  int64_t end = 0;
  bool operator==(const GnoInterval&) const = default;
};

// One MySQL GTID: "uuid:gno" or "uuid:tag:gno".
struct MysqlGtid {
  Tsid tsid;
  int64_t gno = 0;

  // Errors (kInvalidArgument) name the character position of the problem.
  static Result<MysqlGtid> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const MysqlGtid&) const = default;
};

class MysqlGtidSet {
 public:
  using IntervalMap = std::map<Tsid, std::vector<GnoInterval>>;

  MysqlGtidSet() = default;

  // Parses the server's text form (see the grammar above). Errors are kInvalidArgument with the character
  // position in the message and in Error::offset; nothing is returned on error.
  static Result<MysqlGtidSet> parse(std::string_view text);

  // The server's canonical text: UUIDs ascending in lower case, untagged intervals first, then each tag
  // (ascending) with its intervals ("uuid:1-5:7-9:tag:1-3"), UUIDs separated by `separator` (the server
  // prints ",\n"; "," gives one line). The empty set is "".
  std::string to_string(std::string_view separator = ",\n") const;

  // add(): kInvalidArgument for a GNO outside 1..kMaxGno, a start >= end, or an invalid tag; the tag is
  // normalised to lower case. Adding what is already there is fine.
  Status add(const Tsid& tsid, int64_t gno);
  Status add(const Uuid& uuid, std::string_view tag, int64_t gno);
  Status add(const MysqlGtid& gtid) { return add(gtid.tsid, gtid.gno); }
  Status add_interval(const Tsid& tsid, int64_t start, int64_t end);  // [start, end)

  void add(const MysqlGtidSet& other);  // union in place
  void subtract(const MysqlGtidSet& other);
  void intersect(const MysqlGtidSet& other);
  static MysqlGtidSet union_of(MysqlGtidSet a, const MysqlGtidSet& b) {
    a.add(b);
    return a;
  }
  static MysqlGtidSet difference(MysqlGtidSet a, const MysqlGtidSet& b) {
    a.subtract(b);
    return a;
  }
  static MysqlGtidSet intersection(MysqlGtidSet a, const MysqlGtidSet& b) {
    a.intersect(b);
    return a;
  }

  // Tags are compared as stored: pass them normalised (lower case), as parse() and add() keep them.
  bool contains(const Tsid& tsid, int64_t gno) const;
  bool contains(const MysqlGtid& gtid) const { return contains(gtid.tsid, gtid.gno); }
  bool contains(const MysqlGtidSet& other) const;  // other is a subset of this (GTID_SUBSET(other, this))

  bool empty() const { return intervals_.empty(); }
  // Number of GTIDs in the set; saturates at UINT64_MAX.
  uint64_t count() const;
  // The highest GNO of `tsid`, or 0 when the set has none.
  int64_t last_gno(const Tsid& tsid) const;

  // Every non-empty TSID with its intervals, ascending, disjoint and never touching.
  const IntervalMap& intervals() const { return intervals_; }

  bool operator==(const MysqlGtidSet&) const = default;

 private:
  IntervalMap intervals_;
};

}  // namespace mzl::gtid
