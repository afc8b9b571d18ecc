#include "mzl/failover/promotion_term.h"

#include <fmt/format.h>

#include "mzl/net/sql_text.h"

namespace mzl::failover {

namespace {
// ER_BAD_DB_ERROR and ER_NO_SUCH_TABLE: nothing recorded yet.
constexpr unsigned kUnknownDatabase = 1049;
constexpr unsigned kNoSuchTable = 1146;
}  // namespace

Result<uint64_t> recorded_term(net::ServerConnection& server) {
  auto value = server.scalar(fmt::format("SELECT MAX(term) FROM {}", kTermTable));
  if (!value.ok()) {
    const unsigned number = server.last_error_number();
    if (number == kUnknownDatabase || number == kNoSuchTable) return uint64_t{0};
    return std::move(value).error();
  }
  if (!value->has_value()) return uint64_t{0};
  try {
    return static_cast<uint64_t>(std::stoull(**value));
  } catch (const std::exception&) {
    return Error(ErrorCode::kCorrupt, fmt::format("{}: the term is not a number: '{}'", kTermTable, **value))
        .at_r(server.server_name());
  }
}

Status record_term(net::ServerConnection& server, uint64_t term, std::string_view holder) {
  MZL_CHECK(server.execute("CREATE DATABASE IF NOT EXISTS mzl", "create the database mzl"));
  MZL_CHECK(server.execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (id TINYINT UNSIGNED NOT NULL PRIMARY "
                                       "KEY, term BIGINT UNSIGNED NOT NULL, holder VARCHAR(255) NOT NULL, "
                                       "at DATETIME(6) NOT NULL)",
                                       kTermTable),
                           fmt::format("create {}", kTermTable)));
  return server.execute(
      fmt::format(
          "INSERT INTO {0} (id, term, holder, at) VALUES (1, {1}, {2}, UTC_TIMESTAMP(6)) ON DUPLICATE "
          "KEY UPDATE holder = IF({1} >= term, VALUES(holder), holder), "
          "at = IF({1} >= term, VALUES(at), at), term = GREATEST(term, {1})",
          kTermTable, term, net::quote_string(holder)),
      fmt::format("record term {} in {}", term, kTermTable));
}

}  // namespace mzl::failover
