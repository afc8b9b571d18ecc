#include "mzl/snapshot/chunk_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "mzl/net/sql_text.h"

namespace mzl::snapshot {
namespace {

std::string to_string(__int128 v) {
  if (v == 0) return "0";
  const bool negative = v < 0;
  unsigned __int128 magnitude =
      negative ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string digits;
  while (magnitude > 0) {
    digits += static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  }
  if (negative) digits += '-';
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// A decimal integer as the server prints it ("-12", "18446744073709551615"); nullopt otherwise.
std::optional<__int128> parse_integer(const std::string& text) {
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) i = 1;
  if (i == text.size() || text.size() - i > 20) return std::nullopt;
  __int128 v = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return negative ? -v : v;
}

}  // namespace

std::vector<std::string> integer_ranges(const std::string& column, __int128 min, __int128 max,
                                        uint64_t pieces) {
  const __int128 span = max - min + 1;
  if (pieces < 1 || span < 1) pieces = 1;
  pieces = std::min<uint64_t>(pieces, kMaxChunksPerTable);  // also keeps span * i below 2^127
  if (static_cast<__int128>(pieces) > span) pieces = static_cast<uint64_t>(span);
  if (pieces == 1) return {""};
  std::vector<__int128> bounds;  // bounds[i] = first key of chunk i + 1
  for (uint64_t i = 1; i < pieces; ++i) bounds.push_back(min + span * static_cast<__int128>(i) / pieces);
  std::vector<std::string> where;
  where.push_back(fmt::format("{} < {}", column, to_string(bounds.front())));
  for (size_t i = 1; i < bounds.size(); ++i) {
    where.push_back(
        fmt::format("{0} >= {1} AND {0} < {2}", column, to_string(bounds[i - 1]), to_string(bounds[i])));
  }
  where.push_back(fmt::format("{} >= {}", column, to_string(bounds.back())));
  return where;
}

Result<std::vector<Chunk>> plan_chunks(net::ServerConnection& server, const std::vector<TableInfo>& tables,
                                       uint64_t chunk_rows) {
  std::vector<Chunk> chunks;
  std::vector<uint64_t> weight;  // data bytes per chunk, for the order
  for (size_t t = 0; t < tables.size(); ++t) {
    const TableInfo& table = tables[t];
    std::vector<std::string> where = {""};
    if (chunk_rows > 0 && table.first_key_column_is_integer && !table.key_columns.empty() &&
        table.estimated_rows > chunk_rows) {
      const std::string column = net::quote_identifier(table.key_columns.front());
      MZL_TRY(auto rows, server.query(fmt::format("SELECT MIN({0}), MAX({0}) FROM {1}", column,
                                                  net::qualified_name(table.database, table.name))));
      if (rows.size() == 1 && rows[0].size() == 2 && rows[0][0] && rows[0][1]) {
        const auto min = parse_integer(*rows[0][0]);
        const auto max = parse_integer(*rows[0][1]);
        if (!min || !max)
          return Error(ErrorCode::kServer, fmt::format("MIN/MAX of {} are not integers: {}, {}", column,
                                                       *rows[0][0], *rows[0][1]))
              .at_r(net::qualified_name(table.database, table.name));
        const uint64_t pieces = (table.estimated_rows + chunk_rows - 1) / chunk_rows;
        where = integer_ranges(column, *min, *max, pieces);
      }
    }
    const uint64_t n = where.size();
    for (unsigned i = 0; i < n; ++i) {
      chunks.push_back(Chunk{t, i, std::move(where[i]), table.estimated_rows / n});
      weight.push_back(std::max(table.data_bytes, table.estimated_rows) / n);
    }
  }
  std::vector<size_t> order(chunks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return weight[a] > weight[b]; });
  std::vector<Chunk> sorted;
  sorted.reserve(chunks.size());
  for (size_t i : order) sorted.push_back(std::move(chunks[i]));
  return sorted;
}

}  // namespace mzl::snapshot
