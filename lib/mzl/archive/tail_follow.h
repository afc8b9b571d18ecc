#pragma once
// mzl-binlog-tail following a failover (man/mzl-binlog-tail.1, FOLLOWING A FAILOVER): which server and source
// it archives now (failover_chain.h over the records in REPO/failovers/), whether a record that replaces the
// server being archived has appeared (failover_watch.h: asked before every semi-sync ACK, so that the old
// primary gets no ACK once the record is there), the link a successor source keeps to its predecessor
// (archive_state.h, SourceLink), and where the successor's archive starts on the new primary.
#include <optional>
#include <string>

#include "mzl/archive/archive_state.h"
#include "mzl/archive/failover_chain.h"
#include "mzl/archive/failover_watch.h"
#include "mzl/net/connection_options.h"
#include "mzl/util/result.h"

namespace mzl::archive {

// The server the archiver archives, and where.
struct ArchiveTarget {
  std::string source;                 // REPO/binlogs/<source>
  net::ConnectionOptions connection;  // the base server's options, or the new primary's host and port
  std::optional<FailoverHop> hop;     // the last switch that led here; none for the base source

  // "host:port" of the server, for messages.
  std::string address() const;
};

class FailoverFollower {
 public:
  // `base_source` / `base`: the source and server the archiver was told. With `watch`, REPO/failovers/ is
  // watched (failover_watch.h; replaced() answers from it); without, only resolve() reads the records.
  static Result<FailoverFollower> open(const std::string& repo, const std::string& base_source,
                                       const net::ConnectionOptions& base, bool watch);

  // Reads the records and the base source's state.json (its server_id): the target now. Errors: a record or
  // state that cannot be read (kCorrupt, kIo), a successor name that is not valid (kInvalidArgument).
  Result<ArchiveTarget> resolve() const;

  // Never blocks: true when a record has appeared since the last call that moves the archive off
  // `current_source`. Without a watch, always false.
  // `before_ack`: a semi-sync ACK follows a false answer (failover_watch.h, changed()).
  Result<bool> replaced(const std::string& current_source, bool before_ack);

  // The link of `target` (a successor): the predecessor's archive is opened, which makes its tail whole
  // (binlog_archive.h) and is closed again, and its last complete GTID position, capped at the record's fork
  // (history_fork_point()), is from_gtid_position ("" when the predecessor holds no archive).
  Result<SourceLink> link_for(const ArchiveTarget& target) const;

 private:
  FailoverFollower() = default;

  std::string repo_;
  std::string base_source_;
  net::ConnectionOptions base_;
  std::optional<FailoverWatch> watch_;
};

// Where an empty successor archive starts: the new primary's binlog file that holds the first transaction
// after `gtid_position` (the server finds it: a GTID dump is asked for and its first, artificial ROTATE names
// the file; the dump is then dropped). The archive copies that file whole from position 4, so it stays
// byte-identical to the server's. kNotFound when the server's binlogs do not hold that position.
Result<std::string> binlog_file_after(const net::ConnectionOptions& connection, uint32_t replica_server_id,
                                      const std::string& gtid_position);

}  // namespace mzl::archive
