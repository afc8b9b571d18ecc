#pragma once
// MariaDB GTIDs "domain-server-seq", GTID positions and the binlog state.
// https://mariadb.com/kb/en/gtid/ : a position (@@gtid_binlog_pos, @@gtid_slave_pos, the position a replica
// connects with) holds at most one GTID per replication domain; the binlog state (@@gtid_binlog_state, the
// GTID_LIST event) holds the last GTID of every (domain, server) pair. Within a domain, sequence numbers
// grow (strictly under gtid_strict_mode); the server id only says who wrote a transaction.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "mzl/util/result.h"

namespace mzl::gtid {

struct MariaGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;

  // "domain-server-seq" in decimal, surrounding whitespace allowed; kInvalidArgument names the position.
  static Result<MariaGtid> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const MariaGtid&) const = default;
};

class MariaGtidPosition {
 public:
  // Comma-separated GTIDs ("0-1-100,1-2-5"; empty text is the empty position). Two GTIDs of one domain are
  // an error, as the server rejects them in gtid_slave_pos.
  static Result<MariaGtidPosition> parse(std::string_view text);
  // Domains ascending, separated by ",".
  std::string to_string() const;

  std::optional<MariaGtid> find(uint32_t domain_id) const;
  void set(const MariaGtid& gtid) { gtids_[gtid.domain_id] = gtid; }  // replaces the domain's GTID
  void erase(uint32_t domain_id) { gtids_.erase(domain_id); }

  // Union: per domain the GTID with the higher seq_no; on a tie this position's GTID stays.
  void merge(const MariaGtidPosition& other);

  // A server at this position has applied `gtid`: its domain is here with seq_no >= gtid.seq_no.
  bool contains(const MariaGtid& gtid) const;
  // Every GTID of `other` is contained.
  bool contains(const MariaGtidPosition& other) const;
  // A replica connecting at this position is sent the event with this GTID (the inverse of contains()):
  // everything of a domain it has not seen, and everything past its seq_no in a domain it has.
  bool needs(const MariaGtid& gtid) const { return !contains(gtid); }

  enum class Order {
    kEqual,     // the same GTID in every domain
    kBefore,    // this position is contained in the other and differs from it
    kAfter,     // this position contains the other and differs from it
    kDiverged,  // neither contains the other, or one domain has the same seq_no from different servers
  };
  Order compare(const MariaGtidPosition& other) const;

  bool empty() const { return gtids_.empty(); }
  size_t size() const { return gtids_.size(); }
  const std::map<uint32_t, MariaGtid>& gtids() const { return gtids_; }
  bool operator==(const MariaGtidPosition&) const = default;

 private:
  std::map<uint32_t, MariaGtid> gtids_;
};

// The binlog state: the highest seq_no of every (domain, server), and the last GTID added per domain.
class MariaGtidState {
 public:
  // How a GTID follows the state (continuity of a binlog stream).
  enum class Continuity {
    kFirstInDomain,  // the domain had no GTID yet
    kNext,           // seq_no is the domain's last seq_no + 1
    kGap,            // seq_no skips ahead: transactions of the domain are missing in between
    kOutOfOrder,     // seq_no is not above the domain's last seq_no (a violation of gtid_strict_mode)
  };

  // Records the GTID and says how it followed the state; the state is updated in every case (the domain's
  // last GTID becomes `gtid`, the (domain, server) entry keeps the higher seq_no).
  Continuity add(const MariaGtid& gtid);
  // How `gtid` would follow, without recording it.
  Continuity check(const MariaGtid& gtid) const;

  // The (domain, server) pair has a seq_no >= gtid.seq_no.
  bool contains(const MariaGtid& gtid) const;
  // Per domain the last GTID added (what a replica connects with).
  MariaGtidPosition position() const;
  // Every (domain, server) entry, domains then servers ascending, the domain's last GTID written last
  // within its domain (the order of @@gtid_binlog_state and the GTID_LIST event).
  std::string to_string() const;

  const std::map<std::pair<uint32_t, uint32_t>, uint64_t>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  bool operator==(const MariaGtidState&) const = default;

 private:
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> entries_;
  std::map<uint32_t, MariaGtid> last_;
};

}  // namespace mzl::gtid
