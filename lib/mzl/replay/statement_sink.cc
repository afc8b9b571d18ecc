#include "mzl/replay/statement_sink.h"

#include <fmt/format.h>

namespace mzl::replay {
namespace {

// A batch is sent once it holds this many bytes. Large enough that a round trip carries many small
// transactions, far below the smallest max_allowed_packet a server allows (1 MiB is MySQL's lower bound for
// replicas; 16 MiB is the default) once a single long statement is added to a nearly full batch... which is
// why a statement that would overflow the batch goes out first on its own.
constexpr size_t kBatchBytes = 512 * 1024;

std::string statement_start(std::string_view sql) {
  constexpr size_t kShown = 80;
  std::string shown(sql.substr(0, kShown));
  for (char& c : shown) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return sql.size() > kShown ? shown + "..." : shown;
}

}  // namespace

Result<std::unique_ptr<ServerStatementSink>> ServerStatementSink::create(net::ServerConnection& connection) {
  if (Status on = connection.enable_multi_statements(); !on.ok()) {
    return connection.last_error("turning on multi-statements for the replay session");
  }
  return std::unique_ptr<ServerStatementSink>(new ServerStatementSink(connection));
}

Status ServerStatementSink::statement(std::string_view sql, const EventPlace& from) {
  if (!batch_.empty() && batch_.size() + sql.size() + 2 > kBatchBytes) MZL_CHECK(flush());
  // "\n;": a statement may end in a "-- comment" or "# comment" that would swallow a bare ';'.
  if (!batch_.empty()) batch_ += "\n;";
  origins_.push_back(Origin{from, batch_.size()});
  batch_ += sql;
  // MariaDB drops, without an error, whatever follows a BINLOG statement in a multi-statement query (the
  // row applier resets the parser state that holds the rest of the query; seen on 10.11): a BINLOG
  // statement is always the last of its batch. flush() also checks that every statement was answered.
  if (batch_.size() >= kBatchBytes || sql.starts_with("BINLOG ")) return flush();
  return ok_status();
}

Status ServerStatementSink::flush() {
  if (batch_.empty()) return ok_status();
  const net::StatementBatchOutcome outcome = connection_.execute_statements(batch_);
  const size_t done = outcome.succeeded;  // statements of the batch that succeeded
  if (outcome.failed) {
    const Origin& failed = origins_[std::min(done, origins_.size() - 1)];
    const size_t end = done + 1 < origins_.size() ? origins_[done + 1].begin - 2 : batch_.size();
    Error e = connection_.last_error(
        fmt::format("replaying the event at {}:{} (statement '{}')", failed.from.file, failed.from.offset,
                    statement_start(std::string_view(batch_).substr(failed.begin, end - failed.begin))));
    batch_.clear();
    origins_.clear();
    return e;
  }
  const size_t sent = origins_.size();
  batch_.clear();
  origins_.clear();
  if (done != sent) {
    return Error(ErrorCode::kInternal,
                 fmt::format("the server answered {} of the {} statements sent together, without an error",
                             done, sent))
        .at_r(connection_.server_name());
  }
  return ok_status();
}

namespace {
Status write_text(OutputStream& out, std::string_view text) {
  return out.write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}
}  // namespace

Status TextStatementSink::statement(std::string_view sql, const EventPlace&) {
  // mariadb-binlog's delimiter: the mariadb client splits its input at ';' outside quotes, which would cut
  // a CREATE PROCEDURE body apart; "/*!*/;" on a line of its own occurs in no statement.
  if (!started_) MZL_CHECK(write_text(out_, "DELIMITER /*!*/;\n"));
  started_ = true;
  MZL_CHECK(write_text(out_, sql));
  return write_text(out_, "\n/*!*/;\n");
}

Status TextStatementSink::flush() {
  if (started_) MZL_CHECK(write_text(out_, "DELIMITER ;\n"));
  started_ = false;
  return out_.flush();
}

}  // namespace mzl::replay
