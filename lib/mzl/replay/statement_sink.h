#pragma once
// Where the replay's SQL goes (replay_sql.h makes it): a server session, or a SQL text stream that
// `mariadb` can run (`mzl-pitr-restore --sql | mariadb`).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mzl/net/server_connection.h"
#include "mzl/util/output_stream.h"
#include "mzl/util/result.h"

namespace mzl::replay {

// The binlog event a statement was made from, for error messages ("file:offset").
struct EventPlace {
  std::string file;
  uint64_t offset = 0;
};

class StatementSink {
 public:
  virtual ~StatementSink() = default;
  // One complete statement, without a terminating ';'.
  virtual Status statement(std::string_view sql, const EventPlace& from) = 0;
  // Sends everything held back; errors of held-back statements surface here at the latest.
  virtual Status flush() = 0;
};

// Statements are sent to the server in batches (multi-statement queries of up to ~512 KiB, one round trip
// each, instead of one per statement as `mariadb-binlog | mariadb` does); a batch is sent when it is full,
// after a BINLOG statement (which must end its batch: MariaDB silently drops what follows one in a
// multi-statement query) and at flush(). A batch the server answered only in part without an error is
// kInternal, never a silent partial replay. The server runs a batch's statements in order and stops at the
// first that fails: the error is kServer naming the server, the event (file:offset) the statement came from,
// and the start of the statement. Turns on multi-statements for the session.
class ServerStatementSink : public StatementSink {
 public:
  static Result<std::unique_ptr<ServerStatementSink>> create(net::ServerConnection& connection);
  Status statement(std::string_view sql, const EventPlace& from) override;
  Status flush() override;

 private:
  explicit ServerStatementSink(net::ServerConnection& connection) : connection_(connection) {}
  net::ServerConnection& connection_;
  std::string batch_;
  struct Origin {
    EventPlace from;
    size_t begin = 0;  // offset of the statement in batch_
  };
  std::vector<Origin> origins_;
};

// Writes the statements as `mariadb` reads them: "DELIMITER /*!*/;", each statement followed by a line
// "/*!*/;", and "DELIMITER ;" at flush() (the BINLOG statements' base64 is one long line).
class TextStatementSink : public StatementSink {
 public:
  explicit TextStatementSink(OutputStream& out) : out_(out) {}
  Status statement(std::string_view sql, const EventPlace& from) override;
  Status flush() override;

 private:
  OutputStream& out_;
  bool started_ = false;
};

}  // namespace mzl::replay
