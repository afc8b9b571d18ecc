#pragma once
// One history through the sources of a repository (man/mzl.7, FAILOVER): a successor source's state.json
// links it to its predecessor (archive_state.h, SourceLink), and readers of the history (mzl-verify,
// mzl-pitr-restore) take the predecessor's transactions up to the link's from_gtid_position, then the
// successor's after it. The GTID tests here read MariaDB positions and MySQL sets alike.
#include <optional>
#include <string>
#include <vector>

#include "mzl/archive/archive_state.h"
#include "mzl/gtid/maria_gtid.h"
#include "mzl/gtid/mysql_gtid_set.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// REPO/binlogs/<source>/state.json; nullopt when the source has none. kCorrupt / kIo when it cannot be read.
Result<std::optional<ArchiveState>> read_source_state(const std::string& repo, const std::string& source);

// The "follows" link of REPO/binlogs/<source>/state.json; nullopt when the source has no state or no link.
// kCorrupt / kIo when the state cannot be read.
Result<std::optional<SourceLink>> read_source_link(const std::string& repo, const std::string& source);

struct Successor {
  std::string source;
  SourceLink link;  // link.source is the previous source of the chain
};

// The sources that continue `source`'s history, in order: the one whose link names `source`, then the one
// whose link names that one, and so on. kCorrupt when two sources name the same predecessor (two histories
// cannot continue one) or the links form a loop.
Result<std::vector<Successor>> successors_of(const std::string& repo, const std::string& source);

// A GTID position (MariaDB "0-1-100,1-2-5") or set (MySQL) that transactions are tested against.
class GtidBound {
 public:
  // kInvalidArgument when `text` is neither.
  static Result<GtidBound> parse(const std::string& text);
  // The transaction with this GTID ("0-1-7", "uuid:7") is at or before the bound: MariaDB, its domain is
  // in the position with a seq_no at least the GTID's; MySQL, the set holds it. False for "" or a GTID of
  // the other flavour.
  bool contains(const std::string& gtid) const;
  // Every GTID of `other` (the same flavour) is at or before the bound.
  bool covers(const GtidBound& other) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  bool mysql_ = false;
  gtid::MariaGtidPosition maria_;
  gtid::MysqlGtidSet mysql_set_;
};

}  // namespace mzl::archive
