#include "mzl/snapshot/catalog_query.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "mzl/net/sql_text.h"
#include "mzl/util/parse_number.h"

namespace mzl::snapshot::catalog_query {

using net::quote_string;

Status CatalogSession::enter() {
  MZL_TRY(auto rows, server_.query("SELECT @@character_set_client, @@character_set_results, "
                                   "@@collation_connection, @@session.sql_mode"));
  if (rows.size() != 1 || rows[0].size() != 4)
    return Error(ErrorCode::kServer, "unexpected session variables");
  const auto value = [](const std::optional<std::string>& v) { return v ? quote_string(*v) : "NULL"; };
  saved_ = fmt::format(
      "SET SESSION character_set_client = {}, character_set_results = {}, collation_connection = {}, "
      "sql_mode = {}",
      value(rows[0][0]), value(rows[0][1]), value(rows[0][2]), value(rows[0][3]));
  MZL_CHECK(server_.execute("SET NAMES utf8mb4"));
  return server_.execute("SET SESSION sql_mode = '', sql_quote_show_create = 1");
}

Status CatalogSession::restore() {
  if (saved_.empty()) return ok_status();
  std::string statement = std::exchange(saved_, {});
  return server_.execute(statement);
}

std::string string_list(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ',';
    out += quote_string(v);
  }
  return out;
}

const std::string& text(const net::SqlRow& row, size_t i) {
  static const std::string kEmpty;
  return i < row.size() && row[i] ? *row[i] : kEmpty;
}

Result<uint64_t> number(const net::SqlRow& row, size_t i, std::string_view what) {
  if (i >= row.size() || !row[i]) return uint64_t{0};
  return parse_uint(*row[i], what);
}

}  // namespace mzl::snapshot::catalog_query
